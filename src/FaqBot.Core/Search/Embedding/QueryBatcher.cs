namespace FaqBot.Search.Embedding;

/// <summary>
/// Batches concurrent questions into one call to the model (whose texts then run side by side on the cores). No
/// fixed collection window: when the model is idle a question goes in at once (no added wait); while a call runs,
/// the questions that arrive meanwhile queue and the next call takes them together (up to <see cref="MaxBatch"/>). The caller that finds the model idle,
/// or is handed the turn when a batch ends, runs the next batch for everyone queued; the others wait for their
/// vectors. The queue is bounded (<see cref="MaxQueued"/> texts): beyond it a caller waits for room (back-pressure),
/// never an unbounded pile. The safety screen has its own model (MiniLM) and never waits here.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Lives as long as the process's one model; its semaphore holds no kernel handle.")]
public sealed class QueryBatcher(Func<string[], float[][]> encode)
{
    public const int MaxBatch = 16;

    public const int MaxQueued = 256;

    private readonly Lock _gate = new();
    private readonly List<Request> _queue = [];
    private readonly SemaphoreSlim _room = new(MaxQueued, MaxQueued);
    private bool _running;

    /// <summary>Batches run so far and texts they held (for the benchmark's report).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    public long Texts => Interlocked.Read(ref _texts);

    /// <summary>Requests waiting for a batch.</summary>
    public int Queued
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    private long _batches;
    private long _texts;

    public float[][] Encode(string[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0)
        {
            return [];
        }

        var request = new Request(inputs);
        for (var i = 0; i < inputs.Length; i++)
        {
            _room.Wait();
        }

        bool lead;
        lock (_gate)
        {
            _queue.Add(request);
            lead = !_running;
            _running = true;
        }

        try
        {
            while (true)
            {
                if (lead)
                {
                    RunOneBatch();
                }

                if (request.Done)
                {
                    return request.Error is { } error ? throw new InvalidOperationException("Embedding the question failed.", error) : request.Result!;
                }

                request.Signal.Wait();
                request.Signal.Reset();
                lead = request.Lead;
                request.Lead = false;
            }
        }
        finally
        {
            _room.Release(inputs.Length);
        }
    }

    /// <summary>Takes the oldest queued requests (up to MaxBatch texts; at least one request), runs them, hands the turn on.</summary>
    private void RunOneBatch()
    {
        List<Request> batch = [];
        lock (_gate)
        {
            var count = 0;
            while (_queue.Count > 0 && (batch.Count == 0 || count + _queue[0].Inputs.Length <= MaxBatch))
            {
                count += _queue[0].Inputs.Length;
                batch.Add(_queue[0]);
                _queue.RemoveAt(0);
            }
        }

        try
        {
            var vectors = encode([.. batch.SelectMany(r => r.Inputs)]);
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _texts, vectors.Length);
            var at = 0;
            foreach (var request in batch)
            {
                request.Result = vectors[at..(at + request.Inputs.Length)];
                at += request.Inputs.Length;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            foreach (var request in batch)
            {
                request.Error = ex;
            }
        }

        Request? next = null;
        lock (_gate)
        {
            foreach (var request in batch)
            {
                request.Done = true;
            }

            if (_queue.Count > 0)
            {
                next = _queue[0];
                next.Lead = true;
            }
            else
            {
                _running = false;
            }
        }

        foreach (var request in batch)
        {
            request.Signal.Set();
        }

        next?.Signal.Set();
    }

    /// <remarks>The event is never disposed: a batch's runner may still set it after its caller returned (it holds no kernel handle).</remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "See remarks.")]
    private sealed class Request(string[] inputs)
    {
        public string[] Inputs { get; } = inputs;

        public float[][]? Result { get; set; }

        public Exception? Error { get; set; }

        public volatile bool Done;

        public volatile bool Lead;

        public ManualResetEventSlim Signal { get; } = new(false);
    }
}
