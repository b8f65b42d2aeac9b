using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using FixedRnn.Benchmarks.Kernels;
using FixedRnn.Benchmarks.Models;

namespace FixedRnn.Benchmarks;

/// <summary>
/// The parameters every per-model benchmark shares: each cell kind at each declared size, with the
/// model created once in the global setup.
/// </summary>
public abstract class ModelBenchmark
{
    [ParamsAllValues]
    public CellKind Kind { get; set; }

    [ParamsSource(nameof(Sizes))]
    public string Size { get; set; } = "8x32";

    protected FixedKernel Kernel { get; private set; } = null!;

    public static IEnumerable<string> Sizes() => ModelCatalog.SizeNames();

    [GlobalSetup]
    public virtual void Setup()
    {
        (int input, int hidden) = ModelCatalog.ParseSize(Size);
        Kernel = ModelCatalog.Create(Kind, input, hidden);
    }
}
