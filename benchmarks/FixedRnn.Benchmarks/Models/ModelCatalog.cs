using System;
using System.Collections.Generic;
using System.Globalization;
using FixedRnn.Benchmarks.Kernels;

namespace FixedRnn.Benchmarks.Models;

/// <summary>The cell kinds the suite measures.</summary>
public enum CellKind
{
    /// <summary>LSTM, gates i, f, g, o.</summary>
    Lstm,

    /// <summary>GRU with the reset gate applied after W_hn h (PyTorch's GRU).</summary>
    Gru,

    /// <summary>GRU with the reset gate applied before W_hn (<c>ResetAfter = false</c>).</summary>
    GruResetBefore,

    /// <summary>Vanilla RNN with tanh.</summary>
    Rnn,
}

/// <summary>Every declared model: four cell kinds times <see cref="Sizes"/>.</summary>
public static class ModelCatalog
{
    /// <summary>The seed every benchmark initializes its model with (PyTorch's default scheme).</summary>
    public const int Seed = 20261122;

    /// <summary>(input, hidden) pairs, each declared for every cell kind.</summary>
    public static readonly (int Input, int Hidden)[] Sizes = [(1, 16), (8, 32), (1, 32), (1, 64), (16, 64), (32, 128), (64, 256)];

    /// <summary>The kinds, in report order.</summary>
    public static readonly CellKind[] Kinds = [CellKind.Lstm, CellKind.Gru, CellKind.GruResetBefore, CellKind.Rnn];

    /// <summary>The sizes as BenchmarkDotNet parameter values, <c>"8x32"</c>.</summary>
    public static IEnumerable<string> SizeNames()
    {
        foreach ((int input, int hidden) in Sizes)
        {
            yield return FormatSize(input, hidden);
        }
    }

    /// <summary>Formats a size as a parameter value.</summary>
    public static string FormatSize(int input, int hidden) => string.Create(CultureInfo.InvariantCulture, $"{input}x{hidden}");

    /// <summary>Parses <c>"8x32"</c>.</summary>
    public static (int Input, int Hidden) ParseSize(string size)
    {
        ArgumentNullException.ThrowIfNull(size);
        string[] parts = size.Split('x');
        if (parts.Length != 2)
        {
            throw new ArgumentException($"Expected a size like 8x32, got '{size}'.", nameof(size));
        }

        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Gates per hidden unit: 4 for LSTM, 3 for GRU, 1 for RNN.</summary>
    public static int Gates(CellKind kind) => kind switch
    {
        CellKind.Lstm => 4,
        CellKind.Gru or CellKind.GruResetBefore => 3,
        _ => 1,
    };

    /// <summary>Multiply-add FLOPs of one step's matrix-vector products: 2·gates·H·(I+H).</summary>
    public static long FlopsPerStep(CellKind kind, int input, int hidden) => 2L * Gates(kind) * hidden * (input + hidden);

    /// <summary>Short lower-case name used on the command line and in tables.</summary>
    public static string ShortName(CellKind kind) => kind switch
    {
        CellKind.Lstm => "lstm",
        CellKind.Gru => "gru",
        CellKind.GruResetBefore => "gru-rb",
        _ => "rnn",
    };

    /// <summary>Parses <see cref="ShortName"/>.</summary>
    public static CellKind ParseKind(string name) => name.ToLowerInvariant() switch
    {
        "lstm" => CellKind.Lstm,
        "gru" => CellKind.Gru,
        "gru-rb" or "grurb" or "gru-reset-before" => CellKind.GruResetBefore,
        "rnn" => CellKind.Rnn,
        _ => throw new ArgumentException($"Unknown model kind '{name}': use lstm, gru, gru-rb or rnn.", nameof(name)),
    };

    /// <summary>Creates the declared model of that kind and size, initialized with PyTorch's scheme and <paramref name="seed"/>.</summary>
    public static FixedKernel Create(CellKind kind, int input, int hidden, int seed = Seed) => kind switch
    {
        CellKind.Lstm => LstmModels.Create(input, hidden, seed),
        CellKind.Gru => GruModels.Create(input, hidden, seed),
        CellKind.GruResetBefore => GruResetBeforeModels.Create(input, hidden, seed),
        CellKind.Rnn => RnnModels.Create(input, hidden, seed),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
