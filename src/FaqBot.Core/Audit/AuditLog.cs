using System.Globalization;

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

    Task AppendAsync(AuditRecord record, CancellationToken ct = default);

    /// <summary>The newest entries first; <paramref name="beforeId"/> pages back.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(int limit = 100, long? beforeId = null, CancellationToken ct = default);
}
