using System;
using System.Globalization;
using FixedRnn.Benchmarks.Kernels;
using FixedRnn.Benchmarks.Models;
using FixedRnn.Interop;

namespace FixedRnn.Benchmarks.Baselines;

/// <summary>
/// Checks that the baselines compute what FixedRnn computes, from the same weights (FixedRnn's own,
/// exported through <c>ToPyTorch</c>), so that the speedups compare equal work.
/// </summary>
public static class Verification
{
    /// <summary>The largest difference accepted between any two implementations' hidden states.</summary>
    public const float Tolerance = 1e-4f;

    private const int Steps = 24;

    /// <summary>Builds both baselines for <paramref name="kernel"/>'s weights and checks them; throws on a mismatch.</summary>
    /// <returns>The largest differences: naive vs FixedRnn, TensorPrimitives vs FixedRnn, Forward vs Step.</returns>
    public static (float Naive, float TensorPrimitives, float Forward) Check(FixedKernel kernel, out NaiveCell naive, out TensorPrimitivesCell tensorPrimitives)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        SafeTensorsFile weights = kernel.ExportPyTorch();
        naive = new NaiveCell(kernel.Kind, weights);
        tensorPrimitives = new TensorPrimitivesCell(kernel.Kind, weights);

        int input = kernel.InputSize;
        int hidden = kernel.HiddenSize;
        float[] inputs = new float[Steps * input];
        FixedKernel.FillUniform(inputs, 7);
        float[] stepOutputs = new float[Steps * hidden];
        float[] forwardOutputs = new float[Steps * hidden];
        kernel.RunSteps(inputs, stepOutputs);
        kernel.RunForward(inputs, forwardOutputs);

        float naiveError = 0, tensorError = 0, forwardError = 0;
        for (int t = 0; t < Steps; t++)
        {
            ReadOnlySpan<float> x = inputs.AsSpan(t * input, input);
            naive.Step(x);
            tensorPrimitives.Step(x);
            ReadOnlySpan<float> expected = stepOutputs.AsSpan(t * hidden, hidden);
            naiveError = MathF.Max(naiveError, MaxDifference(naive.Hidden, expected));
            tensorError = MathF.Max(tensorError, MaxDifference(tensorPrimitives.Hidden, expected));
            forwardError = MathF.Max(forwardError, MaxDifference(forwardOutputs.AsSpan(t * hidden, hidden), expected));
        }

        naive.Reset();
        tensorPrimitives.Reset();
        string name = $"{ModelCatalog.ShortName(kernel.Kind)} {input}->{hidden}";
        if (!(naiveError <= Tolerance && tensorError <= Tolerance && forwardError <= Tolerance))
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"{name}: the implementations disagree over {Steps} steps: naive {naiveError:G3}, TensorPrimitives {tensorError:G3}, Forward vs Step {forwardError:G3} (tolerance {Tolerance:G3})."));
        }

        return (naiveError, tensorError, forwardError);
    }

    /// <summary>Checks every declared model; prints one line per model.</summary>
    /// <returns>Whether all agree within <see cref="Tolerance"/>.</returns>
    public static bool RunAll(bool verbose)
    {
        bool ok = true;
        float worst = 0;
        foreach (CellKind kind in ModelCatalog.Kinds)
        {
            foreach ((int input, int hidden) in ModelCatalog.Sizes)
            {
                string name = $"{ModelCatalog.ShortName(kind)} {input}->{hidden}";
                try
                {
                    (float n, float tp, float fw) = Check(ModelCatalog.Create(kind, input, hidden), out _, out _);
                    worst = MathF.Max(worst, MathF.Max(n, MathF.Max(tp, fw)));
                    if (verbose)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-16} max |diff| vs FixedRnn Step over {Steps} steps: naive {n:E2}, TensorPrimitives {tp:E2}, Forward {fw:E2}"));
                    }
                }
                catch (InvalidOperationException ex)
                {
                    Console.Error.WriteLine("  MISMATCH " + ex.Message);
                    ok = false;
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Baseline check: {(ok ? $"all {ModelCatalog.Kinds.Length * ModelCatalog.Sizes.Length} models agree" : "FAILED")}; largest difference {worst:E2} (tolerance {Tolerance:E0})."));
        return ok;
    }

    private static float MaxDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            float d = MathF.Abs(a[i] - b[i]);
            max = float.IsNaN(d) ? float.PositiveInfinity : MathF.Max(max, d);
        }

        return max;
    }
}
