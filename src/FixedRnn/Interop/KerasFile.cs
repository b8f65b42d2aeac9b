using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using PureHDF;
using PureHDF.VOL.Native;

namespace FixedRnn.Interop;

/// <summary>
/// A Keras weights file as Keras users save it, read whole: a Keras 3 <c>.keras</c> archive (<c>model.save</c>), a
/// Keras 3 <c>.weights.h5</c> (<c>model.save_weights</c>), a Keras 2 (or Keras 3 legacy) <c>.h5</c> from
/// <c>model.save</c> or <c>model.save_weights</c>, or Keras weights in safetensors. The format is read from the content.
/// </summary>
/// <remarks>
/// <para>
/// HDF5 structure (groups, attributes) is read with PureHDF (managed code, no native library); the weights' values
/// are sliced from the file where its object headers say they lie (contiguous, little-endian float32 or float64, as
/// Keras writes them), because PureHDF's typed reads build generic methods by reflection, which NativeAOT cannot run.
/// The layer weights are collected under the paths of
/// a Keras 3 <c>.weights.h5</c>, which <see cref="KerasWeights"/> maps onto a model: <c>layers/{name}/cell/vars/{i}</c>
/// for a recurrent layer (0 kernel, 1 recurrent kernel, 2 bias) and <c>layers/{name}/vars/{i}</c> otherwise (Dense: 0
/// kernel, 1 bias). A Keras 2 file's <c>weight_names</c> (<c>lstm/lstm_cell/kernel:0</c>, or Keras 3's legacy
/// <c>sequential/lstm/lstm_cell/kernel</c>) are mapped by their last part; weights with other names keep their path so
/// that a strict load lists them. Optimizer state (<c>optimizer_weights</c>, <c>optimizer/</c>) is not a layer weight
/// and is not read.
/// </para>
/// <para>
/// Where the file records the model (<c>config.json</c> of a <c>.keras</c> archive, the <c>model_config</c> attribute of a
/// <c>model.save</c> <c>.h5</c>), <see cref="Layers"/> lists its layers with their configuration, which
/// <see cref="KerasWeights.ToPyTorch(KerasFile, ReadOnlySpan{LayerDescription}, ReadOnlySpan{string}, KerasOptions?, bool)"/>
/// checks against the declaration. <see cref="LayerOrder"/> is the order of the layers that hold weights, when the file
/// records it.
/// </para>
/// <para>
/// Bounds: only regular files; an archive's entries decompress to at most 64 times the archive's length (an HDF5
/// file deflates little); at most <see cref="MaxDatasets"/> datasets, nested at most 16 groups deep; a dataset is read
/// only if its elements fit in the bytes of the file (Keras does not compress weights), so a header claiming more
/// is refused before anything is allocated. Any failure of the HDF5 reader on malformed content is a
/// <see cref="WeightFormatException"/> naming the path.
/// </para>
/// </remarks>
public sealed class KerasFile
{
    /// <summary>The most datasets read from one file.</summary>
    public const int MaxDatasets = 100_000;

    private const int MaxDepth = 16;

    private static readonly byte[] Hdf5Magic = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] ZipMagic = [0x50, 0x4B, 0x03, 0x04];

    private KerasFile(SafeTensorsFile tensors, string format, IReadOnlyList<string>? order, IReadOnlyList<KerasLayerConfig>? layers)
    {
        Source = "the file";
        Tensors = tensors;
        Format = format;
        LayerOrder = order;
        Layers = layers;
    }

    /// <summary>Gets how messages name the file: its path in quotes, or "the file" when it was parsed from memory.</summary>
    public string Source { get; private init; }

    /// <summary>Gets the layer weights, named as described in the remarks.</summary>
    public SafeTensorsFile Tensors { get; }

    /// <summary>Gets what the file is, such as <c>"Keras 3 .keras archive"</c>.</summary>
    public string Format { get; }

    /// <summary>Gets the names of the layers that hold weights, in the model's order, or <see langword="null"/> when the file does not record it.</summary>
    public IReadOnlyList<string>? LayerOrder { get; }

    /// <summary>Gets every layer of the saved model with its configuration, or <see langword="null"/> for a weights-only file.</summary>
    public IReadOnlyList<KerasLayerConfig>? Layers { get; }

    /// <summary>Reads a <c>.keras</c>, <c>.h5</c>, <c>.weights.h5</c> or Keras safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The weights and, where recorded, the model's configuration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="WeightFormatException">The file is none of these formats, or is malformed; the message names <paramref name="path"/>.</exception>
    /// <exception cref="IOException">A file-system failure.</exception>
    public static KerasFile Read(string path)
    {
        byte[] bytes = WeightFileReader.ReadAll(path, "Keras", Array.MaxLength);
        try
        {
            KerasFile file = Parse(bytes);
            return new KerasFile(file.Tensors, file.Format, file.LayerOrder, file.Layers) { Source = $"'{path}'" };
        }
        catch (WeightFormatException ex)
        {
            throw new WeightFormatException($"'{path}': {ex.Message}", ex.TensorName, ex);
        }
    }

    /// <summary>Parses a Keras file held in memory; see <see cref="Read"/>.</summary>
    /// <param name="bytes">The whole file.</param>
    /// <returns>The weights and, where recorded, the model's configuration.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="bytes"/> is <see langword="null"/>.</exception>
    /// <exception cref="WeightFormatException">The bytes are none of these formats, or malformed.</exception>
    public static KerasFile Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ReadOnlySpan<byte> span = bytes;
        if (span.StartsWith(ZipMagic))
        {
            return ReadArchive(bytes);
        }

        if (span.StartsWith(Hdf5Magic))
        {
            return ReadHdf5(bytes, configJson: null, "Keras");
        }

        string? notSafeTensors = SafeTensorsFile.DescribeIfNotSafeTensors(span);
        if (notSafeTensors is not null)
        {
            throw new WeightFormatException(
                $"it is not a Keras file: not a .keras archive (a zip), not HDF5 (.h5, .weights.h5), and not safetensors ({notSafeTensors})");
        }

        return new KerasFile(SafeTensorsFile.Parse(bytes), "Keras weights in safetensors", null, null);
    }

    private static KerasFile ReadArchive(byte[] bytes)
    {
        byte[]? config = null, weights = null;
        try
        {
            using var archive = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            long budget = 64L * bytes.Length;
            foreach (ZipArchiveEntry entry in archive.Entries)
            {
                if (entry.FullName is not ("config.json" or "model.weights.h5"))
                {
                    continue;
                }

                if (entry.Length > budget || entry.Length > Array.MaxLength)
                {
                    throw new WeightFormatException($"its entry '{entry.FullName}' claims {entry.Length} bytes, more than 64 times the archive");
                }

                var content = new byte[entry.Length];
                using (Stream stream = entry.Open())
                {
                    stream.ReadExactly(content);
                }

                budget -= content.Length;
                if (entry.FullName == "config.json")
                {
                    config = content;
                }
                else
                {
                    weights = content;
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new WeightFormatException($"it is not a well-formed zip archive: {ex.Message}", ex);
        }
        catch (EndOfStreamException ex)
        {
            throw new WeightFormatException($"a zip entry ends early: {ex.Message}", ex);
        }

        if (config is null || weights is null)
        {
            throw new WeightFormatException(
                $"it is a zip archive without {(config is null ? "config.json" : "model.weights.h5")}, so not a Keras 3 .keras file"
                + " (a torch.save archive loads with LoadPyTorch)");
        }

        return ReadHdf5(weights, config, "Keras 3 .keras archive");
    }

    private static KerasFile ReadHdf5(byte[] bytes, byte[]? configJson, string format)
    {
        if (!bytes.AsSpan().StartsWith(Hdf5Magic))
        {
            throw new WeightFormatException("its weights are not an HDF5 file");
        }

        Dictionary<string, Hdf5DatasetLocation> locations = Hdf5Preflight.Check(bytes);
        var source = new Hdf5Source(bytes, locations);
        var writer = new SafeTensorsWriter();
        var datasets = new Counter();
        List<string>? order = null;
        string? modelConfig = null;
        string kind;
        try
        {
            using NativeFile file = H5File.Open(new MemoryStream(bytes, writable: false), leaveOpen: false);
            if (file.LinkExists("layers"))
            {
                // Keras 3 saving_lib: layers/{name}/[cell/]vars/{i}.
                kind = configJson is null ? "Keras 3 .weights.h5" : format;
                AddGroup(file.Group("layers"), "layers", "layers", 0, writer, datasets, source);
            }
            else
            {
                // Keras 2 (and Keras 3's legacy h5): model.save puts the layers under model_weights, save_weights at the root.
                IH5Group weights = file.LinkExists("model_weights") ? file.Group("model_weights") : file;
                if (!weights.AttributeExists("layer_names") && !weights.AttributeExists("layer_names0"))
                {
                    throw new WeightFormatException("it is an HDF5 file without Keras' 'layers' group or 'layer_names' attribute, so not a Keras weights file");
                }

                string version = weights.AttributeExists("keras_version") ? $"Keras {Strings(weights.Attribute("keras_version")).FirstOrDefault()}" : "Keras";
                kind = ReferenceEquals(weights, file) ? $"HDF5 weights saved by {version} (save_weights)" : $"HDF5 model saved by {version} (model.save)";
                order = [];
                string prefix = ReferenceEquals(weights, file) ? string.Empty : "model_weights/";
                foreach (string layer in ChunkedStrings(weights, "layer_names"))
                {
                    if (AddLegacyLayer(weights, prefix, layer, writer, datasets, source))
                    {
                        order.Add(layer);
                    }
                }

                if (file.AttributeExists("model_config"))
                {
                    modelConfig = Strings(file.Attribute("model_config")).FirstOrDefault();
                }
            }
        }
        catch (WeightFormatException)
        {
            throw;
        }
        catch (Exception ex)
        {
            // PureHDF reports malformed structure with whatever exception its parser meets, including the
            // OutOfMemoryException of an array size read from a corrupt header.
            throw new WeightFormatException($"it is not a readable HDF5 file: {ex.GetType().Name}: {ex.Message}", ex);
        }

        List<KerasLayerConfig>? layers = null;
        if (configJson is not null)
        {
            layers = KerasLayerConfig.ParseModel(configJson);
        }
        else if (modelConfig is not null)
        {
            layers = KerasLayerConfig.ParseModel(System.Text.Encoding.UTF8.GetBytes(modelConfig));
        }

        if (layers is not null && order is null)
        {
            var present = new HashSet<string>(writer.Names.Select(LayerOf), StringComparer.Ordinal);
            order = layers.Select(layer => layer.Name).Where(present.Contains).ToList();
        }

        return new KerasFile(SafeTensorsFile.Parse(writer.ToArray()), kind, order, layers);
    }

    private static string LayerOf(string name) => name.Split('/') is { Length: > 1 } parts ? parts[1] : name;

    /// <summary>Adds every dataset under <paramref name="group"/> with its path.</summary>
    private static void AddGroup(IH5Group group, string path, string filePath, int depth, SafeTensorsWriter writer, Counter datasets, Hdf5Source source)
    {
        if (depth > MaxDepth)
        {
            throw new WeightFormatException($"its groups nest more than {MaxDepth} deep at '{path}'");
        }

        foreach (IH5Object child in group.Children())
        {
            string childPath = $"{path}/{child.Name}";
            switch (child)
            {
                case IH5Dataset dataset:
                    AddDataset(dataset, childPath, childPath, writer, datasets, source);
                    break;
                case IH5Group inner:
                    AddGroup(inner, childPath, childPath, depth + 1, writer, datasets, source);
                    break;
            }
        }
    }

    /// <summary>One layer of a Keras 2 file: its <c>weight_names</c>, mapped to the Keras 3 paths by their last part.</summary>
    private static bool AddLegacyLayer(IH5Group weights, string prefix, string layer, SafeTensorsWriter writer, Counter datasets, Hdf5Source source)
    {
        if (!weights.LinkExists(layer))
        {
            throw new WeightFormatException($"its layer_names lists '{layer}', which has no group");
        }

        IH5Group group = weights.Group(layer);
        string[] names = ChunkedStrings(group, "weight_names");
        bool recurrent = names.Any(name => Leaf(name) == "recurrent_kernel");
        int[] indices = names.Select(name => Leaf(name) switch
        {
            "kernel" => 0,
            "recurrent_kernel" => 1,
            "bias" => recurrent ? 2 : 1,
            _ => -1,
        }).ToArray();

        // A wrapper (Bidirectional's forward and backward layers) or a layer with other weights keeps its own paths,
        // so that a strict load names them rather than mistaking them for a plain layer's.
        bool plain = indices.All(index => index >= 0) && indices.Distinct().Count() == indices.Length;
        for (int i = 0; i < names.Length; i++)
        {
            if (!group.LinkExists(names[i]))
            {
                throw new WeightFormatException($"layer '{layer}' lists weight '{names[i]}', which the file does not hold");
            }

            string target = !plain ? $"layers/{layer}/{names[i]}"
                : recurrent ? $"layers/{layer}/cell/vars/{indices[i]}" : $"layers/{layer}/vars/{indices[i]}";
            AddDataset(group.Dataset(names[i]), target, $"{prefix}{layer}/{names[i]}", writer, datasets, source);
        }

        return names.Length > 0;
    }

    private static string Leaf(string name)
    {
        string leaf = name[(name.LastIndexOf('/') + 1)..];
        return leaf.EndsWith(":0", StringComparison.Ordinal) ? leaf[..^2] : leaf;
    }

    private static void AddDataset(IH5Dataset dataset, string path, string filePath, SafeTensorsWriter writer, Counter datasets, Hdf5Source source)
    {
        if (++datasets.Count > MaxDatasets)
        {
            throw new WeightFormatException($"it has more than {MaxDatasets} datasets");
        }

        ulong[] dims = dataset.Space.Dimensions;
        IH5DataType type = dataset.Type;
        if (type.Class != H5DataTypeClass.FloatingPoint || type.Size is not (4 or 8))
        {
            throw new WeightFormatException($"dataset '{path}' holds {type.Class} values of {type.Size} bytes; Keras weights are float32 or float64", path);
        }

        long fileLength = source.Bytes.Length;
        ulong count = 1;
        foreach (ulong dimension in dims)
        {
            count = dimension == 0 || count <= (ulong)fileLength / dimension ? count * dimension : ulong.MaxValue;
        }

        if (count > (ulong)fileLength / (ulong)type.Size)
        {
            throw new WeightFormatException(
                $"dataset '{path}' claims [{string.Join(", ", dims)}] values, more than the {fileLength}-byte file holds", path);
        }

        // The values are sliced from the file here rather than read by PureHDF, whose Read<T> builds generic methods by
        // reflection (MakeGenericMethod), which NativeAOT cannot run; the preflight located them in the same structure.
        if (!source.Locations.TryGetValue(filePath, out Hdf5DatasetLocation? location)
            || location.TypeClass != 1 || location.TypeSize != type.Size || location.BigEndian
            || !location.Dimensions.AsSpan().SequenceEqual(dims)
            || location.Length != count * (ulong)type.Size || location.Offset > (ulong)fileLength - location.Length)
        {
            throw new WeightFormatException(
                $"dataset '{path}' is not a contiguous little-endian float dataset inside the file, as Keras writes them", path);
        }

        ReadOnlySpan<byte> raw = source.Bytes.AsSpan((int)location.Offset, (int)location.Length);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = type.Size == 4
                ? System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * 4))
                : (float)System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(raw.Slice(i * 8));
        }

        try
        {
            writer.Add(path, values, dims.Select(d => (long)d).ToArray());
        }
        catch (ArgumentException ex)
        {
            throw new WeightFormatException($"dataset '{path}' appears twice", path, ex);
        }
    }

    /// <summary>
    /// A list attribute as Keras writes it: whole, or split into <c>{name}0</c>, <c>{name}1</c>, … when it exceeds HDF5's
    /// 64 KiB object-header limit (<c>save_attributes_to_hdf5_group</c>).
    /// </summary>
    private static string[] ChunkedStrings(IH5Group group, string name)
    {
        if (group.AttributeExists(name))
        {
            return Strings(group.Attribute(name));
        }

        var values = new List<string>();
        for (int chunk = 0; group.AttributeExists($"{name}{chunk}"); chunk++)
        {
            if (chunk >= MaxDatasets)
            {
                throw new WeightFormatException($"its attribute '{name}' has more than {MaxDatasets} chunks");
            }

            values.AddRange(Strings(group.Attribute($"{name}{chunk}")));
        }

        return [.. values];
    }

    private static string[] Strings(IH5Attribute attribute)
    {
        // h5py writes an empty list as an empty float64 array (a layer without weights), and lists of names as
        // fixed-length (Keras 2) or variable-length (Keras 3) strings.
        if (attribute.Space.Type != H5DataspaceType.Scalar && attribute.Space.Dimensions.Aggregate(1UL, (a, b) => a * b) == 0)
        {
            return [];
        }

        if (attribute.Type.Class is not (H5DataTypeClass.String or H5DataTypeClass.VariableLength))
        {
            throw new WeightFormatException($"its attribute '{attribute.Name}' is {attribute.Type.Class}, not strings");
        }

        return attribute.Space.Type == H5DataspaceType.Scalar ? [attribute.Read<string>()] : attribute.Read<string[]>();
    }

    private sealed record Hdf5Source(byte[] Bytes, Dictionary<string, Hdf5DatasetLocation> Locations);

    private sealed class Counter
    {
        public int Count { get; set; }
    }
}
