using FaqBot.Handoff;

namespace FaqBot.Storage;

/// <summary>
/// The ASP.NET Core Data Protection key ring kept in the database (PostgreSQL), so a staff cookie or an antiforgery
/// token protected by one instance is read by every other. (With SQLite the keys stay in <c>DataProtection:KeysPath</c>.)
/// Synchronous, as <c>IXmlRepository</c> is; it is called at start-up and when a key is created.
/// </summary>
public interface IDataProtectionKeyStore
{
    /// <summary>Every key's XML, oldest first.</summary>
    IReadOnlyList<string> List();

    /// <summary>Adds a key; a key with that name is never replaced.</summary>
    void Store(string name, string xml);
}

/// <summary>
/// Secrets that are not configuration, created once by whichever instance comes first: each name gets the value of the
/// first caller (INSERT ... ON CONFLICT DO NOTHING, then read), so racing instances end up with the same one.
/// </summary>
public interface ISecretStore
{
    Task<string> GetOrCreateAsync(string name, Func<string> create, CancellationToken ct = default);
}

/// <summary>Who has the staff console open on which instance (<c>staff_presence</c>), refreshed by each instance's heartbeat.</summary>
public interface IStaffPresenceStore
{
    /// <summary>
    /// Records that this instance's consoles (connection id and staff member) are open now, forgets this instance's others,
    /// and forgets every row not refreshed since <paramref name="expiredBefore"/> (an instance that died).
    /// </summary>
    Task HeartbeatAsync(string instanceId, IReadOnlyCollection<(string ConnectionId, StaffRef Staff)> open, DateTimeOffset now, DateTimeOffset expiredBefore, CancellationToken ct = default);

    /// <summary>The staff members with a console open on any instance, seen since <paramref name="since"/>.</summary>
    Task<IReadOnlyList<StaffRef>> OnlineAsync(DateTimeOffset since, CancellationToken ct = default);
}
