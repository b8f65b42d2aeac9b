using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Writes a model's generated files, one per concern: inference (constants, <c>State</c>, <c>Step</c>,
/// <c>Forward</c> and their kernels), training (<c>Trace</c>, <c>Backward</c> and its kernels) and interop
/// (loading, export, initialization).
/// </summary>
internal static class ModelEmitter
{
    public static IEnumerable<(string HintName, string Source)> Emit(ModelPlan plan)
    {
        yield return ($"{plan.HintStem}.g.cs", InferenceEmitter.Emit(plan));
        yield return ($"{plan.HintStem}.Training.g.cs", TrainingEmitter.Emit(plan));
        yield return ($"{plan.HintStem}.Interop.g.cs", InteropEmitter.Emit(plan));
    }

    /// <summary>
    /// Chooses the widest block the JIT accelerates; the checks are JIT-time constants, so each caller compiles to
    /// one direct call. <paramref name="callFormat"/> has <c>{0}</c> where the block type goes.
    /// </summary>
    public static void Dispatch(SourceWriter writer, string callFormat)
    {
        using (writer.Block("if (Vector256.IsHardwareAccelerated)"))
        {
            writer.Line(string.Format(System.Globalization.CultureInfo.InvariantCulture, callFormat, "FloatBlock256"));
        }

        using (writer.Block("else if (Vector128.IsHardwareAccelerated)"))
        {
            writer.Line(string.Format(System.Globalization.CultureInfo.InvariantCulture, callFormat, "FloatBlock128"));
        }

        using (writer.Block("else"))
        {
            writer.Line(string.Format(System.Globalization.CultureInfo.InvariantCulture, callFormat, "FloatBlockScalar"));
        }
    }

    /// <summary>The model's layers for its XML docs, one item each with its equations.</summary>
    public static void ModelDocs(SourceWriter writer, ModelPlan plan)
    {
        writer.Line("/// <remarks>");
        writer.Line($"/// FixedRnn model, {plan.InputSize} inputs → {plan.OutputSize} outputs per time step. Layers, applied in order:");
        writer.Line("/// <list type=\"number\">");
        foreach (LayerPlan layer in plan.Layers)
        {
            writer.Line($"/// <item><description>{layer.Describe()}: {layer.Cell.Equations}</description></item>");
        }

        writer.Line("/// </list>");
        writer.Line("/// σ is the logistic sigmoid and * the element-wise product.");
        writer.Line("/// </remarks>");
    }

    /// <summary>Whether any layer keeps a cell state, so the model implements <c>ICellStateModel</c>.</summary>
    public static bool HasCellState(ModelPlan plan) => plan.Layers.Any(layer => layer.StateVectors.Any(vector => vector.Name == CellStateVector));

    /// <summary>The state vector <c>GetCellState</c> returns: an LSTM's c.</summary>
    public const string CellStateVector = "Cell";
}
