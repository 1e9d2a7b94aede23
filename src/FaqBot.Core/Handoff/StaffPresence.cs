using System.Collections.Concurrent;
using FaqBot.Conversation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaqBot.Handoff;

/// <summary>
/// Which staff members have the console open right now (its live feed is connected). Each instance knows its own
/// consoles; with a shared database (<see cref="Storage.IStaffPresenceStore"/>) it also knows the other instances'
/// consoles as of their last heartbeat (<see cref="SyncAsync"/>, every few seconds), and a console of an instance that
/// died stops counting after <c>Storage:PresenceExpirySeconds</c>. Without one (SQLite, one instance) it is in memory.
/// </summary>
public sealed partial class StaffPresence(
    Storage.IStaffPresenceStore? store = null,
    Storage.StorageOptions? options = null,
    TimeProvider? time = null,
    ILogger<StaffPresence>? logger = null) : IDisposable
{
    private readonly ConcurrentDictionary<Guid, StaffRef> _online = new();
    private readonly SemaphoreSlim _sync = new(1, 1);
    private readonly Storage.StorageOptions _options = options ?? new Storage.StorageOptions();
    private volatile IReadOnlyList<StaffRef> _elsewhere = [];

    public bool AnyoneOnline => !_online.IsEmpty || _elsewhere.Count > 0;

    /// <summary>Whether that staff member has the console open now.</summary>
    public bool IsOnline(string staffId) => _online.Values.Any(s => s.Id == staffId) || _elsewhere.Any(s => s.Id == staffId);

    /// <summary>Everyone with the console open, once each.</summary>
    public IReadOnlyList<StaffRef> Online => [.. _online.Values.Concat(_elsewhere).DistinctBy(s => s.Id).OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase)];

    /// <summary>Marks the staff member online until the returned handle is disposed.</summary>
    public IDisposable Enter(StaffRef staff)
    {
        var id = Guid.NewGuid();
        _online[id] = staff;
        Announce();
        return new Leave(() =>
        {
            _online.TryRemove(id, out _);
            Announce();
        });
    }

    /// <summary>
    /// Writes this instance's open consoles to the shared table and reads everyone's (a heartbeat); nothing without a
    /// shared store.
    /// </summary>
    public async Task SyncAsync(CancellationToken ct = default)
    {
        if (store is null)
        {
            return;
        }

        await _sync.WaitAsync(ct);
        try
        {
            var now = (time ?? TimeProvider.System).GetUtcNow();
            var expiry = TimeSpan.FromSeconds(_options.PresenceExpirySeconds);
            await store.HeartbeatAsync(_options.InstanceId, [.. _online.Select(o => (o.Key.ToString("N"), o.Value))], now, now - expiry, ct);
            _elsewhere = await store.OnlineAsync(now - expiry, ct);
        }
        finally
        {
            _sync.Release();
        }
    }

    public void Dispose() => _sync.Dispose();

    /// <summary>Tells the other instances at once (not only at the next heartbeat) that a console opened or closed.</summary>
    private void Announce()
    {
        if (store is null)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await SyncAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSyncFailed(logger ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, ex);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Staff presence could not be shared; the next heartbeat tries again")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);

    private sealed class Leave(Action leave) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                leave();
            }
        }
    }
}

/// <summary>
/// How long patients waited between asking for a person and a staff member claiming the chat: the median of the
/// claims of the last <see cref="Window"/> (at most <see cref="Keep"/>), or none without a recent history.
/// Kept in memory: after a restart the bot simply gives no figure until staff claim chats again.
/// </summary>
public sealed class ClaimHistory
{
    public const int Keep = 20;
    public static readonly TimeSpan Window = TimeSpan.FromDays(1);

    private readonly Queue<(DateTimeOffset At, TimeSpan Waited)> _claims = new();
    private readonly Lock _gate = new();

    public void Record(DateTimeOffset claimedAt, TimeSpan waited)
    {
        lock (_gate)
        {
            _claims.Enqueue((claimedAt, waited < TimeSpan.Zero ? TimeSpan.Zero : waited));
            while (_claims.Count > Keep)
            {
                _claims.Dequeue();
            }
        }
    }

    public TimeSpan? TypicalWait(DateTimeOffset now)
    {
        lock (_gate)
        {
            var recent = _claims.Where(c => now - c.At <= Window).Select(c => c.Waited).Order().ToList();
            return recent.Count == 0 ? null : recent[recent.Count / 2];
        }
    }
}

/// <summary>Staff can take a chat when it is within duty hours and someone has the console open.</summary>
public sealed class StaffAvailabilityService : IStaffAvailability
{
    private readonly DutyHours _hours;
    private readonly StaffPresence _presence;

    private readonly ClaimHistory? _claims;

    public StaffAvailabilityService(IOptions<StaffOptions> staff, IOptions<ClinicOptions> clinic, StaffPresence presence, ClaimHistory? claims = null)
    {
        _claims = claims;
        _hours = DutyHours.Parse(staff.Value.DutyHours);
        Zone = TimeZoneInfo.FindSystemTimeZoneById(clinic.Value.TimeZone);
        _presence = presence;
    }

    public TimeZoneInfo Zone { get; }

    public StaffAvailability Check(DateTimeOffset now)
    {
        if (!_hours.IsOpen(now, Zone))
        {
            return new StaffAvailability(false, _hours.NextOpening(now, Zone));
        }

        return _presence.AnyoneOnline
            ? new StaffAvailability(true, now, OnDuty: true, TypicalWait: _claims?.TypicalWait(now))
            : new StaffAvailability(false, null, OnDuty: true);
    }
}

/// <summary>Checks the Staff section on start: duty hours parse and the clinic's time zone exists.</summary>
public sealed class StaffOptionsValidator(IOptions<ClinicOptions> clinic) : IValidateOptions<StaffOptions>
{
    public ValidateOptionsResult Validate(string? name, StaffOptions options)
    {
        var errors = new List<string>();
        if (!DutyHours.TryParse(options.DutyHours, out _, out var error))
        {
            errors.Add($"Staff:DutyHours: {error}");
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(clinic.Value.TimeZone, out _))
        {
            errors.Add($"Clinic:TimeZone '{clinic.Value.TimeZone}' is not a known time zone (use an IANA name such as America/New_York).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
