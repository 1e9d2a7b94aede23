
namespace FaqBot.Handoff;

public static class StaffRoles
{
    public const string Staff = "staff";
    public const string Admin = "admin";

    public static bool IsValid(string? role) => role is Staff or Admin;
}

/// <summary>A staff account. <see cref="Email"/> is stored lower-case and is unique.</summary>
public sealed record StaffAccount(
    string Id,
    string Email,
    string Name,
    string Role,
    string PasswordHash,
    bool Disabled,
    int FailedSignIns,
    DateTimeOffset? LockoutEnd,
    DateTimeOffset CreatedAt)
{
    public StaffRef Ref => new(Id, Name);

    public bool IsLockedOut(DateTimeOffset now) => LockoutEnd is { } end && end > now;
}

/// <summary>A console sign-in: the cookie holds a secret whose SHA-256 is <see cref="TokenHash"/>.</summary>
public sealed record StaffSession(string TokenHash, string StaffId, string CsrfToken, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>Staff accounts and their console sessions.</summary>
public interface IStaffDirectory
{

    /// <summary>False when an account with that email exists.</summary>
    Task<bool> AddAsync(StaffAccount account, CancellationToken ct = default);

    Task<StaffAccount?> FindByEmailAsync(string email, CancellationToken ct = default);

    Task<StaffAccount?> FindByIdAsync(string id, CancellationToken ct = default);

    Task<IReadOnlyList<StaffAccount>> ListAsync(CancellationToken ct = default);

    /// <summary>Disables or enables the account; disabling ends its sessions. False when not found.</summary>
    Task<bool> SetDisabledAsync(string email, bool disabled, CancellationToken ct = default);

    Task SetPasswordHashAsync(string id, string passwordHash, CancellationToken ct = default);

    Task SetRoleAsync(string id, string role, CancellationToken ct = default);

    /// <summary>Ends every console session of that account (after a password reset or a role change).</summary>
    Task EndSessionsAsync(string id, CancellationToken ct = default);

    Task ResetFailedSignInsAsync(string id, CancellationToken ct = default);

    Task CreateSessionAsync(StaffSession session, CancellationToken ct = default);

    /// <summary>The session and its account, if the session exists and has not expired.</summary>
    Task<(StaffSession Session, StaffAccount Account)?> FindSessionAsync(string tokenHash, DateTimeOffset now, CancellationToken ct = default);

    Task DeleteSessionAsync(string tokenHash, CancellationToken ct = default);
}
