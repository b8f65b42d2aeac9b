using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace FixedRnn.Training;

/// <summary>The outcome of <see cref="SequenceTrainer{TModel, TState, TTrace}.Fit"/> and <see cref="BatchTrainer{TModel, TState, TTrace}.Fit"/>.</summary>
/// <param name="History">One report per epoch run.</param>
/// <param name="BestEpoch">
/// The epoch whose parameters the model holds at the end (the last one without validation); 0 when no
/// epoch had a finite validation loss, in which case the parameters are those from before training.
/// </param>
/// <param name="StoppedEarly">Whether early stopping ended training before the planned epochs.</param>
public sealed record TrainingResult(IReadOnlyList<EpochReport> History, int BestEpoch, bool StoppedEarly)
{
    /// <summary>
    /// One line for a log or a console: how many of the planned epochs ran, whether early stopping ended
    /// them, the losses of the epoch whose parameters were kept and of the last epoch, for example
    /// <c>23 of 50 epochs, stopped early; best epoch 18 (parameters kept): training loss 0.01234,
    /// validation loss 0.0145; last epoch 23: training loss 0.0111, validation loss 0.0161</c>.
    /// Numbers are formatted with the invariant culture and four significant digits.
    /// </summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        if (History is null || History.Count == 0)
        {
            return "no epochs trained";
        }

        EpochReport last = History[^1];
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{History.Count} of {last.Epochs} epochs");
        if (StoppedEarly)
        {
            text.Append(", stopped early");
        }

        if (BestEpoch >= 1 && BestEpoch <= History.Count)
        {
            text.Append(CultureInfo.InvariantCulture, $"; best epoch {BestEpoch} (parameters kept): ");
            AppendLosses(text, History[BestEpoch - 1]);
        }
        else
        {
            text.Append("; no epoch had a finite validation loss, so the parameters are those from before training");
        }

        if (BestEpoch != last.Epoch)
        {
            text.Append(CultureInfo.InvariantCulture, $"; last epoch {last.Epoch}: ");
            AppendLosses(text, last);
        }

        return text.ToString();
    }

    private static void AppendLosses(StringBuilder text, EpochReport report)
    {
        text.Append(CultureInfo.InvariantCulture, $"training loss {report.TrainingLoss:G4}");

        // Without a validation part every epoch is the best one and its validation loss is NaN, which
        // would only be noise; a NaN from a validation part that exists is shown.
        if (!float.IsNaN(report.ValidationLoss) || !report.IsBest)
        {
            text.Append(CultureInfo.InvariantCulture, $", validation loss {report.ValidationLoss:G4}");
        }
    }
}
