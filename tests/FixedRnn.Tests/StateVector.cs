using System;
using System.Collections.Generic;
using Xunit;

namespace FixedRnn.Tests;

/// <summary>One vector of a generated <c>State</c>: its <c>Layer{k}[Reverse]{Hidden|Cell}</c> property, through an open delegate to its getter.</summary>
/// <typeparam name="TState">The generated <c>State</c>.</typeparam>
internal sealed class StateVector<TState>(string name, StateVector<TState>.Getter getter)
    where TState : struct
{
    public delegate Span<float> Getter(ref TState state);

    public string Name { get; } = name;

    public Span<float> Of(ref TState state) => getter(ref state);

    /// <summary>Every state vector the generated <c>State</c> exposes, in declaration order.</summary>
    public static IReadOnlyList<StateVector<TState>> All()
    {
        var vectors = new List<StateVector<TState>>();
        foreach (System.Reflection.PropertyInfo property in typeof(TState).GetProperties())
        {
            if (property.PropertyType == typeof(Span<float>) && property.Name.StartsWith("Layer", StringComparison.Ordinal))
            {
                vectors.Add(new StateVector<TState>(property.Name, (Getter)Delegate.CreateDelegate(typeof(Getter), property.GetMethod!)));
            }
        }

        Assert.NotEmpty(vectors);
        return vectors;
    }

    /// <summary>The state vector named <paramref name="name"/>, such as <c>Layer0ReverseCell</c>.</summary>
    public static StateVector<TState> Named(string name)
    {
        foreach (StateVector<TState> vector in All())
        {
            if (vector.Name == name)
            {
                return vector;
            }
        }

        throw new InvalidOperationException($"{typeof(TState)} has no state vector {name}.");
    }
}
