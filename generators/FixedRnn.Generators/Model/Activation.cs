namespace FixedRnn.Generators.Model;

/// <summary>
/// The nonlinearity of an RNN or Dense layer. Values mirror the runtime's <c>RnnActivation</c> and
/// <c>DenseActivation</c>, which the generator knows only by name and value.
/// </summary>
internal enum Activation
{
    Identity,
    Tanh,
    Sigmoid,
    Relu,
}
