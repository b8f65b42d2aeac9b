namespace FixedRnn;

/// <summary>The nonlinearity of a vanilla RNN layer (PyTorch's <c>nonlinearity</c>).</summary>
public enum RnnActivation
{
    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 0,

    /// <summary>Rectified linear unit, <c>max(x, 0)</c>.</summary>
    Relu = 1,
}
