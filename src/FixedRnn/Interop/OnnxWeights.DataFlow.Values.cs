namespace FixedRnn.Interop;

public static partial class OnnxWeights
{
    /// <summary>The abstract values the data-flow check assigns to every name of the graph.</summary>
    private sealed partial class DataFlow
    {
        private sealed class Axis(AxisRole role)
        {
            public AxisRole Role { get; set; } = role;
        }

        private abstract record FlowValue
        {
            public abstract string Describe();
        }

        private sealed record Absent : FlowValue
        {
            public static readonly Absent Instance = new();

            public override string Describe() => "nothing";
        }

        /// <summary>The input and what the layers compute from it; <see cref="Stage"/> layers are done.</summary>
        private sealed record Stream(Axis[] Axes, long Features, int Stage) : FlowValue
        {
            public bool BiasPending { get; init; }

            public bool Activated { get; init; }

            public bool LastStepOnly { get; init; }

            public OnnxNode? Consumer { get; init; }

            public override string Describe() => "a value computed from the input";
        }

        private sealed record ConstantValue(OnnxTensor Tensor, string? Initializer) : FlowValue
        {
            public override string Describe() => $"a constant of shape {Tensor.FormatDims()}";
        }

        private sealed record ShapeValue(object[] Entries) : FlowValue
        {
            public override string Describe() => "the shape of the input";
        }

        private sealed record DimensionValue(object Entry) : FlowValue
        {
            public override string Describe() => "a dimension of the input";
        }

        private sealed record ZerosValue(object[] Entries) : FlowValue
        {
            public override string Describe() => $"a zero tensor of rank {Entries.Length}";
        }

        private sealed record FinalState(OnnxNode Node) : FlowValue
        {
            public override string Describe() => $"the final state of {Node.Describe()}";
        }

        private sealed record UnboundInput(OnnxValueInfo Info) : FlowValue
        {
            public override string Describe() => $"the graph input '{Info.Name}'";
        }

        private sealed record StateInput(string Name) : FlowValue
        {
            public override string Describe() => $"the graph input '{Name}' (an initial state)";
        }
    }
}
