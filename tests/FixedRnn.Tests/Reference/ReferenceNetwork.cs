using System;
using System.Collections.Generic;
using FixedRnn.Interop;

namespace FixedRnn.Tests.Reference;

/// <summary>The kind of a reference layer, with the same meaning as the attributes.</summary>
public enum ReferenceKind
{
    Lstm,
    GruResetAfter,
    GruResetBefore,
    RnnTanh,
    RnnRelu,
    Dense,
}

/// <summary>
/// A plain, double-precision implementation of the cells in PyTorch's layout (gates stacked in
/// <c>weight_ih</c> rows), written from the equations for testing: slow, obvious, and independent of
/// the generated kernels' packing.
/// </summary>
public sealed class ReferenceNetwork
{
    private readonly List<Layer> _layers = new();

    public ReferenceNetwork(int inputSize, int seed, params (ReferenceKind Kind, int Size)[] layers)
    {
        var random = new Random(seed);
        int previous = inputSize;
        foreach ((ReferenceKind kind, int size) in layers)
        {
            _layers.Add(new Layer(kind, previous, size, random));
            previous = size;
        }

        InputSize = inputSize;
        OutputSize = previous;
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    /// <summary>The default module names of the state_dict: <c>layers.0</c>, <c>layers.1</c>, ….</summary>
    public string[] ModuleNames
    {
        get
        {
            var names = new string[_layers.Count];
            for (int k = 0; k < names.Length; k++)
            {
                names[k] = $"layers.{k}";
            }

            return names;
        }
    }

    /// <summary>The weights as a PyTorch state_dict with <c>layers.{k}.</c> keys, in safetensors.</summary>
    public SafeTensorsFile ToStateDict()
    {
        var writer = new SafeTensorsWriter();
        for (int k = 0; k < _layers.Count; k++)
        {
            Layer layer = _layers[k];
            if (layer.Kind == ReferenceKind.Dense)
            {
                writer.Add($"layers.{k}.weight", ToFloats(layer.WeightIh), layer.Size, layer.InputSize);
                writer.Add($"layers.{k}.bias", ToFloats(layer.BiasIh), layer.Size);
            }
            else
            {
                int rows = layer.Gates * layer.Size;
                writer.Add($"layers.{k}.weight_ih_l0", ToFloats(layer.WeightIh), rows, layer.InputSize);
                writer.Add($"layers.{k}.weight_hh_l0", ToFloats(layer.WeightHh), rows, layer.Size);
                writer.Add($"layers.{k}.bias_ih_l0", ToFloats(layer.BiasIh), rows);
                writer.Add($"layers.{k}.bias_hh_l0", ToFloats(layer.BiasHh), rows);
            }
        }

        return SafeTensorsFile.Parse(writer.ToArray());
    }

    /// <summary>Runs <paramref name="inputs"/> (<c>[T, InputSize]</c>) from the zero state.</summary>
    public double[] Forward(ReadOnlySpan<float> inputs)
    {
        int steps = inputs.Length / InputSize;
        var outputs = new double[steps * OutputSize];
        var states = new List<(double[] H, double[] C)>();
        foreach (Layer layer in _layers)
        {
            states.Add((new double[layer.Size], new double[layer.Size]));
        }

        for (int t = 0; t < steps; t++)
        {
            double[] x = new double[InputSize];
            for (int i = 0; i < InputSize; i++)
            {
                x[i] = inputs[(t * InputSize) + i];
            }

            for (int k = 0; k < _layers.Count; k++)
            {
                x = _layers[k].Step(x, states[k].H, states[k].C);
            }

            x.CopyTo(outputs, t * OutputSize);
        }

        return outputs;
    }

    private static float[] ToFloats(double[] values) => Array.ConvertAll(values, value => (float)value);

    private sealed class Layer
    {
        public Layer(ReferenceKind kind, int inputSize, int size, Random random)
        {
            Kind = kind;
            InputSize = inputSize;
            Size = size;
            Gates = kind switch
            {
                ReferenceKind.Lstm => 4,
                ReferenceKind.GruResetAfter or ReferenceKind.GruResetBefore => 3,
                _ => 1,
            };

            // PyTorch's default initialization, U(-1/sqrt(H), 1/sqrt(H)), rounded to float as stored.
            double bound = 1.0 / Math.Sqrt(kind == ReferenceKind.Dense ? inputSize : size);
            WeightIh = Uniform(random, Gates * size * inputSize, bound);
            WeightHh = Uniform(random, Gates * size * size, bound);
            BiasIh = Uniform(random, Gates * size, bound);
            BiasHh = Uniform(random, Gates * size, bound);
        }

        public ReferenceKind Kind { get; }

        public int InputSize { get; }

        public int Size { get; }

        public int Gates { get; }

        public double[] WeightIh { get; }

        public double[] WeightHh { get; }

        public double[] BiasIh { get; }

        public double[] BiasHh { get; }

        public double[] Step(double[] x, double[] h, double[] c)
        {
            double[] inputPart = Affine(WeightIh, BiasIh, x, Gates * Size);
            if (Kind == ReferenceKind.Dense)
            {
                return inputPart;
            }

            double[] hiddenPart = Affine(WeightHh, BiasHh, h, Gates * Size);
            var next = new double[Size];
            for (int j = 0; j < Size; j++)
            {
                double Gate(int gate) => inputPart[(gate * Size) + j] + hiddenPart[(gate * Size) + j];
                switch (Kind)
                {
                    case ReferenceKind.Lstm:
                        c[j] = (Sigmoid(Gate(1)) * c[j]) + (Sigmoid(Gate(0)) * Math.Tanh(Gate(2)));
                        next[j] = Sigmoid(Gate(3)) * Math.Tanh(c[j]);
                        break;
                    case ReferenceKind.GruResetAfter:
                    {
                        double r = Sigmoid(Gate(0));
                        double z = Sigmoid(Gate(1));
                        double n = Math.Tanh(inputPart[(2 * Size) + j] + (r * hiddenPart[(2 * Size) + j]));
                        next[j] = ((1 - z) * n) + (z * h[j]);
                        break;
                    }

                    case ReferenceKind.GruResetBefore:
                        next[j] = double.NaN; // Filled below: W_hn (r*h) needs every r first.
                        break;
                    case ReferenceKind.RnnTanh:
                        next[j] = Math.Tanh(Gate(0));
                        break;
                    default:
                        next[j] = Math.Max(Gate(0), 0);
                        break;
                }
            }

            if (Kind == ReferenceKind.GruResetBefore)
            {
                var resetHidden = new double[Size];
                for (int j = 0; j < Size; j++)
                {
                    resetHidden[j] = Sigmoid(inputPart[j] + hiddenPart[j]) * h[j];
                }

                for (int j = 0; j < Size; j++)
                {
                    double z = Sigmoid(inputPart[Size + j] + hiddenPart[Size + j]);
                    double candidate = inputPart[(2 * Size) + j] + BiasHh[(2 * Size) + j];
                    for (int k = 0; k < Size; k++)
                    {
                        candidate += WeightHh[(((2 * Size) + j) * Size) + k] * resetHidden[k];
                    }

                    double n = Math.Tanh(candidate);
                    next[j] = ((1 - z) * n) + (z * h[j]);
                }
            }

            next.CopyTo(h, 0);
            return next;
        }

        private static double[] Affine(double[] weight, double[] bias, double[] x, int rows)
        {
            var result = new double[rows];
            for (int row = 0; row < rows; row++)
            {
                double sum = bias[row];
                for (int column = 0; column < x.Length; column++)
                {
                    sum += weight[(row * x.Length) + column] * x[column];
                }

                result[row] = sum;
            }

            return result;
        }

        private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

        private static double[] Uniform(Random random, int count, double bound)
        {
            var values = new double[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = (float)(((random.NextDouble() * 2) - 1) * bound);
            }

            return values;
        }
    }
}
