using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace FaqBot.Bench;

/// <summary>
/// The server's garbage collections during a step, read from its runtime's events (EventPipe, as dotnet-counters and
/// dotnet-trace read them): how many, how long every thread was stopped for them, and about how much was allocated
/// (the runtime reports an allocation sample every ~100 KB). A pause stops every request, so it lands in the tail.
/// </summary>
public sealed record ServerGcFigures(int Collections, int Gen1, int Gen2, double PauseMs, double AllocatedKbPerMessage)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"; server GC {Collections} collections ({Gen1} gen1, {Gen2} gen2), paused {PauseMs:0} ms, about {AllocatedKbPerMessage:0} KB allocated a message");
}

/// <summary>Listens to one server process's GC events for as long as it lives; <see cref="Start"/> measures a step.</summary>
public sealed class ServerGcWatch : IDisposable
{
    private readonly EventPipeSession _session;
    private readonly EventPipeEventSource _source;
    private readonly Task _processing;
    private long _collections;
    private long _gen1;
    private long _gen2;
    private long _pauseMicroseconds;
    private long _allocated;
    private double _suspendedAt = -1;

    private ServerGcWatch(EventPipeSession session)
    {
        _session = session;
        _source = new EventPipeEventSource(session.EventStream);
        _source.Clr.GCStart += e =>
        {
            Interlocked.Increment(ref _collections);
            if (e.Depth == 1)
            {
                Interlocked.Increment(ref _gen1);
            }
            else if (e.Depth == 2)
            {
                Interlocked.Increment(ref _gen2);
            }
        };
        _source.Clr.GCSuspendEEStart += e => _suspendedAt = e.TimeStampRelativeMSec;
        _source.Clr.GCRestartEEStop += e =>
        {
            if (_suspendedAt >= 0)
            {
                Interlocked.Add(ref _pauseMicroseconds, (long)((e.TimeStampRelativeMSec - _suspendedAt) * 1000));
                _suspendedAt = -1;
            }
        };
        _source.Clr.GCAllocationTick += e => Interlocked.Add(ref _allocated, e.AllocationAmount64);
        _processing = Task.Run(() => _source.Process());
    }

    /// <summary>Attaches to the process; null (and the figures left out) when its diagnostics cannot be reached.</summary>
    public static ServerGcWatch? TryAttach(int processId)
    {
        try
        {
            var providers = new[] { new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GC) };
            return new ServerGcWatch(new DiagnosticsClient(processId).StartEventPipeSession(providers, requestRundown: false));
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or UnsupportedCommandException or IOException or TimeoutException)
        {
            Console.Error.WriteLine($"server GC figures left out: {ex.Message}");
            return null;
        }
    }

    public Func<ServerGcFigures> Start(int messages)
    {
        var (collections, gen1, gen2, pause, allocated) = (Read(ref _collections), Read(ref _gen1), Read(ref _gen2), Read(ref _pauseMicroseconds), Read(ref _allocated));
        return () => new ServerGcFigures(
            (int)(Read(ref _collections) - collections),
            (int)(Read(ref _gen1) - gen1),
            (int)(Read(ref _gen2) - gen2),
            (Read(ref _pauseMicroseconds) - pause) / 1000.0,
            (Read(ref _allocated) - allocated) / 1024.0 / Math.Max(1, messages));
    }

    private static long Read(ref long value) => Interlocked.Read(ref value);

    public void Dispose()
    {
        try
        {
            _session.Stop();
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or IOException or TimeoutException)
        {
            // The server is gone already: nothing to stop.
        }

        _processing.Wait(TimeSpan.FromSeconds(5));
        _source.Dispose();
        _session.Dispose();
    }
}
