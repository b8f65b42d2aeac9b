using System.ComponentModel;
using System.Runtime.Intrinsics;

namespace FixedRnn.Numerics;

/// <summary>
/// Eight float lanes: the unit in which generated kernels lay out weights and compute gates.
/// </summary>
/// <remarks>
/// Generated kernels are generic over this interface and instantiated once per hardware path
/// (<see cref="FloatBlock256"/> where <see cref="Vector256.IsHardwareAccelerated"/>,
/// <see cref="FloatBlock128"/> where only <see cref="Vector128.IsHardwareAccelerated"/>, else
/// <see cref="FloatBlockScalar"/>). Every path uses the same packed layout and the same arithmetic,
/// so their results differ only by fused versus separate multiply-add rounding and by the order in which
/// <see cref="Sum"/> adds the eight lanes (the backward pass's transposed products use it).
/// </remarks>
/// <typeparam name="TSelf">The implementing block type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IFloatBlock<TSelf>
    where TSelf : struct, IFloatBlock<TSelf>
{
    /// <summary>
    /// Whether kernels may use their wide register tiles, 16 accumulators at once: where the JIT has 32 vector registers
    /// for this block (x64 with AVX-512's EVEX encoding), so the accumulators fit beside the broadcast feature and the
    /// loaded weights. A JIT-time constant, so a kernel compiles only the tiling it uses.
    /// </summary>
    static abstract bool WideTiles { get; }

    /// <summary>Loads eight floats at <paramref name="source"/> + <paramref name="offset"/>, without bounds checks.</summary>
    static abstract TSelf Load(ref float source, nuint offset);

    /// <summary>Stores eight floats at <paramref name="destination"/> + <paramref name="offset"/>, without bounds checks.</summary>
    static abstract void Store(TSelf value, ref float destination, nuint offset);

    /// <summary>A block whose lanes all hold <paramref name="value"/>.</summary>
    static abstract TSelf Broadcast(float value);

    /// <summary><c>left * right + addend</c>, fused where the hardware has FMA.</summary>
    static abstract TSelf MultiplyAdd(TSelf left, TSelf right, TSelf addend);

    /// <summary>
    /// <c>left * (eight floats at source + offset) + addend</c>: the kernels' inner operation. One call
    /// rather than <see cref="Load"/> then <see cref="MultiplyAdd(TSelf, TSelf, TSelf)"/>, so the JIT can
    /// fold the load into the FMA instruction.
    /// </summary>
    static abstract TSelf MultiplyAdd(TSelf left, ref float source, nuint offset, TSelf addend);

    /// <summary>Lane-wise logistic sigmoid (see <see cref="Activations"/> for its error bound).</summary>
    static abstract TSelf Sigmoid(TSelf x);

    /// <summary>Lane-wise hyperbolic tangent (see <see cref="Activations"/> for its error bound).</summary>
    static abstract TSelf Tanh(TSelf x);

    /// <summary>
    /// <see cref="Sigmoid(TSelf)"/> of two blocks. Kernels call it for pairs of blocks so that a block type
    /// can evaluate both in one 16-lane operation: the activations are long dependency chains, and one
    /// instruction per step for both blocks halves what the out-of-order window has to hold.
    /// </summary>
    static virtual (TSelf First, TSelf Second) Sigmoid(TSelf first, TSelf second) => (TSelf.Sigmoid(first), TSelf.Sigmoid(second));

    /// <summary><see cref="Tanh(TSelf)"/> of two blocks; see <see cref="Sigmoid(TSelf, TSelf)"/>.</summary>
    static virtual (TSelf First, TSelf Second) Tanh(TSelf first, TSelf second) => (TSelf.Tanh(first), TSelf.Tanh(second));

    /// <summary>Lane-wise <c>max(x, 0)</c>, saturated at <see cref="Saturation.Limit"/> so the next layer's products stay finite; NaN stays NaN.</summary>
    static abstract TSelf Relu(TSelf x);

    /// <summary>Lane-wise <c>x &gt; 0 ? 1 : 0</c>: the derivative of <see cref="Relu"/> given its output.</summary>
    static abstract TSelf PositiveIndicator(TSelf x);

    /// <summary>The sum of the eight lanes.</summary>
    static abstract float Sum(TSelf x);

    /// <summary>Lane-wise sum.</summary>
    static abstract TSelf operator +(TSelf left, TSelf right);

    /// <summary>Lane-wise difference.</summary>
    static abstract TSelf operator -(TSelf left, TSelf right);

    /// <summary>Lane-wise product.</summary>
    static abstract TSelf operator *(TSelf left, TSelf right);
}
