namespace FaqBot.Search;

/// <summary>
/// Work offered to the thread pool while the caller does something else, which the caller runs itself if no pool
/// thread has taken it by the time the result is needed. A request thread therefore never blocks waiting for a pool
/// thread to become free (under load the queue can be long), and the work runs exactly once.
/// </summary>
internal sealed class SideWork<T>
{
    private readonly Func<T> _work;
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _taken;

    private SideWork(Func<T> work) => _work = work;

    /// <summary>Offers <paramref name="work"/> to the thread pool (or to <paramref name="offer"/>, which may run it later or never).</summary>
    public static SideWork<T> Start(Func<T> work, Action<Action>? offer = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        var side = new SideWork<T>(work);
        if (offer is null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => ((SideWork<T>)state!).TryRun(), side);
        }
        else
        {
            offer(side.TryRun);
        }

        return side;
    }

    /// <summary>True once a thread (the pool's or the caller's) has taken the work.</summary>
    public bool Taken => Volatile.Read(ref _taken) != 0;

    /// <summary>The result: the work is run here if no pool thread has taken it, otherwise awaited.</summary>
    public T Result()
    {
        TryRun();
        return _done.Task.GetAwaiter().GetResult();
    }

    private void TryRun()
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0)
        {
            return;
        }

        try
        {
            _done.SetResult(_work());
        }
        catch (Exception e)
        {
            _done.SetException(e);
        }
    }
}
