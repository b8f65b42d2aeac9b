using System;
using System.Collections.Generic;
using System.Globalization;
using FixedRnn.Interop;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Tests;

/// <summary>
/// Backward against central finite differences of the float32 Forward, independent of PyTorch: random
/// weights U(−0.5, 0.5) (loaded through <c>LoadPyTorch</c>, so the packing's padding stays zero), random
/// inputs U(−1, 1) over 8 steps, a random initial state, and <c>L = Σ outputs · G</c> with G U(−1, 1),
/// accumulated in double from the float outputs.
/// </summary>
/// <remarks>
/// <para>
/// Checked: a seeded sample of 60 non-padding parameters spread over every PyTorch tensor, every input,
/// and every entry of the initial state (each recurrent layer's h, each LSTM layer's c, both directions' of a bidirectional layer), each against
/// <c>|fd − analytic| ≤ 2e-3 · max(0.05, |analytic|)</c> with h = 1e-2.
/// </para>
/// <para>
/// Error budget. Truncation: h²/6 · |L'''| ≈ 2e-5 · |L'''|, relative to the gradient's own size, which
/// the 2e-3 relative term covers (worst seen 3e-5 relative). Rounding: each float32 output carries
/// ≈ 6e-8 relative error, so L carries ≈ 6e-8 · Σ|outputs · G| ≈ 4e-7 and the difference, divided by
/// 2h, ≈ 2e-5 absolute whatever the gradient's size (worst seen 1.1e-5). The absolute floor
/// 2e-3 · 0.05 = 1e-4 sits 5–10× above that. It is lower than the 2e-3 a floor of max(1, |analytic|)
/// would give because the five-layer stack's gradients are small (inputs ≈ 2e-4, parameters ≈ 1e-3
/// typical): under a 2e-3 floor a sign error in any input gradient of that stack would pass unnoticed.
/// </para>
/// <para>
/// The perturbation actually applied is <c>(float)(v + h) − (float)(v − h)</c>, which the difference is
/// divided by, so the rounding of the perturbed value adds no error. Where a ReLU unit changes side
/// (active or not, at any step) between the two perturbed runs and the unperturbed one, L has a kink
/// inside [v − h, v + h] and the central difference is no derivative estimate at all (one such kink
/// gave a 7 % error at h = 1e-2 and 35 % at 2e-2); those entries are skipped, counted, and may be at
/// most a tenth of the checks.
/// </para>
/// </remarks>
public sealed class FiniteDifferenceTests(ITestOutputHelper output)
{
    private const float H = 1e-2f;
    private const double Relative = 2e-3;
    private const double Floor = 0.05;
    private const int Steps = 8;
    private const int SampledParameters = 60;

    [Fact]
    public void ResetBeforeGruWithTanhHead()
        => Check<SmallResetBeforeGru, SmallResetBeforeGru.State, SmallResetBeforeGru.Trace>(seed: 20_251_122, reluLayers: []);

    [Fact]
    public void PeepholeLstmStack()
        => Check<SmallPeepholeLstmStack, SmallPeepholeLstmStack.State, SmallPeepholeLstmStack.Trace>(seed: 15_015, reluLayers: []);

    [Fact]
    public void ProjectedLstmStack()
        => Check<SmallProjectedLstmStack, SmallProjectedLstmStack.State, SmallProjectedLstmStack.Trace>(seed: 15_020, reluLayers: []);

    [Fact]
    public void EveryKindStacked()
        => Check<SmallEveryKindStack, SmallEveryKindStack.State, SmallEveryKindStack.Trace>(seed: 7_013, reluLayers: [0]);

    /// <summary>Every merge mode and both GRU forms, bidirectional, stacked: both directions' initial states are checked too.</summary>
    [Fact]
    public void BidirectionalStack()
        => Check<SmallBidirectionalStack, SmallBidirectionalStack.State, SmallBidirectionalStack.Trace>(seed: 15_025, reluLayers: []);

    private void Check<TModel, TState, TTrace>(int seed, int[] reluLayers)
        where TModel : ISequenceTrainableModel<TState, TTrace>, new()
        where TState : struct
        where TTrace : class
    {
        var random = new Random(seed);
        var model = new TModel();
        RandomStateDict.Load<TModel, TState, TTrace>(model, random, 0.5f);
        float[] inputs = Uniform(random, Steps * model.InputSize, 1f);
        float[] g = Uniform(random, Steps * model.OutputSize, 1f);
        var initial = default(TState);
        IReadOnlyList<StateVector<TState>> vectors = StateVector<TState>.All();
        foreach (StateVector<TState> vector in vectors)
        {
            Fill(vector.Of(ref initial), random, 0.5f);
        }

        // Analytic gradients.
        TTrace trace = model.CreateTrace(Steps);
        var outputs = new float[Steps * model.OutputSize];
        TState state = initial;
        model.Forward(inputs, ref state, outputs, trace);
        var parameterGradients = new float[model.Parameters.Length];
        var inputGradients = new float[inputs.Length];
        var stateGradient = default(TState);
        model.Backward(trace, g, parameterGradients, inputGradients, ref stateGradient);

        var probe = new Probe<TState>(model, inputs, g, reluLayers, initial);
        var failures = new List<string>();

        // Parameters: a seeded sample spread over every PyTorch tensor, among the non-padding entries.
        Span<float> parameters = model.Parameters;
        int[] sample = SampleParameters<TModel, TState, TTrace>(model, random, out int padding);
        var parameterCheck = new Worst("parameters");
        foreach (int index in sample)
        {
            float value = parameters[index];
            float up = value + H;
            float down = value - H;
            parameters[index] = up;
            (double lossUp, bool[] patternUp) = probe.Evaluate(initial);
            parameters[index] = down;
            (double lossDown, bool[] patternDown) = probe.Evaluate(initial);
            parameters[index] = value;
            parameterCheck.Add($"parameter[{index}]", probe.Difference(lossUp, patternUp, lossDown, patternDown, (double)up - down), parameterGradients[index], failures);
        }

        // Padding receives no gradient (nothing in the model reads it), so optimizers leave it zero.
        for (int index = 0; index < parameters.Length; index++)
        {
            if (parameters[index] == 0 && parameterGradients[index] != 0)
            {
                failures.Add($"padding parameter[{index}] has gradient {parameterGradients[index]:R}");
            }
        }

        // Every input.
        var inputCheck = new Worst("inputs");
        for (int index = 0; index < inputs.Length; index++)
        {
            float value = inputs[index];
            float up = value + H;
            float down = value - H;
            inputs[index] = up;
            (double lossUp, bool[] patternUp) = probe.Evaluate(initial);
            inputs[index] = down;
            (double lossDown, bool[] patternDown) = probe.Evaluate(initial);
            inputs[index] = value;
            string what = $"input[{index / model.InputSize}][{index % model.InputSize}]";
            inputCheck.Add(what, probe.Difference(lossUp, patternUp, lossDown, patternDown, (double)up - down), inputGradients[index], failures);
        }

        // Every entry of the initial state: each recurrent layer's h, each LSTM layer's c, and a bidirectional layer's
        // reverse direction's, which Forward starts from without changing them.
        var stateCheck = new Worst("initial state");
        foreach (StateVector<TState> vector in vectors)
        {
            CheckState(probe, initial, vector, vector.Of(ref stateGradient), stateCheck, failures);
        }

        output.WriteLine($"{typeof(TModel).Name} ({SimdPath.Describe()}), h = {H}, {sample.Length} sampled of {parameters.Length - padding} parameters ({padding} padding):");
        output.WriteLine(parameterCheck.ToString());
        output.WriteLine(inputCheck.ToString());
        output.WriteLine(stateCheck.ToString());
        Assert.True(failures.Count == 0, $"{failures.Count} gradient(s) disagree with central differences:\n{string.Join('\n', failures.GetRange(0, Math.Min(failures.Count, 20)))}");
        foreach (Worst check in new[] { parameterCheck, inputCheck, stateCheck })
        {
            Assert.True(check.Skipped * 10 <= check.Count, $"{check}: too many entries straddle a ReLU kink for the check to mean much.");
        }
    }

    private static void CheckState<TState>(Probe<TState> probe, TState initial, StateVector<TState> vector, Span<float> analytic, Worst worst, List<string> failures)
        where TState : struct
    {
        for (int unit = 0; unit < analytic.Length; unit++)
        {
            TState up = initial;
            TState down = initial;
            Span<float> upVector = vector.Of(ref up);
            Span<float> downVector = vector.Of(ref down);
            upVector[unit] += H;
            downVector[unit] -= H;
            double delta = (double)upVector[unit] - downVector[unit];
            (double lossUp, bool[] patternUp) = probe.Evaluate(up);
            (double lossDown, bool[] patternDown) = probe.Evaluate(down);
            worst.Add($"initial {vector.Name}[{unit}]", probe.Difference(lossUp, patternUp, lossDown, patternDown, delta), analytic[unit], failures);
        }
    }

    /// <summary>
    /// Up to <see cref="SampledParameters"/> distinct non-padding indices, taken round-robin over the
    /// model's PyTorch tensors so that every weight and bias tensor of every layer is represented. Which
    /// packed index feeds which tensor element comes from exporting the indices themselves, and must
    /// cover exactly the entries that are non-zero after loading random weights.
    /// </summary>
    private static int[] SampleParameters<TModel, TState, TTrace>(TModel model, Random random, out int padding)
        where TModel : ISequenceTrainableModel<TState, TTrace>, new()
        where TState : struct
        where TTrace : class
    {
        Span<float> parameters = model.Parameters;
        var nonPadding = new HashSet<int>();
        for (int i = 0; i < parameters.Length; i++)
        {
            if (parameters[i] != 0)
            {
                nonPadding.Add(i);
            }
        }

        padding = parameters.Length - nonPadding.Count;

        // Exported, packed entry i reads i + 1 (exact in float below 2^24); a folded bias's bias_hh exports zeros.
        var ids = new float[parameters.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = i + 1;
        }

        SafeTensorsFile exported = SafeTensorsFile.Parse(TModel.ToPyTorch(ids, PyTorchModuleNames.ModuleList(model.LayerCount)).ToArray());
        var perTensor = new List<List<int>>();
        var mapped = new HashSet<int>();
        foreach (SafeTensorInfo info in exported.Tensors)
        {
            var indices = new List<int>();
            foreach (float id in exported.ReadSingles(info.Name))
            {
                if (id != 0)
                {
                    int index = (int)id - 1;
                    Assert.True(nonPadding.Contains(index), $"{info.Name} exports packed entry {index}, which holds no loaded weight.");
                    Assert.True(mapped.Add(index), $"Packed entry {index} is exported twice.");
                    indices.Add(index);
                }
            }

            if (indices.Count > 0)
            {
                perTensor.Add(indices);
            }
        }

        Assert.Equal(nonPadding.Count, mapped.Count);

        var sample = new List<int>();
        while (sample.Count < SampledParameters && perTensor.Exists(list => list.Count > 0))
        {
            foreach (List<int> indices in perTensor)
            {
                if (indices.Count > 0 && sample.Count < SampledParameters)
                {
                    int pick = random.Next(indices.Count);
                    sample.Add(indices[pick]);
                    indices.RemoveAt(pick);
                }
            }
        }

        return sample.ToArray();
    }

    private static float[] Uniform(Random random, int count, float bound)
    {
        var values = new float[count];
        Fill(values, random, bound);
        return values;
    }

    private static void Fill(Span<float> destination, Random random, float bound)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)(((2 * random.NextDouble()) - 1) * bound);
        }
    }

    /// <summary>Evaluates L for the model's current parameters and inputs, and the ReLU layers' activity.</summary>
    private sealed class Probe<TState>
        where TState : struct
    {
        private readonly ISequenceModel<TState> _model;
        private readonly float[] _inputs;
        private readonly float[] _g;
        private readonly int[] _reluLayers;
        private readonly bool[] _baseline;

        public Probe(ISequenceModel<TState> model, float[] inputs, float[] g, int[] reluLayers, TState initial)
        {
            _model = model;
            _inputs = inputs;
            _g = g;
            _reluLayers = reluLayers;
            _baseline = Evaluate(initial).Pattern;
        }

        /// <summary>
        /// L = Σ outputs · G in double from a float32 <c>Forward</c> starting at <paramref name="initial"/>,
        /// and which units of the ReLU layers are active at each step (from <c>Step</c>, which computes the
        /// same thing one step at a time).
        /// </summary>
        public (double Loss, bool[] Pattern) Evaluate(TState initial)
        {
            var outputs = new float[_g.Length];
            TState state = initial;
            _model.Forward(_inputs, ref state, outputs);
            double loss = 0;
            for (int i = 0; i < outputs.Length; i++)
            {
                loss += (double)outputs[i] * _g[i];
            }

            var pattern = new List<bool>();
            if (_reluLayers.Length > 0)
            {
                int inputSize = _model.InputSize;
                var output = new float[_model.OutputSize];
                state = initial;
                for (int step = 0; step < Steps; step++)
                {
                    ((IRecurrentModel<TState>)_model).Step(_inputs.AsSpan(step * inputSize, inputSize), ref state, output);
                    foreach (int layer in _reluLayers)
                    {
                        foreach (float h in _model.GetHiddenState(ref state, layer))
                        {
                            pattern.Add(h > 0);
                        }
                    }
                }
            }

            return (loss, pattern.ToArray());
        }

        /// <summary>The central difference, or NaN when a ReLU unit changes side within ±h (L has a kink there).</summary>
        public double Difference(double lossUp, bool[] patternUp, double lossDown, bool[] patternDown, double delta)
            => patternUp.AsSpan().SequenceEqual(_baseline) && patternDown.AsSpan().SequenceEqual(_baseline)
                ? (lossUp - lossDown) / delta
                : double.NaN;
    }

    /// <summary>The worst disagreement of one group of checks, absolute and as a fraction of the allowed error.</summary>
    private sealed class Worst(string group)
    {
        private double _absolute;
        private double _ratio;
        private string _where = "none";

        public int Count { get; private set; }

        public int Skipped { get; private set; }

        public void Add(string what, double finiteDifference, float analytic, List<string> failures)
        {
            Count++;
            if (double.IsNaN(finiteDifference))
            {
                Skipped++;
                return;
            }

            double error = Math.Abs(finiteDifference - analytic);
            double allowed = Relative * Math.Max(Floor, Math.Abs(analytic));
            _absolute = Math.Max(_absolute, error);
            if (error / allowed >= _ratio)
            {
                _ratio = error / allowed;
                _where = string.Create(CultureInfo.InvariantCulture, $"{what}: fd {finiteDifference:E4}, analytic {analytic:E4}");
            }

            if (!(error <= allowed))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{group} {what}: finite difference {finiteDifference:E6}, Backward {analytic:E6}, |error| {error:E2} > {allowed:E2}"));
            }
        }

        public override string ToString()
            => string.Create(CultureInfo.InvariantCulture, $"  {group}: {Count - Skipped} checked ({Skipped} skipped at a ReLU kink), worst |fd − analytic| {_absolute:E2}, worst error/allowed {_ratio:F3} ({_where})");
    }
}
