using System.Linq;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;
using FixedRnn.Numerics;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// The pieces every backward kernel shares: products with the transposed packed weights, the weight gradients of
/// a whole window as register-tiled matrix products, and the bias gradients.
/// </summary>
/// <remarks>
/// Pre-activation gradients are stored per step like the bias, <c>[block][slot][lane]</c>, so each weight segment's
/// gradient, <c>[block][row][gate][lane]</c>, is the sum over steps of a feature times a gradient vector: the same
/// broadcast-FMA shape as the forward pass, with the steps as the reduction dimension.
/// </remarks>
internal static class BackwardWriter
{
    /// <summary>
    /// Rows whose dot products one pass over the blocks computes together: 8 independent sums cover the 2 FMA ports
    /// × 4-cycle latency of current cores (4 leave half the issue slots idle), and with the gradient vectors of one
    /// block they still fit in 16 registers.
    /// </summary>
    private const int RowGroup = 8;

    /// <summary>
    /// Writes <c>output[k] (=|+=) Σ_block Σ_gate W[block][k][gate] · gradient[block][slot(gate)]</c> for every row k
    /// of <paramref name="segment"/>: the gradient with respect to the segment's input.
    /// </summary>
    /// <param name="writer">The writer.</param>
    /// <param name="layer">The layer.</param>
    /// <param name="segment">The weight segment.</param>
    /// <param name="target">What the product is the gradient of, for the comment: <c>dx</c>, <c>dh</c>.</param>
    /// <param name="gradients">The per-step pre-activation gradients.</param>
    /// <param name="output">Where the result goes.</param>
    /// <param name="accumulate">Whether it adds to <paramref name="output"/> rather than overwriting it.</param>
    public static void TransposedProduct(SourceWriter writer, LayerPlan layer, WeightSegment segment, string target, string gradients, string output, bool accumulate)
    {
        string gates = string.Join(", ", KernelWriter.Outputs(layer, segment));
        string method = $"{layer.KernelName}{segment.Name}Transposed";
        writer.Line($"// {target} {(accumulate ? "+=" : "=")} {segment.Symbol}ᵀ · d({gates}).");
        writer.Line($"{method}<TBlock>(ref weights, ref {gradients}, ref {output});");
        writer.Defer(() =>
        {
            writer.Line("/// <summary>");
            writer.Line($"/// Layer {layer.Index}: output[k] {(accumulate ? "+=" : "=")} Σ over blocks and {gates} of {segment.Symbol}[block][k][gate] · gradients[block][gate],");
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
            KernelWriter.Signature(writer, $"private static void {method}<TBlock>(ref float weights, ref float gradients, ref float output)", traced: false, outOfLine: true);
            using (writer.Block())
            {
                KernelWriter.LayoutConstants(writer, layer, new[] { segment }, bias: false);
                int full = segment.Rows / RowGroup * RowGroup;
                if (full > 0)
                {
                    using (writer.Block(full == RowGroup ? null : $"for (NUInt k = 0; k < {full}; k += {RowGroup})"))
                    {
                        if (full == RowGroup)
                        {
                            writer.Line("const NUInt k = 0;");
                        }

                        RowGroupBody(writer, layer, segment, "gradients", "output", accumulate, RowGroup);
                    }
                }

                if (segment.Rows > full)
                {
                    using (writer.Block())
                    {
                        writer.Line($"const NUInt k = {full};");
                        RowGroupBody(writer, layer, segment, "gradients", "output", accumulate, segment.Rows - full);
                    }
                }
            }
        });
    }

    private static void RowGroupBody(SourceWriter writer, LayerPlan layer, WeightSegment segment, string gradients, string output, bool accumulate, int rows)
    {
        for (int row = 0; row < rows; row++)
        {
            writer.Line($"TBlock sum{row} = TBlock.Broadcast(0f);");
        }

        using (writer.Block($"for (NUInt block = 0; block < {segment.Blocks}; block++)"))
        {
            writer.Line($"NUInt row = {segment.Name} + (block * {segment.BlockStride}) + (k * {segment.RowStride});");
            writer.Line($"NUInt slots = block * {layer.GradientBlockStride(segment)};");
            for (int gate = 0; gate < segment.GatesPerRow; gate++)
            {
                writer.Line($"TBlock gradient{gate} = TBlock.Load(ref {gradients}, {KernelWriter.Sum("slots", null, segment.Targets[gate] * Block.Lanes)});");
            }

            for (int row = 0; row < rows; row++)
            {
                for (int gate = 0; gate < segment.GatesPerRow; gate++)
                {
                    writer.Line($"sum{row} = TBlock.MultiplyAdd(gradient{gate}, ref weights, {KernelWriter.Sum("row", null, (row * segment.RowStride) + (gate * Block.Lanes))}, sum{row});");
                }
            }
        }

        for (int row = 0; row < rows; row++)
        {
            writer.Line($"Unsafe.Add(ref {output}, {KernelWriter.Sum("k", null, row)}) {(accumulate ? "+=" : "=")} TBlock.Sum(sum{row});");
        }
    }

    /// <summary>
    /// Writes <c>dW[block][k][gate] += Σ_sequence Σ_t source_t[k] · gradient_t[block][slot(gate)]</c> over every
    /// recorded sequence and step: register tiles of rows × gates, each loaded once, accumulated over the whole batch
    /// and stored once, so a mini-batch's weight gradient is one matrix-matrix product with B × T as its reduction
    /// dimension rather than B of them.
    /// </summary>
    /// <remarks>
    /// The sequences are added in order, each over its steps in order, so the sum is bitwise the one that B
    /// single-sequence passes, each loading and storing the tile, would leave.
    /// </remarks>
    /// <param name="writer">The writer.</param>
    /// <param name="layer">The layer.</param>
    /// <param name="segment">The weight segment whose gradient accumulates.</param>
    /// <param name="source">Each sequence's input features of the segment.</param>
    /// <param name="gradients">Each sequence's per-step gradients of the segment's outputs: the pre-activation gradients, or for a projection dL/dh.</param>
    public static void WeightGradient(SourceWriter writer, LayerPlan layer, WeightSegment segment, GradientRows source, GradientRows gradients)
    {
        writer.Line($"// d{segment.Symbol} += Σ_sequence Σ_t gradient_t · (features_t)ᵀ, in register tiles of rows × gates summed over every sequence and step.");
        using (writer.Block($"for (NUInt block = 0; block < {segment.Blocks}; block++)"))
        {
            writer.Line($"NUInt blockStart = {segment.Name} + (block * {segment.BlockStride});");
            writer.Line($"NUInt slots = block * {layer.GradientBlockStride(segment)};");
            foreach (TileGroup group in TilePlan.Split(segment.Rows, segment.GatesPerRow))
            {
                string? header = group.Count == 1 ? null : $"for (NUInt tile = 0; tile < {group.Count}; tile++)";
                using (writer.Block(header))
                {
                    writer.Line(group.Count == 1
                        ? $"const NUInt k = {group.FirstBlock};"
                        : $"NUInt k = {KernelWriter.TileStart(group)};");
                    WeightTile(writer, segment, source, gradients, group.BlocksPerTile);
                }
            }
        }
    }

    private static void WeightTile(SourceWriter writer, WeightSegment segment, GradientRows source, GradientRows gradients, int rows)
    {
        for (int row = 0; row < rows; row++)
        {
            for (int gate = 0; gate < segment.GatesPerRow; gate++)
            {
                writer.Line($"TBlock w{row}_{gate} = TBlock.Load(ref gradients, {Element(segment, row, gate)});");
            }
        }

        using (EachSequence(writer, source, gradients))
        using (writer.Block("for (NInt t = 0; t < steps; t++)"))
        {
            writer.Line($"ref float stepGradients = ref Unsafe.Add(ref {gradients.Name}, (t * {gradients.Stride}) + (NInt)slots);");
            writer.Line($"ref float stepFeatures = ref Unsafe.Add(ref {source.Name}, (t * {source.Stride}) + (NInt)k);");
            for (int gate = 0; gate < segment.GatesPerRow; gate++)
            {
                writer.Line($"TBlock gradient{gate} = TBlock.Load(ref stepGradients, {segment.Targets[gate] * Block.Lanes});");
            }

            for (int row = 0; row < rows; row++)
            {
                writer.Line($"TBlock feature{row} = TBlock.Broadcast(Unsafe.Add(ref stepFeatures, {row}));");
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
                writer.Line($"TBlock.Store(w{row}_{gate}, ref gradients, {Element(segment, row, gate)});");
            }
        }
    }

    /// <summary>Opens the loop over the recorded sequences, binding each one's rows: <c>float[][] trace = traces[sequence].Buffers;</c>.</summary>
    private static System.IDisposable EachSequence(SourceWriter writer, params GradientRows[] rows)
    {
        System.IDisposable loop = writer.Block("for (int sequence = 0; sequence < traces.Length; sequence++)");
        writer.Line("float[][] trace = traces[sequence].Buffers;");
        foreach (GradientRows bound in rows)
        {
            writer.Line($"ref float {bound.Name} = ref {bound.Start};");
        }

        return loop;
    }

    /// <summary>Where row <c>k + row</c>, gate <paramref name="gate"/> of the tile's block sits: <c>blockStart + ((k + 1) * 32) + 8</c>.</summary>
    private static string Element(WeightSegment segment, int row, int gate)
        => KernelWriter.Sum("blockStart", row == 0 ? $"(k * {segment.RowStride})" : $"((k + {row}) * {segment.RowStride})", gate * Block.Lanes);

    /// <summary>Writes <c>db[block][slot] += Σ_sequence Σ_t gradient_t[block][slot]</c>.</summary>
    public static void BiasGradient(SourceWriter writer, LayerPlan layer, GradientRows gradients)
    {
        writer.Line("// db += Σ_sequence Σ_t gradient_t: the bias gradient is laid out exactly like the per-step gradients.");
        using (writer.Block($"for (NUInt vector = 0; vector < {layer.GradientStride}; vector += {Block.Lanes})"))
        {
            writer.Line("TBlock sum = TBlock.Load(ref gradients, Bias + vector);");
            using (EachSequence(writer, gradients))
            using (writer.Block("for (NInt t = 0; t < steps; t++)"))
            {
                writer.Line($"sum += TBlock.Load(ref Unsafe.Add(ref {gradients.Name}, t * {gradients.Stride}), vector);");
            }

            writer.Line("TBlock.Store(sum, ref gradients, Bias + vector);");
        }
    }

    /// <summary>
    /// Writes a layer's <c>{KernelName}WeightGradients&lt;TBlock&gt;</c>: its weight and bias gradients over every
    /// sequence of <c>traces</c>, after each sequence's backward pass through time has left its per-step gradients there.
    /// </summary>
    public static void WeightGradientsKernel(SourceWriter writer, LayerPlan layer, System.Action body)
        => RecurrentBackward.BackwardKernel(
            writer,
            layer,
            "WeightGradients",
            $"Layer {layer.Index}'s weight and bias gradients, summed over every step of every sequence in <paramref name=\"traces\"/>, whose per-step gradients its backward pass has written.",
            $"ref float gradients, {TrainingEmitter.Recordings} traces, NInt steps",
            body,
            recordings: true);
}

/// <summary>
/// Per-step rows of one recorded sequence, bound once per sequence in the weight-gradient loops:
/// <c>ref float {Name} = ref {Start};</c>, where <paramref name="Start"/> may read that sequence's <c>trace</c>.
/// </summary>
/// <param name="Name">The local's name.</param>
/// <param name="Start">A <c>ref float</c> expression for step 0's row.</param>
/// <param name="Stride">Floats between one step's row and the next's (negative for a reverse direction's inputs).</param>
internal sealed record GradientRows(string Name, string Start, int Stride);
