using FixedRnn.Generators.Helpers;
using FixedRnn.Training;

namespace FixedRnn.Generators.Model;

/// <summary>One layer attribute as declared, in the order it is applied.</summary>
/// <param name="Kind">The layer kind, from the attribute's name.</param>
/// <param name="Size">Hidden units (recurrent layers) or outputs (a head), the attribute's constructor argument.</param>
/// <param name="Activation">The <c>Activation</c> property when set; <see langword="null"/> leaves the cell's default.</param>
/// <param name="ResetAfter">The <c>ResetAfter</c> property when set; <see langword="null"/> leaves the default (PyTorch's reset-after GRU).</param>
/// <param name="Location">The attribute, for diagnostics about the layer's place in the model.</param>
/// <param name="IsValid">Whether the attribute was read and its values are in range (otherwise the parser or the compiler said why).</param>
/// <param name="Peepholes">For LSTM: the <c>Peepholes</c> property (ONNX's <c>P</c> input).</param>
/// <param name="ProjectionSize">For LSTM: the <c>ProjectionSize</c> property (PyTorch's <c>proj_size</c>), 0 when not set.</param>
/// <param name="Bidirectional">For a recurrent layer: the <c>Bidirectional</c> property.</param>
/// <param name="Merge">The <c>Merge</c> property when set; <see langword="null"/> leaves the default (concatenation).</param>
internal sealed record LayerSpec(LayerKind Kind, int Size, Activation? Activation, bool? ResetAfter, LocationInfo? Location, bool IsValid, bool Peepholes = false, int ProjectionSize = 0, bool Bidirectional = false, MergeMode? Merge = null);
