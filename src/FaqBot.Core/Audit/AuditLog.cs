using System.Globalization;
using FaqBot.Storage;

namespace FaqBot.Audit;

/// <summary>What happened, by whom, to what: never message text or patient details.</summary>
/// <param name="Actor">A staff id, <c>anonymous</c>, <c>patient</c> or <c>system</c>.</param>
/// <param name="Action">One of <see cref="AuditActions"/>.</param>
/// <param name="Outcome">e.g. <c>signed-in</c>, <c>failed</c>, <c>throttled</c>, <c>done</c>.</param>
/// <param name="Target">The e-mail typed at sign-in, a throttle key, a conversation reference, a count.</param>
/// <param name="Address">The caller's IP address, when there is a caller.</param>
public sealed record AuditRecord(string Actor, string Action, string Outcome, string? Target = null, string? Address = null);

public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string Outcome, string? Target, string? Address);

public static class AuditActions
{
    public const string SignIn = "staff.sign-in";
    public const string SignOut = "staff.sign-out";
    public const string ThrottleCleared = "staff.throttle-cleared";
    public const string ConversationErased = "conversation.erased";
    public const string Claim = "conversation.claim";
    public const string Reply = "conversation.reply";
    public const string Note = "conversation.note";
    public const string Transfer = "conversation.transfer";
    public const string HandBack = "conversation.hand-back";
    public const string Close = "conversation.close";
    public const string Reopen = "conversation.reopen";
    public const string CallbackDone = "callback.done";
    public const string AccountAdded = "account.added";
    public const string AccountDisabled = "account.disabled";
    public const string AccountEnabled = "account.enabled";
    public const string AccountPasswordReset = "account.password-reset";
    public const string AccountRoleChanged = "account.role-changed";
    public const string SavedReplyChanged = "saved-reply.changed";
    public const string RetentionSweep = "retention.sweep";
    public const string Backup = "database.backup";
    public const string QuestionTaught = "knowledge.question-taught";
    public const string TaughtQuestionRemoved = "knowledge.taught-question-removed";
    public const string ArticleRequested = "knowledge.article-requested";
    public const string ArticleRequestClosed = "knowledge.article-request-closed";
}

/// <summary>An append-only record of security-relevant events, readable by admins (<c>GET /api/staff/admin/audit</c>).</summary>
public interface IAuditLog
{
    Task InitializeAsync(CancellationToken ct = default);

    Task AppendAsync(AuditRecord record, CancellationToken ct = default);

    /// <summary>The newest entries first; <paramref name="beforeId"/> pages back.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(int limit = 100, long? beforeId = null, CancellationToken ct = default);
}

/// <summary>
/// The audit log in the SQLite database. Append-only by construction: triggers refuse every UPDATE and
/// DELETE on the table, so neither a bug nor the retention job can rewrite it.
/// </summary>
public sealed class SqliteAuditLog(SqliteDatabase database, TimeProvider time) : IAuditLog
{
    private const int MaxField = 320;

    public Task InitializeAsync(CancellationToken ct = default) => database.ExecuteAsync(
        """
        CREATE TABLE IF NOT EXISTS audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            outcome TEXT NOT NULL,
            target TEXT,
            address TEXT);
        CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """,
        ct);

    public Task AppendAsync(AuditRecord record, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return database.ExecuteAsync(
            "INSERT INTO audit_log (at, actor, action, outcome, target, address) VALUES ($at, $actor, $action, $outcome, $target, $address)",
            ct,
            ("$at", time.GetUtcNow().ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
            ("$actor", Cut(record.Actor)),
            ("$action", Cut(record.Action)),
            ("$outcome", Cut(record.Outcome)),
            ("$target", Cut(record.Target)),
            ("$address", Cut(record.Address)));
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int limit = 100, long? beforeId = null, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, at, actor, action, outcome, target, address FROM audit_log WHERE id < $before ORDER BY id DESC LIMIT $limit";
        command.Parameters.AddWithValue("$before", beforeId ?? long.MaxValue);
        command.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, 1000));
        var result = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(new AuditEntry(
                reader.GetInt64(0),
                DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return result;
    }

    private static string? Cut(string? value) => value is { Length: > MaxField } ? value[..MaxField] : value;
}
