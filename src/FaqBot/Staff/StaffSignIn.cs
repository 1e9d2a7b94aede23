using System.Security.Cryptography;
using System.Text;
using FaqBot.Audit;
using FaqBot.Handoff;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace FaqBot.Staff;

public enum SignInStatus
{
    SignedIn,

    /// <summary>Unknown e-mail, disabled account, wrong password or throttled: one answer for all of them.</summary>
    Failed,
}

public sealed record SignInResult(SignInStatus Status, StaffAccount? Account = null, string? Token = null, StaffSession? Session = null);

/// <summary>
/// Passwords (ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>), throttling (<see cref="ISignInThrottle"/>),
/// the audit of every attempt, and console sessions. Every failed attempt does the same work (one password
/// hash check, against a decoy hash when there is no account or the caller must wait) and gets the same
/// answer, so neither the answer nor its timing tells whether an e-mail is an account.
/// A session is a random secret in an HttpOnly cookie; the database keeps only its SHA-256, with the
/// session's CSRF token, so sign-out and disabling an account end it at once, also across restarts.
/// </summary>
public sealed partial class StaffSignIn(
    IStaffDirectory directory,
    IPasswordHasher<StaffAccount> hasher,
    ISignInThrottle throttle,
    IAuditLog audit,
    IOptions<StaffOptions> options,
    TimeProvider time,
    ILogger<StaffSignIn> logger)
{
    public const string CookieName = "faqbot_staff";
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 256;
    public const int MaxEmailLength = 254;

    private static readonly StaffAccount Nobody = new("-", "-", "-", StaffRoles.Staff, "", true, 0, null, DateTimeOffset.UnixEpoch);
    private readonly Lazy<string> _decoyHash = new(() => hasher.HashPassword(Nobody, Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));

    /// <summary>Null when the password is acceptable, else what is wrong with it.</summary>
    public static string? CheckPassword(string? password) => password switch
    {
        null or { Length: < MinPasswordLength } => $"The password must have at least {MinPasswordLength} characters.",
        { Length: > MaxPasswordLength } => $"The password must have at most {MaxPasswordLength} characters.",
        _ when string.IsNullOrWhiteSpace(password) => "The password cannot be only spaces.",
        _ => null,
    };

    public string HashPassword(string password) => hasher.HashPassword(Nobody, password);

    /// <summary>Makes the decoy hash now, so the first unknown e-mail does not pay for it.</summary>
    public void Warm() => _ = _decoyHash.Value;

    public async Task<SignInResult> SignInAsync(string email, string password, string? address, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        email = NormalizeEmail(email);
        var blocked = await throttle.BlockedUntilAsync(email, address, ct) is not null;
        var account = await directory.FindByEmailAsync(email, ct);
        var usable = account is { Disabled: false } && !blocked;
        var verdict = hasher.VerifyHashedPassword(usable ? account! : Nobody, usable ? account!.PasswordHash : _decoyHash.Value, password);
        if (!usable || verdict == PasswordVerificationResult.Failed)
        {
            await throttle.RecordFailureAsync(email, address, counted: !blocked, ct);
            await audit.AppendAsync(new AuditRecord("anonymous", AuditActions.SignIn, blocked ? "throttled" : "failed", email, address), ct);
            LogSignInFailed(logger, blocked ? "throttled" : "failed");
            return new SignInResult(SignInStatus.Failed);
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await directory.SetPasswordHashAsync(account!.Id, hasher.HashPassword(account, password), ct);
        }

        await throttle.ClearAccountAsync(email, ct);
        var token = NewSecret();
        var session = new StaffSession(HashToken(token), account!.Id, NewSecret(), now, now.AddHours(options.Value.SessionHours));
        await directory.CreateSessionAsync(session, ct);
        await audit.AppendAsync(new AuditRecord(account.Id, AuditActions.SignIn, "signed-in", email, address), ct);
        LogSignedIn(logger, account.Id);
        return new SignInResult(SignInStatus.SignedIn, account, token, session);
    }

    /// <summary>The live session behind a cookie value, or null (unknown, expired, or the account is disabled).</summary>
    public async Task<(StaffSession Session, StaffAccount Account)?> FindSessionAsync(string? cookie, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 100)
        {
            return null;
        }

        var found = await directory.FindSessionAsync(HashToken(cookie), time.GetUtcNow(), ct);
        return found is { Account.Disabled: false } ? found : null;
    }

    public async Task<bool> IsSessionAliveAsync(string tokenHash, CancellationToken ct = default) =>
        await directory.FindSessionAsync(tokenHash, time.GetUtcNow(), ct) is { Account.Disabled: false };

    public Task SignOutAsync(string tokenHash, CancellationToken ct = default) => directory.DeleteSessionAsync(tokenHash, ct);

    public static string NormalizeEmail(string? email) => (email ?? "").Trim().ToLowerInvariant();

    /// <summary>Compares a sent CSRF token with the session's in constant time.</summary>
    public static bool CsrfMatches(string? expected, string? sent) =>
        !string.IsNullOrEmpty(expected) && !string.IsNullOrEmpty(sent)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(sent));

    private static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [LoggerMessage(Level = LogLevel.Information, Message = "Staff {StaffId} signed in")]
    private static partial void LogSignedIn(ILogger logger, string staffId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed staff sign-in ({Outcome}); see the audit log")]
    private static partial void LogSignInFailed(ILogger logger, string outcome);
}
