using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using FixedRnn.Benchmarks.Reporting;
using FixedRnn.Training;

namespace FixedRnn.Benchmarks.Training;

/// <summary>
/// <c>training-epoch [--windows 4096] [--epochs 3] [--rounds 3] [--pytorch none]</c>: the lecture's Keras workflow,
/// one epoch at a time, in FixedRnn and in PyTorch 1.13 (benchmarks/peers/pytorch_training_epoch.py) in one run.
/// </summary>
/// <remarks>
/// <para>
/// The workload, identical on both sides: windows of 10 steps of <c>sin(0.1 t) + 0.5 sin(0.037 t)</c>, each predicting
/// the next value; LSTM(50) + Dense(1) on the last step; Adam (lr 1e-3, epsilon 1e-7); MSE; batches of 32 in order
/// (no shuffling, no validation), one optimizer step per batch. FixedRnn trains with
/// <see cref="BatchTrainer{TModel, TState, TTrace}.Fit"/> on one thread, as it always does; PyTorch with
/// <c>torch.set_num_threads(1)</c>, its default thread count, and one thread per logical core, each only once.
/// </para>
/// <para>
/// The rounds interleave the implementations (FixedRnn's epochs, then each PyTorch setting's), so load that comes
/// and goes on a shared machine falls on all of them. Each PyTorch run is its own process, with one untimed warm-up
/// epoch; FixedRnn warms up with one untimed epoch before the first round and runs with the runtime's default
/// settings (tiered compilation on). Each figure is the median and the minimum over every timed epoch.
/// </para>
/// </remarks>
public static class TrainingEpochCommand
{
    private const int Window = 10;
    private const int BatchSize = 32;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public const string Usage = "usage: training-epoch [--windows N] [--epochs E] [--rounds R] [--pytorch none]";

    /// <summary>
    /// FLOPs of one window, counting multiply-adds as 2: the forward LSTM's 2·4·H·(I + H) per step for 10 steps, and
    /// twice that for backward (the input-side and the weight gradients); the Dense head (on the last step) and
    /// the activations are left out.
    /// </summary>
    public const double FlopsPerWindow = 3.0 * Window * 2 * 4 * 50 * (1 + 50);

    public static int Run(ReadOnlySpan<string> args)
    {
        int windows = 4096, epochs = 3, rounds = 3;
        bool pytorch = true;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
            {
                Console.WriteLine(Usage);
                return 0;
            }

            if (i + 1 >= args.Length)
            {
                Console.Error.WriteLine($"'{name}' needs a value. {Usage}");
                return 2;
            }

            string value = args[++i];
            bool parsed = true;
            switch (name)
            {
                case "--windows": parsed = int.TryParse(value, Invariant, out windows) && windows >= BatchSize; break;
                case "--epochs": parsed = int.TryParse(value, Invariant, out epochs) && epochs >= 1; break;
                case "--rounds": parsed = int.TryParse(value, Invariant, out rounds) && rounds >= 1; break;
                case "--pytorch": parsed = value == "none"; pytorch = false; break;
                default:
                    Console.Error.WriteLine($"Unknown option '{name}'. {Usage}");
                    return 2;
            }

            if (!parsed)
            {
                Console.Error.WriteLine($"Bad value '{value}' for {name} (--windows at least {BatchSize}, --epochs and --rounds at least 1, --pytorch only 'none'). {Usage}");
                return 2;
            }
        }

        return Measure(windows, epochs, rounds, pytorch) ? 0 : 1;
    }

    /// <summary>Runs the comparison and prints it; false if a PyTorch run that was asked for failed.</summary>
    public static bool Measure(int windows, int epochs, int rounds, bool pytorch)
    {
        MachineInfo machine = MachineInfo.Read();
        string loadBefore = LoadAverage();
        Console.WriteLine($"training-epoch: {windows:N0} windows of {Window} steps → next value, LSTM(50) + Dense(1), Adam (lr 1e-3, eps 1e-7), MSE, batch {BatchSize}, no shuffle; {rounds} rounds of {epochs} timed epochs each");
        Console.WriteLine($"CPU: {machine.CpuModel}, {machine.LogicalCores} logical cores; {machine.Runtime}; load average before: {loadBefore}");

        (float[] inputs, float[] targets) = Data(windows);
        var model = new LectureLstm();
        model.Initialize(InitializationScheme.PyTorch, seed: 0);
        var trainer = new BatchTrainer<LectureLstm, LectureLstm.State, LectureLstm.Trace>(
            model, new Adam(LectureLstm.ParameterCount, learningRate: 1e-3f, epsilon: 1e-7f), Window, BatchSize);
        FixedRnnEpochs(trainer, inputs, targets, 1); // warm-up

        string? script = pytorch ? PeerScript() : null;
        var settings = new List<string>();
        int logical = Environment.ProcessorCount;
        if (script is not null)
        {
            settings.Add("1");
            settings.Add("default");
            if (logical > 1)
            {
                settings.Add(logical.ToString(Invariant));
            }
        }

        var fixedRnn = new List<double>();
        var torch = settings.ToDictionary(s => s, _ => new List<double>());
        var torchThreads = new Dictionary<string, int>();
        string torchVersion = "";
        float finalLoss = float.NaN;
        bool ok = true;
        for (int round = 1; round <= rounds; round++)
        {
            (List<double> seconds, finalLoss) = FixedRnnEpochs(trainer, inputs, targets, epochs);
            fixedRnn.AddRange(seconds);
            foreach (string setting in settings)
            {
                PeerRun? run = RunPeer(script!, windows, epochs, setting);
                if (run is null)
                {
                    ok = false;
                    continue;
                }

                torch[setting].AddRange(run.EpochSeconds);
                torchThreads[setting] = run.Threads;
                torchVersion = run.Torch;
            }

            Console.WriteLine($"  round {round}: FixedRnn {Ms(Median(fixedRnn.TakeLast(epochs)))} ms/epoch" +
                string.Concat(settings.Where(s => torch[s].Count > 0).Select(s => $", PyTorch {Label(s, torchThreads)} {Ms(Median(torch[s].TakeLast(epochs)))} ms")));
        }

        Console.WriteLine();
        double reference = Median(fixedRnn);
        Console.WriteLine("| implementation | threads | ms per epoch (median) | min | µs per window | GFLOP/s (est.) | median ÷ FixedRnn's |");
        Console.WriteLine("|---|---|--:|--:|--:|--:|--:|");
        Row("FixedRnn BatchTrainer.Fit", "1", fixedRnn);
        foreach (string setting in settings.Where(s => torch[s].Count > 0))
        {
            Row($"PyTorch {torchVersion}", Label(setting, torchThreads), torch[setting]);
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(Invariant, $"FixedRnn's last epoch loss {finalLoss:G6}; FLOPs per window estimated as 3 × the forward LSTM's 2·4·50·51 per step × 10 steps = {FlopsPerWindow:N0}."));
        Console.WriteLine($"Load average after: {LoadAverage()} (1, 5 and 15 minutes; the machine's other work runs meanwhile).");
        if (pytorch && script is null)
        {
            Console.WriteLine("PyTorch: skipped, /usr/bin/python3 cannot import torch (Debian: apt-get install python3-torch).");
        }

        return ok;

        void Row(string name, string threads, List<double> seconds)
        {
            double median = Median(seconds);
            Console.WriteLine(string.Create(Invariant,
                $"| {name} | {threads} | {Ms(median)} | {Ms(seconds.Min())} | {1e6 * median / windows:F1} | {FlopsPerWindow * windows / median / 1e9:F1} | {median / reference:F1}× |"));
        }
    }

    private static (List<double> Seconds, float FinalLoss) FixedRnnEpochs(
        BatchTrainer<LectureLstm, LectureLstm.State, LectureLstm.Trace> trainer, float[] inputs, float[] targets, int epochs)
    {
        var seconds = new List<double>(epochs);
        long last = Stopwatch.GetTimestamp();
        TrainingResult result = trainer.Fit(inputs, targets, new FitOptions
        {
            Epochs = epochs,
            BatchSize = BatchSize,
            Shuffle = false,
            OnEpoch = _ =>
            {
                long now = Stopwatch.GetTimestamp();
                seconds.Add(Stopwatch.GetElapsedTime(last, now).TotalSeconds);
                last = now;
            },
        });
        return (seconds, result.History[^1].TrainingLoss);
    }

    /// <summary>The series and its windows, computed as the PyTorch script computes them (in double, then rounded).</summary>
    private static (float[] Inputs, float[] Targets) Data(int windows)
    {
        var series = new float[windows + Window];
        for (int t = 0; t < series.Length; t++)
        {
            series[t] = (float)(Math.Sin(0.1 * t) + (0.5 * Math.Sin(0.037 * t)));
        }

        (float[] inputs, float[] targets) = SequenceWindows.Create(series, Window);
        return (inputs, targets[..windows]);
    }

    private sealed record PeerRun(int Threads, List<double> EpochSeconds, string Torch);

    private static PeerRun? RunPeer(string script, int windows, int epochs, string threads)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { script, "--windows", windows.ToString(Invariant), "--epochs", epochs.ToString(Invariant), "--threads", threads })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"PyTorch ({threads} threads) failed with exit code {process.ExitCode}: {error.Trim()}");
            return null;
        }

        using JsonDocument json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        JsonElement root = json.RootElement;
        return new PeerRun(
            root.GetProperty("threads").GetInt32(),
            root.GetProperty("epoch_seconds").EnumerateArray().Select(e => e.GetDouble()).ToList(),
            root.GetProperty("torch").GetString() ?? "");
    }

    /// <summary>benchmarks/peers/pytorch_training_epoch.py, if Debian's Python can import torch.</summary>
    private static string? PeerScript()
    {
        string? project = typeof(TrainingEpochCommand).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ProjectDirectory")?.Value;
        string? script = project is null ? null : Path.GetFullPath(Path.Combine(project, "..", "peers", "pytorch_training_epoch.py"));
        if (script is null || !File.Exists(script) || !File.Exists("/usr/bin/python3"))
        {
            return null;
        }

        using Process? check = Process.Start(new ProcessStartInfo("/usr/bin/python3", "-c \"import torch\"") { RedirectStandardError = true, UseShellExecute = false });
        check?.StandardError.ReadToEnd();
        check?.WaitForExit();
        return check is { ExitCode: 0 } ? script : null;
    }

    private static string Label(string setting, Dictionary<string, int> threads)
        => setting == "default" && threads.TryGetValue(setting, out int count) ? $"default ({count})" : setting;

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Ms(double seconds) => (1000 * seconds).ToString("F1", Invariant);

    private static string LoadAverage()
    {
        try
        {
            return string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
