namespace FixedRnn.Generators.Model;

/// <summary>
/// The nonlinearity of an RNN or Dense layer. The parser maps the runtime's <c>RnnActivation</c> and
/// <c>DenseActivation</c> onto it by member name; the numeric values differ.
/// </summary>
internal enum Activation
{
    Identity,
    Tanh,
    Sigmoid,
    Relu,
}
