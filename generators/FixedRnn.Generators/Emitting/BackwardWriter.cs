using System.Linq;
using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// The pieces every backward kernel shares: products with the transposed packed weights, the weight
/// gradients of a whole window as register-tiled matrix products, and the bias gradients.
/// </summary>
/// <remarks>
/// Pre-activation gradients are stored per step like the bias, <c>[block][slot][lane]</c>, so each
/// weight segment's gradient, <c>[block][row][gate][lane]</c>, is the sum over steps of a feature times
/// a gradient vector: the same broadcast-FMA shape as the forward pass, with the steps as the
/// reduction dimension.
/// </remarks>
internal static class BackwardWriter
{
    private const string Unsafe = KernelWriter.Unsafe;

    /// <summary>
    /// Rows whose dot products one pass over the blocks computes together: 8 independent sums cover the
    /// 2 FMA ports × 4-cycle latency of current cores (4 leave half the issue slots idle), and with the
    /// gradient vectors of one block they still fit in 16 registers.
    /// </summary>
    private const int RowGroup = 8;

    /// <summary>
    /// Writes <c>output[k] (=|+=) Σ_block Σ_gate W[block][k][gate] · gradient[block][slot(gate)]</c> for
    /// every row k of <paramref name="segment"/>: the gradient with respect to the segment's input.
    /// </summary>
    public static void TransposedProduct(SourceWriter writer, LayerLayout layer, WeightSegment segment, string gradients, string output, bool accumulate)
    {
        string gates = string.Join(", ", segment.Targets.Select(target => layer.Accumulators[target]));
        (string target, string product) = Transpose(segment.Equation);
        string method = $"{layer.KernelName}{segment.Name}Transposed";
        writer.Line($"// {target} {(accumulate ? "+=" : "=")} {product} · d({gates}).");
        writer.Line($"{method}<TBlock>(ref weights, ref {gradients}, ref {output});");
        writer.Defer(() =>
        {
            writer.Line($"/// <summary>");
            writer.Line($"/// Layer {layer.Index}: output[k] {(accumulate ? "+=" : "=")} Σ over blocks and {gates} of {segment.Equation.Split(' ')[0]}[block][k][gate] · gradients[block][gate],");
            writer.Line(segment.Rows > RowGroup
                ? $"/// for each of the {segment.Rows} rows k, {RowGroup} rows at a time, each a dot product over every block and gate."
                : segment.Rows == 1
                ? "/// for its one row k, a dot product over every block and gate."
                : $"/// for all {segment.Rows} rows k at once, each a dot product over every block and gate.");
            writer.Line("/// </summary>");
            writer.Line("/// <remarks>");
            writer.Line("/// A method of its own, kept out of line, so that its locals do not add to the backward kernel's: past the");
            writer.Line("/// JIT's 1,024 tracked locals the rest live on the stack, which made a reset-before GRU's backward pass 5× slower.");
            writer.Line("/// </remarks>");
            writer.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
            writer.Line($"private static void {method}<TBlock>(ref float weights, ref float gradients, ref float output)");
            writer.Indent();
            writer.Line(KernelWriter.BlockConstraint);
            writer.Unindent();
            using (writer.Block())
            {
                KernelWriter.WeightConstants(writer, layer, new[] { segment }, bias: false);
                int full = segment.Rows / RowGroup * RowGroup;
                if (full > 0)
                {
                    using (writer.Block(full == RowGroup ? null : $"for (nuint k = 0; k < {full}; k += {RowGroup})"))
                    {
                        if (full == RowGroup)
                        {
                            writer.Line("const nuint k = 0;");
                        }

                        RowGroupBody(writer, layer, segment, "gradients", "output", accumulate, RowGroup);
                    }
                }

                if (segment.Rows > full)
                {
                    using (writer.Block())
                    {
                        writer.Line($"const nuint k = {full};");
                        RowGroupBody(writer, layer, segment, "gradients", "output", accumulate, segment.Rows - full);
                    }
                }
            }
        });
    }

    private static void RowGroupBody(SourceWriter writer, LayerLayout layer, WeightSegment segment, string gradients, string output, bool accumulate, int rows)
    {
        for (int row = 0; row < rows; row++)
        {
            writer.Line($"TBlock sum{row} = TBlock.Broadcast(0f);");
        }

        using (writer.Block($"for (nuint block = 0; block < {layer.Blocks}; block++)"))
        {
            writer.Line($"nuint row = {segment.Name} + (block * {segment.BlockStride}) + (k * {segment.RowStride});");
            writer.Line($"nuint slots = block * {layer.BiasSlots * LayerLayout.Lanes};");
            for (int gate = 0; gate < segment.GatesPerRow; gate++)
            {
                writer.Line($"TBlock gradient{gate} = TBlock.Load(ref {gradients}, slots + {segment.Targets[gate] * LayerLayout.Lanes});");
            }

            for (int row = 0; row < rows; row++)
            {
                for (int gate = 0; gate < segment.GatesPerRow; gate++)
                {
                    writer.Line($"sum{row} = TBlock.MultiplyAdd(gradient{gate}, ref weights, row + {(row * segment.RowStride) + (gate * LayerLayout.Lanes)}, sum{row});");
                }
            }
        }

        for (int row = 0; row < rows; row++)
        {
            writer.Line($"{Unsafe}.Add(ref {output}, k + {row}) {(accumulate ? "+=" : "=")} TBlock.Sum(sum{row});");
        }
    }

    /// <summary>
    /// Writes <c>dW[block][k][gate] += Σ_t source_t[k] · gradient_t[block][slot(gate)]</c> for the whole
    /// window: register tiles of rows × gates, each accumulated over every step before one store.
    /// </summary>
    /// <param name="writer">The writer.</param>
    /// <param name="layer">The layer.</param>
    /// <param name="segment">The weight segment whose gradient accumulates.</param>
    /// <param name="source">A reference to step 0's input features of the segment.</param>
    /// <param name="sourceStride">Floats between one step's features and the next's.</param>
    public static void WeightGradient(SourceWriter writer, LayerLayout layer, WeightSegment segment, string source, int sourceStride)
    {
        writer.Line($"// d{segment.Equation.Split(' ')[0]} += Σ_t gradient_t · (features_t)ᵀ, in register tiles of rows × gates summed over every step.");
        using (writer.Block($"for (nuint block = 0; block < {layer.Blocks}; block++)"))
        {
            writer.Line($"nuint blockStart = {segment.Name} + (block * {segment.BlockStride});");
            writer.Line($"nuint slots = block * {layer.BiasSlots * LayerLayout.Lanes};");
            foreach (TileGroup group in TilePlan.Split(segment.Rows, segment.GatesPerRow))
            {
                string header = group.Count == 1
                    ? string.Empty
                    : $"for (nuint tile = 0; tile < {group.Count}; tile++)";
                using (writer.Block(header.Length == 0 ? null : header))
                {
                    writer.Line(group.Count == 1
                        ? $"const nuint k = {group.FirstBlock};"
                        : $"nuint k = {group.FirstBlock} + (tile * {group.BlocksPerTile});");
                    WeightTile(writer, layer, segment, source, sourceStride, group.BlocksPerTile);
                }
            }
        }
    }

    private static void WeightTile(SourceWriter writer, LayerLayout layer, WeightSegment segment, string source, int sourceStride, int rows)
    {
        for (int row = 0; row < rows; row++)
        {
            for (int gate = 0; gate < segment.GatesPerRow; gate++)
            {
                writer.Line($"TBlock w{row}_{gate} = TBlock.Load(ref gradients, blockStart + ((k + {row}) * {segment.RowStride}) + {gate * LayerLayout.Lanes});");
            }
        }

        using (writer.Block("for (nint t = 0; t < steps; t++)"))
        {
            writer.Line($"ref float stepGradients = ref {Unsafe}.Add(ref gateGradients, (t * {layer.GradientStride}) + (nint)slots);");
            writer.Line($"ref float stepFeatures = ref {Unsafe}.Add(ref {source}, (t * {sourceStride}) + (nint)k);");
            for (int gate = 0; gate < segment.GatesPerRow; gate++)
            {
                writer.Line($"TBlock gradient{gate} = TBlock.Load(ref stepGradients, {segment.Targets[gate] * LayerLayout.Lanes});");
            }

            for (int row = 0; row < rows; row++)
            {
                writer.Line($"TBlock feature{row} = TBlock.Broadcast({Unsafe}.Add(ref stepFeatures, {row}));");
                for (int gate = 0; gate < segment.GatesPerRow; gate++)
                {
                    writer.Line($"w{row}_{gate} = TBlock.MultiplyAdd(feature{row}, gradient{gate}, w{row}_{gate});");
                }
            }
        }

        for (int row = 0; row < rows; row++)
        {
            for (int gate = 0; gate < segment.GatesPerRow; gate++)
            {
                writer.Line($"TBlock.Store(w{row}_{gate}, ref gradients, blockStart + ((k + {row}) * {segment.RowStride}) + {gate * LayerLayout.Lanes});");
            }
        }
    }

    /// <summary>Writes <c>db[block][slot] += Σ_t gradient_t[block][slot]</c>.</summary>
    public static void BiasGradient(SourceWriter writer, LayerLayout layer)
    {
        writer.Line("// db += Σ_t gradient_t: the bias gradient is laid out exactly like the per-step gradients.");
        using (writer.Block($"for (nuint vector = 0; vector < {layer.GradientStride}; vector += 8)"))
        {
            writer.Line("TBlock sum = TBlock.Load(ref gradients, Bias + vector);");
            using (writer.Block("for (nint t = 0; t < steps; t++)"))
            {
                writer.Line($"sum += TBlock.Load(ref {Unsafe}.Add(ref gateGradients, t * {layer.GradientStride}), vector);");
            }

            writer.Line("TBlock.Store(sum, ref gradients, Bias + vector);");
        }
    }

    private static (string Target, string Product) Transpose(string equation) => equation switch
    {
        "W_ih x" => ("dx", "W_ihᵀ"),
        "W_hh h" => ("dh", "W_hhᵀ"),
        "W_hn (r*h)" => ("d(r*h)", "W_hnᵀ"),
        _ => ("dh", "Wᵀ"),
    };
}
