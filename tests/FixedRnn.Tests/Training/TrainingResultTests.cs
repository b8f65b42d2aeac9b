using System;
using System.Globalization;
using System.Linq;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary><c>Console.WriteLine(result)</c> after <c>Fit</c> says what a person wants to know.</summary>
public sealed class TrainingResultTests
{
    [Fact]
    public void EarlyStopNamesTheBestAndTheLastEpoch()
    {
        var result = new TrainingResult(
        [
            new EpochReport(1, 50, 0.5f, 0.25f, 1e-3f, IsBest: true),
            new EpochReport(2, 50, 0.125f, 0.0625f, 1e-3f, IsBest: true),
            new EpochReport(3, 50, 0.1f, 0.07f, 1e-3f, IsBest: false),
            new EpochReport(4, 50, 0.01234567f, 0.0812f, 1e-3f, IsBest: false),
        ], BestEpoch: 2, StoppedEarly: true);

        Assert.Equal(
            "4 of 50 epochs, stopped early; best epoch 2 (parameters kept): training loss 0.125, validation loss 0.0625; last epoch 4: training loss 0.01235, validation loss 0.0812",
            result.ToString());
    }

    [Fact]
    public void WithoutValidationTheLastEpochIsKeptAndNoNaNIsShown()
    {
        var result = new TrainingResult(
        [
            new EpochReport(1, 2, 0.75f, float.NaN, 1e-2f, IsBest: true),
            new EpochReport(2, 2, 1.5e-5f, float.NaN, 1e-2f, IsBest: true),
        ], BestEpoch: 2, StoppedEarly: false);

        Assert.Equal("2 of 2 epochs; best epoch 2 (parameters kept): training loss 1.5E-05", result.ToString());
    }

    [Fact]
    public void NoFiniteValidationLossSaysTheParametersAreTheInitialOnes()
    {
        var result = new TrainingResult([new EpochReport(1, 3, float.NaN, float.NaN, 1e-2f, IsBest: false)], BestEpoch: 0, StoppedEarly: false);

        Assert.Equal(
            "1 of 3 epochs; no epoch had a finite validation loss, so the parameters are those from before training; last epoch 1: training loss NaN, validation loss NaN",
            result.ToString());
    }

    [Fact]
    public void NumbersDoNotDependOnTheCurrentCulture()
    {
        var result = new TrainingResult([new EpochReport(1, 1, 0.5f, 0.25f, 1e-3f, IsBest: true)], BestEpoch: 1, StoppedEarly: false);
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            // A decimal comma, as in de-DE, without depending on the machine's ICU data.
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            CultureInfo.CurrentCulture = comma;
            Assert.Equal("1 of 1 epochs; best epoch 1 (parameters kept): training loss 0.5, validation loss 0.25", result.ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void FitsResultPrintsItsOwnHistory()
    {
        var model = new NextValueGru();
        model.Initialize(InitializationScheme.PyTorch, seed: 11);
        var random = new Random(12);
        float[] series = Enumerable.Range(0, 121).Select(t => (float)(Math.Sin(t * 0.3) + (0.1 * (random.NextDouble() - 0.5)))).ToArray();
        var trainer = new SequenceTrainer<NextValueGru, NextValueGru.State, NextValueGru.Trace>(model, new Adam(model.Parameters.Length, learningRate: 0.01f), maxWindowLength: 20);

        TrainingResult result = trainer.Fit(series.AsSpan(0, 120), series.AsSpan(1), new TrainerOptions { Epochs = 6, WindowLength = 20, ValidationFraction = 0.25f });

        EpochReport best = result.History[result.BestEpoch - 1];
        string expected = string.Create(CultureInfo.InvariantCulture, $"6 of 6 epochs; best epoch {result.BestEpoch} (parameters kept): training loss {best.TrainingLoss:G4}, validation loss {best.ValidationLoss:G4}");
        Assert.StartsWith(expected, result.ToString());
        Assert.DoesNotContain("System.Collections", result.ToString());
    }
}
