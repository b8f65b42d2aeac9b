namespace FixedRnn;

/// <summary>The activation of a <see cref="DenseAttribute"/> head.</summary>
public enum DenseActivation
{
    /// <summary>No activation: <c>y = W h + b</c>.</summary>
    Identity = 0,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 1,

    /// <summary>Logistic sigmoid.</summary>
    Sigmoid = 2,

    /// <summary>Rectified linear unit, <c>max(x, 0)</c>.</summary>
    Relu = 3,
}
