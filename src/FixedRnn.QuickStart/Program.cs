// FixedRnn quick start: declare a model, load PyTorch weights, run it tick by tick.
//
//   dotnet run --project src/FixedRnn.QuickStart -c Release
//
// The weights and the reference outputs are the committed fixture lstm_8_32, written by PyTorch
// (tests/FixedRnn.Tests/Fixtures/make_fixtures.py): nn.LSTM(8, 32) in an nn.ModuleList.

using System;
using System.Diagnostics;
using System.IO;
using FixedRnn;
using FixedRnn.QuickStart;
using FixedRnn.Interop;

string fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
var model = new SensorLstm();
model.LoadPyTorch(Path.Combine(fixtures, "lstm_8_32.weights.safetensors"));

SafeTensorsFile io = SafeTensorsFile.Read(Path.Combine(fixtures, "lstm_8_32.io.safetensors"));
float[] inputs = io.ReadSingles("input");
float[] expected = io.ReadSingles("output");
int steps = inputs.Length / SensorLstm.InputSize;

// Tick by tick, as a game or trading loop would: one Step per new input, the state carried along.
var state = default(SensorLstm.State);
var output = new float[SensorLstm.OutputSize];
double worst = 0;
Console.WriteLine($"LSTM {SensorLstm.InputSize} → {SensorLstm.OutputSize}, {steps} steps of PyTorch's inputs:");
Console.WriteLine("  step   h[0] FixedRnn   h[0] PyTorch");
for (int t = 0; t < steps; t++)
{
    model.Step(inputs.AsSpan(t * SensorLstm.InputSize, SensorLstm.InputSize), ref state, output);
    for (int j = 0; j < SensorLstm.OutputSize; j++)
    {
        worst = Math.Max(worst, Math.Abs(output[j] - expected[(t * SensorLstm.OutputSize) + j]));
    }

    if (t < 5 || t == steps - 1)
    {
        Console.WriteLine($"  {t,4}   {output[0],13:F7}   {expected[t * SensorLstm.OutputSize],12:F7}");
    }
}

Console.WriteLine($"Max |FixedRnn − PyTorch| over all {steps * SensorLstm.OutputSize} outputs: {worst:E2}");

// A rough per-step time; benchmarks/ holds the careful measurements.
const int TimedSteps = 500_000;
var tick = new float[SensorLstm.InputSize];
state = default;
long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
long started = Stopwatch.GetTimestamp();
for (int t = 0; t < TimedSteps; t++)
{
    tick[t & 7] = MathF.Sin(t * 0.01f);
    model.Step(tick, ref state, output);
}

TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
Console.WriteLine($"Step: {elapsed.TotalNanoseconds / TimedSteps:F0} ns per step over {TimedSteps:N0} steps, {allocated} bytes allocated.");

// Which kernels ran: fixed by the JIT (or, under NativeAOT, by the instruction set the binary was compiled for).
Console.WriteLine($"Kernels: {KernelInfo.Describe()}.");

namespace FixedRnn.QuickStart
{
    /// <summary>Eight sensor channels in, 32 hidden features out: PyTorch's nn.LSTM(8, 32).</summary>
    [RecurrentModel(inputSize: 8)]
    [Lstm(32)]
    public partial class SensorLstm;
}
