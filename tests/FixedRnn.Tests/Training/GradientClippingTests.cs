using System;
using System.IO;
using FixedRnn.Interop;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary>Global-norm clipping against torch.nn.utils.clip_grad_norm_ (see Fixtures/make_training_references.py).</summary>
public sealed class GradientClippingTests
{
    private const double RelativeTolerance = 1e-6;
    private const double AbsoluteTolerance = 1e-7;

    private static readonly SafeTensorsFile References =
        SafeTensorsFile.Read(Fixture.PathOf("training_references.safetensors"));

    [Theory]
    [InlineData("clipped", 1f)]
    [InlineData("unclipped", 100f)]
    public void MatchesPyTorch(string name, float maxNorm)
    {
        float[] gradients = References.ReadSingles("clip_input");

        float norm = GradientClipping.ClipByGlobalNorm(gradients, maxNorm);

        ParityAssert.Close(References.ReadSingles($"clip_{name}_norm"), [norm], RelativeTolerance, AbsoluteTolerance, $"{name} norm");
        ParityAssert.Close(References.ReadSingles($"clip_{name}_output"), gradients, RelativeTolerance, AbsoluteTolerance, $"{name} gradients");
    }

    [Fact]
    public void ClippedNormIsJustBelowTheMaximum()
    {
        float[] gradients = References.ReadSingles("clip_input");

        float before = GradientClipping.ClipByGlobalNorm(gradients, 1f);
        float after = GradientClipping.ClipByGlobalNorm(gradients, 1f);

        Assert.True(before > 1f);
        Assert.InRange(after, 1f - 1e-5f, 1f);
    }

    [Fact]
    public void GradientsWithinTheLimitAreNotTouched()
    {
        float[] gradients = References.ReadSingles("clip_input");
        float[] original = (float[])gradients.Clone();

        GradientClipping.ClipByGlobalNorm(gradients, float.PositiveInfinity);
        GradientClipping.ClipByGlobalNorm(gradients, 100f);

        Assert.Equal(original, gradients);
    }

    [Fact]
    public void ZeroAndEmptyGradientsHaveZeroNorm()
    {
        var zeros = new float[5];
        Assert.Equal(0f, GradientClipping.ClipByGlobalNorm(zeros, 1f));
        Assert.Equal(new float[5], zeros);
        Assert.Equal(0f, GradientClipping.ClipByGlobalNorm(Span<float>.Empty, 1f));
    }

    [Fact]
    public void ZeroMaximumZeroesTheGradients()
    {
        float[] gradients = [3f, -4f];

        float norm = GradientClipping.ClipByGlobalNorm(gradients, 0f);

        Assert.Equal(5f, norm);
        Assert.Equal([0f, -0f], gradients);
    }

    [Fact]
    public void NonFiniteNormIsReturnedAndGradientsAreLeftAlone()
    {
        float[] gradients = [1f, float.NaN, 2f];
        Assert.True(float.IsNaN(GradientClipping.ClipByGlobalNorm(gradients, 1f)));
        Assert.Equal([1f, float.NaN, 2f], gradients);

        gradients = [1f, float.PositiveInfinity];
        Assert.Equal(float.PositiveInfinity, GradientClipping.ClipByGlobalNorm(gradients, 1f));
        Assert.Equal([1f, float.PositiveInfinity], gradients);
    }

    [Theory]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.NegativeInfinity)]
    public void RejectsInvalidMaximum(float maxNorm)
    {
        Assert.Throws<ArgumentOutOfRangeException>("maxNorm", () => GradientClipping.ClipByGlobalNorm(new float[2], maxNorm));
    }

    [Fact]
    public void AllocatesNothing()
    {
        float[] gradients = References.ReadSingles("clip_input");
        // The measured loop's shape once first: JIT tiering and on-stack replacement can allocate on this thread.
        for (int i = 0; i < 100; i++)
        {
            GradientClipping.ClipByGlobalNorm(gradients, 1f);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            GradientClipping.ClipByGlobalNorm(gradients, 0.5f);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
