using System;
using FixedRnn.Benchmarks.Reporting;

namespace FixedRnn.Benchmarks.Peers;

[RecurrentModel(8)]
[Lstm(32, Bidirectional = true)]
public partial class BidirectionalLstm_8_32;

/// <summary>
/// <c>-- bidirectional [--steps 64] [--rounds 7]</c>: the sequence <c>Forward</c> of a bidirectional LSTM 8 → 32 (64
/// outputs per step), per step, against the one-directional LSTM 8 → 32 over the same steps, interleaved in rounds
/// (median of the rounds). Its PyTorch peer is <c>benchmarks/peers/pytorch_bidirectional.py</c>.
/// </summary>
internal static class BidirectionalCommand
{
    private const string Usage = "Usage: -- bidirectional [--steps 64] [--rounds 7]";

    public static int Run(ReadOnlySpan<string> args)
    {
        int steps = 64, rounds = 7;
        for (int i = 0; i < args.Length; i++)
        {
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], out int value) || args[i] is not ("--steps" or "--rounds"))
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }

            if (args[i] == "--steps")
            {
                steps = value;
            }
            else
            {
                rounds = value;
            }

            i++;
        }

        if (steps < 1 || rounds < 1)
        {
            Console.Error.WriteLine($"--steps and --rounds must be at least 1. {Usage}");
            return 2;
        }

        var bidirectional = new BidirectionalLstm_8_32();
        bidirectional.Initialize(InitializationScheme.PyTorch, seed: 1);
        var forward = new Models.Lstm_8_32();
        forward.Initialize(InitializationScheme.PyTorch, seed: 1);
        var inputs = new float[steps * 8];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = MathF.Sin(0.37f * i);
        }

        var bidirectionalOutputs = new float[steps * BidirectionalLstm_8_32.OutputSize];
        var forwardOutputs = new float[steps * Models.Lstm_8_32.OutputSize];
        Action bidirectionalTick = () =>
        {
            var state = default(BidirectionalLstm_8_32.State);
            bidirectional.Forward(inputs, ref state, bidirectionalOutputs);
        };
        Action forwardTick = () =>
        {
            var state = default(Models.Lstm_8_32.State);
            forward.Forward(inputs, ref state, forwardOutputs);
        };

        MachineInfo machine = MachineInfo.Read();
        Console.WriteLine($"CPU: {machine.CpuModel}, {machine.LogicalCores} logical cores; {machine.Runtime}; kernels: {KernelInfo.Describe()}");
        int bidirectionalTicks = TickTimer.Calibrate(bidirectionalTick, 200), forwardTicks = TickTimer.Calibrate(forwardTick, 200);
        double[] bidirectionalTimes = new double[rounds], forwardTimes = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            bidirectionalTimes[round] = TickTimer.NsPerTick(bidirectionalTick, bidirectionalTicks) / steps;
            forwardTimes[round] = TickTimer.NsPerTick(forwardTick, forwardTicks) / steps;
        }

        double both = TickTimer.Median(bidirectionalTimes), one = TickTimer.Median(forwardTimes);
        Console.WriteLine($"Forward over T = {steps}, ns per step, median of {rounds} interleaved rounds:");
        Console.WriteLine($"  bidirectional LSTM 8 -> 32 (2 x 32 outputs)  {both,8:F1}");
        Console.WriteLine($"  LSTM 8 -> 32 (one direction)                 {one,8:F1}");
        Console.WriteLine($"  ratio                                        {both / one,8:F2}x");
        return 0;
    }
}
