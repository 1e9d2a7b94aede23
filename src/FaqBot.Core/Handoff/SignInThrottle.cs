namespace FaqBot.Handoff;

/// <summary>A throttle as admins see it: <c>account:EMAIL</c> or <c>address:IP</c>, its failures and until when it waits.</summary>
public sealed record ThrottleView(string Key, int Failures, DateTimeOffset LastFailureAt, DateTimeOffset? BlockedUntil);

/// <summary>
/// Sign-in throttling by account (the e-mail typed, whether or not it is an account, so the throttle says
/// nothing about which e-mails exist) and by address. After the free attempts each failure makes the next
/// attempt wait longer (1 s, 2 s, 4 s ...), up to a short cap per account and a longer one per address.
/// Attempts made while waiting are refused without checking the password and do not count, so nobody can
/// extend a wait for ever. Kept in the database, so a restart does not reset it (and every instance sees it).
/// </summary>
public interface ISignInThrottle
{
    /// <summary>Until when the next attempt for this e-mail from this address must wait, or null.</summary>
    Task<DateTimeOffset?> BlockedUntilAsync(string email, string? address, CancellationToken ct = default);

    /// <summary>
    /// Records an attempt that did not sign in: <paramref name="counted"/> false for one refused while
    /// waiting (the same database work, so the answer takes the same time).
    /// </summary>
    Task RecordFailureAsync(string email, string? address, bool counted, CancellationToken ct = default);

    /// <summary>A successful sign-in clears the account's throttle (not the address's).</summary>
    Task ClearAccountAsync(string email, CancellationToken ct = default);

    /// <summary>Throttles with a failure inside the reset window, most recent first.</summary>
    Task<IReadOnlyList<ThrottleView>> ListAsync(CancellationToken ct = default);

    /// <summary>Removes one throttle (an admin's decision); false when there was none.</summary>
    Task<bool> ClearAsync(string key, CancellationToken ct = default);

    /// <summary>Forgets throttles that have had no failure for the reset window (run by the retention job).</summary>
    Task<int> PruneAsync(CancellationToken ct = default);
}

/// <summary>The throttle's keys and delays, the same for every store.</summary>
public static class SignInThrottle
{
    public static string AccountKey(string email) => "account:" + email;

    public static string AddressKey(string? address) => "address:" + (address ?? "unknown");

    /// <summary>The two throttles an attempt counts against: its account's and its address's, with their free attempts and cap.</summary>
    public static (string Key, int Free, TimeSpan Max)[] Keys(string email, string? address, StaffOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return
        [
            (AccountKey(email), options.FreeSignInsPerAccount, TimeSpan.FromSeconds(options.AccountMaxDelaySeconds)),
            (AddressKey(address), options.FreeSignInsPerAddress, TimeSpan.FromMinutes(options.AddressMaxDelayMinutes)),
        ];
    }

    public static TimeSpan? Delay(long failures, int free, TimeSpan max)
    {
        if (failures < free)
        {
            return null;
        }

        var seconds = Math.Pow(2, Math.Min(failures - free, 30));
        return seconds >= max.TotalSeconds ? max : TimeSpan.FromSeconds(seconds);
    }
}
