using System.Collections.Generic;
using FixedRnn.Generators.Model;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Where one layer's packed weights and state live, in floats from the start of <c>Parameters</c> and
/// of <c>State</c>. The kernels and the weight loader both read offsets from here, so they cannot
/// disagree.
/// </summary>
/// <remarks>
/// Hidden units are grouped in blocks of eight lanes (the last block zero-padded). A weight segment is
/// stored block-major, <c>[block][row][gate][lane]</c>: for one row (one input feature) the gates of a
/// block are adjacent, so a single broadcast of that feature feeds every gate accumulator of the block.
/// Biases are stored <c>[block][accumulator][lane]</c> and initialize the accumulators.
/// </remarks>
internal sealed class LayerLayout
{
    public const int Lanes = 8;

    public LayerLayout(int index, LayerSpec spec, int parameterOffset, int stateOffset)
    {
        Index = index;
        Spec = spec;
        Accumulators = AccumulatorNames(spec);

        int offset = parameterOffset;
        string inputTensor = spec.IsRecurrent ? "weight_ih" : "weight";
        InputWeights = new WeightSegment(spec.IsRecurrent ? "W_ih x" : "W h", "InputWeights", offset, spec.InputSize, InputGates(spec), inputTensor, Identity(InputGates(spec).Length));
        offset += InputWeights.Length(Blocks);

        if (spec.IsRecurrent)
        {
            int[] recurrentTargets = RecurrentGates(spec);
            RecurrentWeights = new WeightSegment("W_hh h", "RecurrentWeights", offset, spec.Size, recurrentTargets, "weight_hh", Identity(recurrentTargets.Length));
            offset += RecurrentWeights.Length(Blocks);
        }

        if (IsResetBeforeGru)
        {
            CandidateWeights = new WeightSegment("W_hn (r*h)", "CandidateWeights", offset, spec.Size, new[] { 2 }, "weight_hh", new[] { 2 });
            offset += CandidateWeights.Length(Blocks);
        }

        Bias = offset;
        offset += Blocks * BiasSlots * Lanes;
        ParameterEnd = offset;

        if (spec.IsRecurrent)
        {
            HiddenState = stateOffset;
            CellState = spec.Kind == LayerKind.Lstm ? stateOffset + PaddedSize : -1;
            StateEnd = stateOffset + (spec.Kind == LayerKind.Lstm ? 2 : 1) * PaddedSize;
        }
        else
        {
            HiddenState = CellState = -1;
            StateEnd = stateOffset;
        }
    }

    public int Index { get; }

    /// <summary>The floats a layer takes in <c>Parameters</c>, in 64 bits: what the constructor lays out, checked before any int arithmetic.</summary>
    public static long ParameterLength(LayerSpec spec)
    {
        long blocks = (spec.Size + Lanes - 1) / Lanes;
        long gates = InputGates(spec).Length;
        long length = blocks * spec.InputSize * gates * Lanes;
        if (spec.IsRecurrent)
        {
            length += blocks * spec.Size * RecurrentGates(spec).Length * Lanes;
        }

        bool resetBefore = spec.Kind == LayerKind.Gru && !spec.ResetAfter;
        if (resetBefore)
        {
            length += blocks * spec.Size * Lanes;
        }

        int biasSlots = resetBefore ? 3 : AccumulatorNames(spec).Length;
        return length + (blocks * biasSlots * Lanes);
    }

    public LayerSpec Spec { get; }

    public int Blocks => (Spec.Size + Lanes - 1) / Lanes;

    public int PaddedSize => Blocks * Lanes;

    public bool IsResetBeforeGru => Spec.Kind == LayerKind.Gru && !Spec.ResetAfter;

    /// <summary>Accumulator names, one per gate pre-activation a block keeps in registers.</summary>
    public IReadOnlyList<string> Accumulators { get; }

    /// <summary>Accumulators that the bias initializes: all but the reset-before candidate's second phase.</summary>
    public int BiasSlots => IsResetBeforeGru ? 3 : Accumulators.Count;

    public WeightSegment InputWeights { get; }

    public WeightSegment? RecurrentWeights { get; }

    /// <summary>Reset-before GRU only: <c>W_hn</c>, applied to <c>r*h</c> once every <c>r</c> is known.</summary>
    public WeightSegment? CandidateWeights { get; }

    public int Bias { get; }

    public int ParameterEnd { get; }

    public int HiddenState { get; }

    public int CellState { get; }

    public int StateEnd { get; }

    public string KernelName => $"Layer{Index}";

    /// <summary>
    /// Vectors per block that the recording forward pass stores each step for the backward pass: the
    /// activated gates (LSTM i, f, g, o; GRU r, z, n and, reset-after, the raw <c>W_hn h + b_hn</c>),
    /// or a Dense head's activated output. RNN needs only its h history.
    /// </summary>
    public int RecordSlots => Spec.Kind switch
    {
        LayerKind.Lstm => 4,
        LayerKind.Gru => Spec.ResetAfter ? 4 : 3,
        LayerKind.Rnn => 0,
        _ => 1,
    };

    /// <summary>Floats one step of <see cref="RecordSlots"/> takes.</summary>
    public int RecordStride => Blocks * RecordSlots * Lanes;

    /// <summary>Floats one step of pre-activation gradients takes: laid out like the bias, <c>[block][slot][lane]</c>.</summary>
    public int GradientStride => Blocks * BiasSlots * Lanes;

    /// <summary>Gates stacked in the PyTorch tensors: rows of <c>weight_ih</c> are <c>SourceGates × Size</c>.</summary>
    public int SourceGates => Spec.Kind switch
    {
        LayerKind.Lstm => 4,
        LayerKind.Gru => 3,
        _ => 1,
    };

    /// <summary>
    /// How PyTorch's bias vectors fold into the accumulators' biases: two biases that are simply added
    /// become one, but reset-after GRU keeps <c>b_hn</c> apart because <c>r</c> scales it.
    /// </summary>
    public IReadOnlyList<BiasTerm> BiasTerms
    {
        get
        {
            var terms = new List<BiasTerm>();
            if (!Spec.IsRecurrent)
            {
                terms.Add(new BiasTerm("bias", SourceGate: 0, Slot: 0));
                return terms;
            }

            for (int gate = 0; gate < SourceGates; gate++)
            {
                bool resetAfterCandidate = Spec.Kind == LayerKind.Gru && Spec.ResetAfter && gate == 2;
                terms.Add(new BiasTerm("bias_ih", gate, gate));
                terms.Add(new BiasTerm("bias_hh", gate, resetAfterCandidate ? 3 : gate));
            }

            return terms;
        }
    }

    private static int[] Identity(int count)
    {
        int[] gates = new int[count];
        for (int gate = 0; gate < count; gate++)
        {
            gates[gate] = gate;
        }

        return gates;
    }

    private static string[] AccumulatorNames(LayerSpec spec) => spec.Kind switch
    {
        LayerKind.Lstm => new[] { "i", "f", "g", "o" },
        LayerKind.Gru when spec.ResetAfter => new[] { "r", "z", "nx", "nh" },
        LayerKind.Gru => new[] { "r", "z", "n" },
        LayerKind.Rnn => new[] { "a" },
        _ => new[] { "y" },
    };

    /// <summary>For each gate stored per input row, the accumulator it feeds.</summary>
    private static int[] InputGates(LayerSpec spec) => spec.Kind switch
    {
        LayerKind.Lstm => new[] { 0, 1, 2, 3 },
        LayerKind.Gru => new[] { 0, 1, 2 },
        _ => new[] { 0 },
    };

    /// <summary>For each gate stored per hidden row, the accumulator it feeds.</summary>
    private static int[] RecurrentGates(LayerSpec spec) => spec.Kind switch
    {
        LayerKind.Lstm => new[] { 0, 1, 2, 3 },
        LayerKind.Gru when spec.ResetAfter => new[] { 0, 1, 3 },
        LayerKind.Gru => new[] { 0, 1 },
        _ => new[] { 0 },
    };
}

/// <summary>One packed weight matrix: <c>[block][row][gate][lane]</c> at <see cref="Offset"/>.</summary>
/// <param name="Equation">The product it computes, for comments.</param>
/// <param name="Name">The name of its offset constant in the emitted kernel.</param>
/// <param name="Offset">Its first float within <c>Parameters</c>.</param>
/// <param name="Rows">Input features it reads.</param>
/// <param name="Targets">For each gate stored per row, the accumulator it feeds.</param>
/// <param name="Tensor">The PyTorch parameter it is packed from, without module prefix or layer suffix.</param>
/// <param name="SourceGates">For each gate stored per row, its gate index in <paramref name="Tensor"/>.</param>
internal sealed record WeightSegment(string Equation, string Name, int Offset, int Rows, int[] Targets, string Tensor, int[] SourceGates)
{
    public int GatesPerRow => Targets.Length;

    /// <summary>Floats between one row and the next within a block.</summary>
    public int RowStride => GatesPerRow * LayerLayout.Lanes;

    /// <summary>Floats between one block and the next.</summary>
    public int BlockStride => Rows * RowStride;

    public int Length(int blocks) => blocks * BlockStride;
}

/// <summary>Adds gate <paramref name="SourceGate"/> of PyTorch's <paramref name="Tensor"/> into bias slot <paramref name="Slot"/>.</summary>
internal sealed record BiasTerm(string Tensor, int SourceGate, int Slot);
