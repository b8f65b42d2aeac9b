using FixedRnn.Training;

namespace FixedRnn.Interop;

/// <summary>
/// One layer of a generated model, as importers need to know it: generated models describe their
/// layers with these so that Keras and ONNX weights can be mapped onto them.
/// </summary>
/// <param name="Kind">The cell kind, or Dense.</param>
/// <param name="InputSize">Features the layer reads.</param>
/// <param name="Size">Hidden units, or outputs for Dense.</param>
/// <param name="ResetAfter">For GRU: the reset-after form (PyTorch, Keras' default) rather than reset-before.</param>
public readonly record struct LayerDescription(LayerKind Kind, int InputSize, int Size, bool ResetAfter = true);
