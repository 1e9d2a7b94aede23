using FaqBot.Search;

namespace FaqBot.Tests.Search;

public sealed class SideWorkTests
{
    [Fact]
    public void The_caller_runs_the_work_itself_when_no_thread_has_taken_it()
    {
        Action? queued = null;
        var runs = 0;
        var ranOn = -1;
        var side = SideWork<int>.Start(
            () =>
            {
                Interlocked.Increment(ref runs);
                ranOn = Environment.CurrentManagedThreadId;
                return 42;
            },
            offer: work => queued = work); // a pool that never gets to it

        Assert.False(side.Taken);
        Assert.Equal(42, side.Result());
        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);

        queued!(); // the pool's turn comes late: nothing runs twice
        Assert.Equal(42, side.Result());
        Assert.Equal(1, runs);
    }

    [Fact]
    public void Work_a_thread_has_taken_is_awaited_not_run_again()
    {
        using var started = new ManualResetEventSlim();
        using var finish = new ManualResetEventSlim();
        var runs = 0;
        var worker = new Thread(static work => ((Action)work!)());
        var side = SideWork<int>.Start(
            () =>
            {
                started.Set();
                finish.Wait();
                return Interlocked.Increment(ref runs);
            },
            offer: work => worker.Start(work));

        started.Wait();
        Assert.True(side.Taken);
        var awaited = 0;
        var caller = new Thread(() => awaited = side.Result());
        caller.Start();
        finish.Set();
        caller.Join();
        worker.Join();
        Assert.Equal(1, awaited);
        Assert.Equal(1, side.Result());
        Assert.Equal(1, runs);
    }

    [Fact]
    public void On_the_thread_pool_the_result_or_the_exception_reaches_the_caller()
    {
        for (var i = 0; i < 50; i++)
        {
            var runs = 0;
            var side = SideWork<int>.Start(() => Interlocked.Increment(ref runs));
            Assert.Equal(1, side.Result());
            Assert.Equal(1, runs);
        }

        var failing = SideWork<int>.Start(() => throw new InvalidOperationException("no index"));
        Assert.Equal("no index", Assert.Throws<InvalidOperationException>(() => failing.Result()).Message);
    }
}
