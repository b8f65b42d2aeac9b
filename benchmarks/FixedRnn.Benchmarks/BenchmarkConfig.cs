using System.IO;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;
using FixedRnn.Benchmarks.Reporting;
using Perfolizer.Horology;

namespace FixedRnn.Benchmarks;

/// <summary>The suite's BenchmarkDotNet configuration: the full run's job, or the CI smoke job.</summary>
public static class BenchmarkConfig
{
    /// <summary>
    /// The full run's job: each benchmark case in its own process, with tiered compilation off
    /// (<c>DOTNET_TieredCompilation=0</c>: every method is compiled once, fully optimized, before it first
    /// runs), and many short iterations (6 warm-up, 100 measured, 4 ms each). Without tiering no benchmark
    /// depends on the background JIT getting CPU time: on a loaded machine, TensorPrimitives' large generic
    /// methods otherwise stayed in unoptimized tier-0 code through a short run (10–15× slower), which
    /// would have flattered FixedRnn. The cost is dynamic PGO, which the straight-line kernels do not need. The suite reports the fastest iteration: on a shared machine an iteration short
    /// enough to fit in one scheduler time slice has a fair chance of running undisturbed, while a long one
    /// always averages in other processes' time. About 1 s per case (process start and JIT included), 150 cases. Pass
    /// <c>--job short|medium|long</c> (or <c>--iterationTime</c>, <c>--iterationCount</c>) to override.
    /// </summary>
    public static readonly Job Suite = Job.Default
        .WithId("Suite")
        .WithLaunchCount(1)
        .WithWarmupCount(6)
        .WithIterationCount(100)
        .WithIterationTime(TimeInterval.FromMilliseconds(4))
        .WithEnvironmentVariable("DOTNET_TieredCompilation", "0");

    /// <summary>The CI smoke job: in-process, one cold invocation per benchmark, to prove every benchmark still runs.</summary>
    public static readonly Job Ci = Job.Dry
        .WithId("CI")
        .WithToolchain(InProcessNoEmitToolchain.Instance);

    public static IConfig Create(bool ci)
    {
        IConfig config = DefaultConfig.Instance
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Min, StatisticColumn.Median, GflopsColumn.Instance)
            .WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared, MethodOrderPolicy.Declared))
            .AddJob(ci ? Ci : Suite.AsDefault())
            .WithBuildTimeout(System.TimeSpan.FromMinutes(15)); // the generated project rebuilds the generator and all models; slow on a loaded machine

        string? project = typeof(BenchmarkConfig).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ProjectDirectory")?.Value;
        if (project is not null && Directory.Exists(project))
        {
            config = ((ManualConfig)config).WithArtifactsPath(Path.Combine(project, "BenchmarkDotNet.Artifacts"));
        }

        return config;
    }
}
