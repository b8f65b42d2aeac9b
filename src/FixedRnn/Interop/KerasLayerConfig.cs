using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using FixedRnn.Training;

namespace FixedRnn.Interop;

/// <summary>
/// One layer of a saved Keras model as its configuration records it (<c>config.json</c> of a <c>.keras</c> archive,
/// <c>model_config</c> of a <c>model.save</c> <c>.h5</c>): class, name, and the settings that decide what it computes.
/// </summary>
/// <param name="ClassName">The Keras class: <c>LSTM</c>, <c>GRU</c>, <c>SimpleRNN</c>, <c>Dense</c>, <c>Dropout</c>, …</param>
/// <param name="Name">The layer's name.</param>
public sealed record KerasLayerConfig(string ClassName, string Name)
{
    /// <summary>Gets the <c>units</c>, or <see langword="null"/>.</summary>
    public int? Units { get; init; }

    /// <summary>Gets the <c>activation</c>, or <see langword="null"/>.</summary>
    public string? Activation { get; init; }

    /// <summary>Gets the <c>recurrent_activation</c>, or <see langword="null"/>.</summary>
    public string? RecurrentActivation { get; init; }

    /// <summary>Gets a GRU's <c>reset_after</c>, or <see langword="null"/> when the configuration does not say.</summary>
    public bool? ResetAfter { get; init; }

    /// <summary>Gets <c>return_sequences</c> (false when absent, Keras' default).</summary>
    public bool ReturnSequences { get; init; }

    /// <summary>Gets <c>return_state</c>.</summary>
    public bool ReturnState { get; init; }

    /// <summary>Gets <c>go_backwards</c>.</summary>
    public bool GoBackwards { get; init; }

    /// <summary>Gets the wrapped layer's class of a wrapper (<c>Bidirectional</c>, <c>TimeDistributed</c>), or <see langword="null"/>.</summary>
    public string? Wrapped { get; init; }

    /// <summary>
    /// Whether the layer is a <c>Bidirectional</c> wrapper, whose wrapped layer's class and settings this record
    /// then holds (under the wrapper's name).
    /// </summary>
    public bool Bidirectional { get; init; }

    /// <summary>A <c>Bidirectional</c> wrapper's <c>merge_mode</c> (<c>concat</c>, <c>sum</c>, <c>ave</c>, <c>mul</c>; <c>None</c> when it returns both directions apart).</summary>
    public string? MergeMode { get; init; }

    /// <summary>Whether the layer computes nothing at inference (<c>InputLayer</c>, <c>Dropout</c> and the noise layers).</summary>
    public bool IsPassThrough => ClassName is "InputLayer" or "Dropout" or "SpatialDropout1D" or "GaussianNoise" or "GaussianDropout" or "AlphaDropout" or "ActivityRegularization";

    /// <summary>The layers of a saved model's configuration: <c>{"class_name": "Sequential" | "Functional" | "Model", "config": {"layers": [...]}}</c>.</summary>
    internal static List<KerasLayerConfig> ParseModel(byte[] json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("config", out JsonElement config)
                || config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("layers", out JsonElement layers) || layers.ValueKind != JsonValueKind.Array)
            {
                string kind = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("class_name", out JsonElement name) ? name.ToString() : root.ValueKind.ToString();
                throw new WeightFormatException($"its model configuration is a {kind} without a list of layers; only Sequential and functional models are read");
            }

            return layers.EnumerateArray().Select(Parse).ToList();
        }
        catch (JsonException ex)
        {
            throw new WeightFormatException($"its model configuration is not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new WeightFormatException($"its model configuration is not what Keras writes: {ex.Message}", ex);
        }
    }

    private static KerasLayerConfig Parse(JsonElement layer)
    {
        string className = layer.TryGetProperty("class_name", out JsonElement c) ? c.ToString() : "?";
        JsonElement config = layer.TryGetProperty("config", out JsonElement found) && found.ValueKind == JsonValueKind.Object ? found : default;
        string name = Text(config, "name") ?? (layer.TryGetProperty("name", out JsonElement n) ? n.ToString() : "?");
        if (className == "Bidirectional" && config.ValueKind == JsonValueKind.Object && config.TryGetProperty("layer", out JsonElement wrappedLayer) && wrappedLayer.ValueKind == JsonValueKind.Object)
        {
            // The wrapped layer computes both directions; the wrapper adds how they merge.
            string mergeMode = config.TryGetProperty("merge_mode", out JsonElement merge) && merge.ValueKind == JsonValueKind.String ? merge.GetString()! : "None";
            return Parse(wrappedLayer) with { Name = name, Bidirectional = true, MergeMode = mergeMode };
        }

        string? wrapped = config.ValueKind == JsonValueKind.Object && config.TryGetProperty("layer", out JsonElement inner) && inner.ValueKind == JsonValueKind.Object
            && inner.TryGetProperty("class_name", out JsonElement innerClass) ? innerClass.ToString() : null;
        return new KerasLayerConfig(className, name)
        {
            Units = config.ValueKind == JsonValueKind.Object && config.TryGetProperty("units", out JsonElement units) && units.TryGetInt32(out int u) ? u : null,
            Activation = ActivationOf(config, "activation"),
            RecurrentActivation = ActivationOf(config, "recurrent_activation"),
            ResetAfter = Flag(config, "reset_after"),
            ReturnSequences = Flag(config, "return_sequences") ?? false,
            ReturnState = Flag(config, "return_state") ?? false,
            GoBackwards = Flag(config, "go_backwards") ?? false,
            Wrapped = wrapped,
        };
    }

    private static string? Text(JsonElement config, string property)
        => config.ValueKind == JsonValueKind.Object && config.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? Flag(JsonElement config, string property)
        => config.ValueKind == JsonValueKind.Object && config.TryGetProperty(property, out JsonElement value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean() : null;

    /// <summary>An activation as a string (<c>"tanh"</c>) or a serialized function (<c>{"class_name": "function", "config": "tanh"}</c>).</summary>
    private static string? ActivationOf(JsonElement config, string property)
    {
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty(property, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object when value.TryGetProperty("config", out JsonElement inner) && inner.ValueKind == JsonValueKind.String => inner.GetString(),
            JsonValueKind.Object when value.TryGetProperty("class_name", out JsonElement name) => name.ToString(),
            _ => value.ToString(),
        };
    }

    /// <summary>
    /// Every way the saved model's layers differ from the declaration: kinds and order, units, activations,
    /// <c>reset_after</c>, <c>return_sequences</c> (only the last recurrent layer may return its last step only),
    /// <c>go_backwards</c>, <c>return_state</c>, wrappers and layers FixedRnn does not compute.
    /// </summary>
    internal static List<string> Mismatches(IReadOnlyList<KerasLayerConfig> saved, ReadOnlySpan<LayerDescription> layers)
    {
        var problems = new List<string>();
        var computing = new List<KerasLayerConfig>();
        int inputs = 0;
        foreach (KerasLayerConfig layer in saved)
        {
            if (layer.ClassName == "InputLayer")
            {
                inputs++;
            }

            if (layer.IsPassThrough)
            {
                continue;
            }

            if (layer.ClassName is "LSTM" or "GRU" or "SimpleRNN" or "Dense")
            {
                computing.Add(layer);
            }
            else
            {
                problems.Add(layer.Wrapped is not null
                    ? $"'{layer.Name}' is {layer.ClassName}({layer.Wrapped}), which FixedRnn does not compute"
                    : $"'{layer.Name}' is a {layer.ClassName} layer, which FixedRnn does not compute");
            }
        }

        if (inputs > 1)
        {
            problems.Add($"the model has {inputs} input layers; a FixedRnn model has one input");
        }

        if (computing.Count != layers.Length)
        {
            problems.Add($"the file's model has {computing.Count} layer{(computing.Count == 1 ? string.Empty : "s")} with weights "
                + $"({string.Join(", ", computing.Select(l => $"{l.ClassName} '{l.Name}'"))}), the declaration {layers.Length} ({string.Join(", ", layers.ToArray().Select(l => l.Describe()))})");
        }

        int lastRecurrent = -1;
        for (int k = 0; k < layers.Length; k++)
        {
            lastRecurrent = layers[k].Kind != LayerKind.Dense ? k : lastRecurrent;
        }

        for (int k = 0; k < Math.Min(computing.Count, layers.Length); k++)
        {
            KerasLayerConfig file = computing[k];
            LayerDescription model = layers[k];
            string where = $"layer {k}: the file's {file.ClassName} '{file.Name}'";
            LayerKind kind = file.ClassName switch { "LSTM" => LayerKind.Lstm, "GRU" => LayerKind.Gru, "SimpleRNN" => LayerKind.Rnn, _ => LayerKind.Dense };
            if (kind != model.Kind)
            {
                problems.Add($"{where} is declared {model.Describe()}");
                continue;
            }

            if (file.Units is int units && units != model.Size)
            {
                problems.Add($"{where} has {units} units, the declaration {model.Size} ({model.Describe()})");
            }

            string activation = Normalize(file.Activation ?? (kind == LayerKind.Dense ? "linear" : "tanh"));
            if (kind is LayerKind.Lstm or LayerKind.Gru)
            {
                if (activation != "tanh")
                {
                    problems.Add($"{where} has activation='{file.Activation}'; FixedRnn's {(kind == LayerKind.Lstm ? "LSTM" : "GRU")} computes tanh");
                }

                string recurrent = Normalize(file.RecurrentActivation ?? "sigmoid");
                if (recurrent != "sigmoid")
                {
                    problems.Add($"{where} has recurrent_activation='{file.RecurrentActivation}'; FixedRnn's gates compute the logistic sigmoid");
                }

                if (kind == LayerKind.Gru && file.ResetAfter is bool resetAfter && resetAfter != model.ResetAfter)
                {
                    problems.Add($"{where} has reset_after={(resetAfter ? "True" : "False")}, the declaration {(model.ResetAfter ? "ResetAfter = true (the default)" : "ResetAfter = false")}; "
                        + $"declare [Gru({model.Size}{(resetAfter ? string.Empty : ", ResetAfter = false")})]");
                }
            }
            else
            {
                LayerActivation fileActivation = activation switch
                {
                    "linear" => LayerActivation.Identity,
                    "tanh" => LayerActivation.Tanh,
                    "sigmoid" => LayerActivation.Sigmoid,
                    "relu" => LayerActivation.Relu,
                    _ => LayerActivation.Default,
                };
                bool representable = kind == LayerKind.Rnn ? fileActivation is LayerActivation.Tanh or LayerActivation.Relu : fileActivation != LayerActivation.Default;
                if (!representable)
                {
                    problems.Add($"{where} has activation='{file.Activation}', which FixedRnn's {(kind == LayerKind.Rnn ? "RNN" : "Dense")} layer does not compute");
                }
                else if (fileActivation != model.EffectiveActivation)
                {
                    string attribute = kind == LayerKind.Rnn
                        ? $"[Rnn({model.Size}, Activation = RnnActivation.{fileActivation})]"
                        : $"[Dense({model.Size}, Activation = DenseActivation.{fileActivation})]";
                    problems.Add($"{where} has activation='{file.Activation}', the declaration {model.Describe()}; declare {attribute}");
                }
            }

            if (kind != LayerKind.Dense && file.Bidirectional != model.Bidirectional)
            {
                problems.Add(file.Bidirectional
                    ? $"{where} is wrapped in Bidirectional, the declaration has one direction; declare it with Bidirectional = true{MergeArgument(file.MergeMode)}"
                    : $"{where} has one direction, the declaration is bidirectional; declare it without Bidirectional");
            }
            else if (kind != LayerKind.Dense && file.Bidirectional)
            {
                BidirectionalMerge? merge = file.MergeMode switch
                {
                    "concat" => BidirectionalMerge.Concat,
                    "sum" => BidirectionalMerge.Sum,
                    "ave" => BidirectionalMerge.Average,
                    "mul" => BidirectionalMerge.Multiply,
                    _ => null,
                };
                if (merge is null)
                {
                    problems.Add($"{where} is Bidirectional with merge_mode={(file.MergeMode == "None" ? "None, which returns the two directions apart" : $"'{file.MergeMode}'")}; FixedRnn merges them by concat, sum, ave or mul");
                }
                else if (merge != model.Merge)
                {
                    problems.Add($"{where} is Bidirectional with merge_mode='{file.MergeMode}', the declaration Merge = {model.Merge}; declare Merge = BidirectionalMerge.{merge}");
                }
            }

            if (kind != LayerKind.Dense)
            {
                if (!file.ReturnSequences && k != lastRecurrent)
                {
                    problems.Add($"{where} has return_sequences=False, but layer {k + 1} reads its output at every step; only the last recurrent layer may return its last step only");
                }

                if (file.GoBackwards)
                {
                    problems.Add($"{where} has go_backwards=True; FixedRnn runs forward in time");
                }

                if (file.ReturnState)
                {
                    problems.Add($"{where} has return_state=True; its states are FixedRnn's State, not an output");
                }
            }
        }

        return problems;
    }

    private static string MergeArgument(string? mergeMode) => mergeMode switch
    {
        "sum" => ", Merge = BidirectionalMerge.Sum",
        "ave" => ", Merge = BidirectionalMerge.Average",
        "mul" => ", Merge = BidirectionalMerge.Multiply",
        _ => string.Empty,
    };

    private static string Normalize(string name)
    {
        string trimmed = name.Trim();
        trimmed = trimmed[(trimmed.LastIndexOf('.') + 1)..];
        return trimmed.Replace("_", string.Empty, StringComparison.Ordinal).ToLower(CultureInfo.InvariantCulture);
    }
}
