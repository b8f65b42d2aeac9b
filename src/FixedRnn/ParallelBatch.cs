using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace FixedRnn;

/// <summary>
/// Advances one batch of streams on several cores: the streams are cut into as many contiguous ranges as there are
/// workers (sizes differing by at most one), and each range runs the model's batched <c>Step</c> or <c>Forward</c>
/// on its own core, all reading the one read-only copy of the weights. The calling thread works the first range;
/// <c>workers - 1</c> dedicated background threads, started once here, work the others. Each stream's results are
/// bitwise those of a one-core call (streams never interact), and a call allocates nothing.
/// </summary>
/// <remarks>
/// One call at a time: a <see cref="ParallelBatch{TModel, TState}"/> is not for concurrent callers. The model's
/// parameters must not change during a call. Between calls the workers sleep on an event, so an idle instance
/// costs no CPU; the wake-up (a semaphore per worker) costs a few microseconds, which pays off for batches whose step takes tens of microseconds
/// or more (for example 256 streams of an LSTM 32 → 128), not for a handful of small streams.
/// </remarks>
/// <typeparam name="TModel">The generated model type.</typeparam>
/// <typeparam name="TState">The model's <c>State</c>.</typeparam>
public sealed unsafe class ParallelBatch<TModel, TState> : IDisposable
    where TModel : IRecurrentModel<TState>
    where TState : unmanaged
{
    private readonly TModel _model;
    private readonly Thread[] _threads;
    // SemaphoreSlim creates its lock in its constructor and a synchronous Wait allocates nothing, so neither does a call.
    private readonly SemaphoreSlim[] _start;
    private readonly SemaphoreSlim _done = new(0);

    // The current call, read by the workers between its start and its end (the caller pins the spans meanwhile).
    private float* _inputs;
    private TState* _states;
    private float* _outputs;
    private int _streams;
    private int _steps;
    private bool _forward;
    private volatile bool _disposed;
    private ExceptionDispatchInfo? _failure;

    /// <summary>Starts <paramref name="workers"/> − 1 background threads for <paramref name="model"/>.</summary>
    /// <param name="model">The model whose weights every worker reads.</param>
    /// <param name="workers">Ranges per call, the calling thread's included: usually the cores to use. At least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is less than 1.</exception>
    public ParallelBatch(TModel model, int workers)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _model = model;
        Workers = workers;
        _threads = new Thread[workers - 1];
        _start = new SemaphoreSlim[workers - 1];
        for (int worker = 0; worker < _threads.Length; worker++)
        {
            _start[worker] = new SemaphoreSlim(0);
            int range = worker + 1;
            _threads[worker] = new Thread(() => Work(range)) { IsBackground = true, Name = $"FixedRnn batch worker {range}" };
            _threads[worker].Start();
        }
    }

    /// <summary>Ranges per call, the calling thread's included.</summary>
    public int Workers { get; }

    /// <summary>
    /// Like the model's batched <c>Step(inputs, states, outputs)</c>: B = <paramref name="states"/>.Length streams one
    /// step each, <c>[B, InputSize]</c> to <c>[B, OutputSize]</c>, the ranges on <see cref="Workers"/> cores.
    /// </summary>
    /// <param name="inputs">One row of features per stream.</param>
    /// <param name="states">The streams' states.</param>
    /// <param name="outputs">Receives one row of outputs per stream.</param>
    /// <exception cref="ArgumentException">A span has the wrong length; nothing was read or written.</exception>
    public void Step(ReadOnlySpan<float> inputs, Span<TState> states, Span<float> outputs)
    {
        CheckLength(inputs.Length, (long)states.Length * _model.InputSize, nameof(inputs));
        CheckLength(outputs.Length, (long)states.Length * _model.OutputSize, nameof(outputs));
        Run(inputs, states, outputs, steps: 1, forward: false);
    }

    /// <summary>
    /// Like the model's batched <c>Forward(inputs, states, outputs)</c>: B = <paramref name="states"/>.Length sequences of
    /// T steps, <c>[B, T, InputSize]</c> to <c>[B, T, OutputSize]</c>, T inferred, the ranges on <see cref="Workers"/> cores.
    /// </summary>
    /// <param name="inputs">B sequences of T steps of features.</param>
    /// <param name="states">The streams' states.</param>
    /// <param name="outputs">Receives B sequences of T steps of outputs.</param>
    /// <exception cref="ArgumentException">A span's length does not fit; nothing was read or written.</exception>
    public void Forward(ReadOnlySpan<float> inputs, Span<TState> states, Span<float> outputs)
    {
        if (states.IsEmpty)
        {
            CheckLength(inputs.Length, 0, nameof(inputs));
            CheckLength(outputs.Length, 0, nameof(outputs));
            return;
        }

        long row = (long)states.Length * _model.InputSize;
        if (inputs.Length % row != 0)
        {
            throw new ArgumentException($"Expected {states.Length} sequences of whole steps of {_model.InputSize} features (a multiple of {row} floats), got {inputs.Length}.", nameof(inputs));
        }

        int steps = (int)(inputs.Length / row);
        CheckLength(outputs.Length, (long)states.Length * steps * _model.OutputSize, nameof(outputs));
        Run(inputs, states, outputs, steps, forward: true);
    }

    /// <summary>Stops the background threads once they finish; the instance cannot be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (SemaphoreSlim start in _start)
        {
            start.Release();
        }

        foreach (Thread thread in _threads)
        {
            thread.Join();
        }

        foreach (SemaphoreSlim start in _start)
        {
            start.Dispose();
        }

        _done.Dispose();
    }

    private static void CheckLength(int actual, long expected, string parameter)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"Expected {expected} floats, got {actual}.", parameter);
        }
    }

    private void Run(ReadOnlySpan<float> inputs, Span<TState> states, Span<float> outputs, int steps, bool forward)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (states.IsEmpty || steps == 0)
        {
            return;
        }

        fixed (float* input = inputs)
        fixed (TState* state = states)
        fixed (float* output = outputs)
        {
            _inputs = input;
            _states = state;
            _outputs = output;
            _streams = states.Length;
            _steps = steps;
            _forward = forward;
            _failure = null;

            // Only ranges that hold a stream are woken; Release publishes the fields above to the worker.
            int ranges = Math.Min(Workers, _streams);
            for (int range = 1; range < ranges; range++)
            {
                _start[range - 1].Release();
            }

            RunRange(0, ranges);
            for (int range = 1; range < ranges; range++)
            {
                _done.Wait();
            }

            _failure?.Throw();
        }
    }

    private void Work(int range)
    {
        SemaphoreSlim start = _start[range - 1];
        while (true)
        {
            start.Wait();
            if (_disposed)
            {
                return;
            }

            RunRange(range, Math.Min(Workers, _streams));
            _done.Release();
        }
    }

    /// <summary>Runs range <paramref name="range"/> of <paramref name="ranges"/>.</summary>
    private void RunRange(int range, int ranges)
    {
        try
        {
            int size = _streams / ranges, larger = _streams % ranges;
            int first = (range * size) + Math.Min(range, larger);
            int count = size + (range < larger ? 1 : 0);
            int inputFloats = _steps * _model.InputSize, outputFloats = _steps * _model.OutputSize;
            var inputs = new ReadOnlySpan<float>(_inputs + ((long)first * inputFloats), count * inputFloats);
            var states = new Span<TState>(_states + first, count);
            var outputs = new Span<float>(_outputs + ((long)first * outputFloats), count * outputFloats);
            if (_forward)
            {
                _model.Forward(inputs, states, outputs);
            }
            else
            {
                _model.Step(inputs, states, outputs);
            }
        }
        catch (Exception exception)
        {
            // Kept for the caller, who rethrows it once every range is done (the first one wins).
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(exception), null);
        }
    }
}
