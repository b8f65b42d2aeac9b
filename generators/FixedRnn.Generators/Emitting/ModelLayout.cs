using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Model;

namespace FixedRnn.Generators.Emitting;

/// <summary>The packed layout of a whole model: every layer's place in <c>Parameters</c> and <c>State</c>.</summary>
internal sealed class ModelLayout
{
    public ModelLayout(ModelSpec model)
    {
        Model = model;
        var layers = new List<LayerLayout>();
        int parameters = 0;
        int state = 0;
        for (int index = 0; index < model.Layers.Count; index++)
        {
            var layer = new LayerLayout(index, model.Layers[index], parameters, state);
            layers.Add(layer);
            parameters = layer.ParameterEnd;
            state = layer.StateEnd;
        }

        Layers = layers;
        ParameterCount = parameters;
        StateFloats = state;
    }

    public ModelSpec Model { get; }

    public IReadOnlyList<LayerLayout> Layers { get; }

    public int ParameterCount { get; }

    public int StateFloats { get; }

    public LayerLayout Last => Layers[Layers.Count - 1];

    public LayerLayout? Dense => Last.Spec.Kind == LayerKind.Dense ? Last : null;

    public IEnumerable<LayerLayout> Recurrent => Layers.Where(layer => layer.Spec.IsRecurrent);

    public int OutputSize => Last.Spec.Size;
}
