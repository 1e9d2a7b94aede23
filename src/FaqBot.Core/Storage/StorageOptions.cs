using System.ComponentModel.DataAnnotations;

namespace FaqBot.Storage;

/// <summary>Where FaqBot keeps everything: the embedded SQLite file (one instance) or PostgreSQL (one or several instances).</summary>
public enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>The <c>Storage</c> section; the connection string is <c>ConnectionStrings:FaqBot</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The SQLite file used when no connection string is configured.</summary>
    public const string DefaultSqliteConnectionString = "Data Source=data/faqbot.db";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>How long a patient's message is reserved for the instance that stored (or took up) it before another may take it up.</summary>
    [Range(5, 3600)]
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>How often each instance looks for messages whose instance died before answering them.</summary>
    [Range(1, 3600)]
    public int RecoverySweepSeconds { get; set; } = 5;

    /// <summary>A staff console not seen for this long (no heartbeat from its instance) no longer counts as open.</summary>
    [Range(10, 3600)]
    public int PresenceExpirySeconds { get; set; } = 45;

    /// <summary>This process's name in leases and presence rows (default: host name, process id and a random suffix).</summary>
    [Required(AllowEmptyStrings = false)]
    [MaxLength(200)]
    public string InstanceId { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    public TimeSpan Lease => TimeSpan.FromSeconds(LeaseSeconds);
}

/// <summary>
/// Another instance (or request) saved the conversation since it was read: the caller reloads and applies its change again,
/// or reports the conflict ("already claimed by ...").
/// </summary>
public sealed class ConcurrencyConflictException(string conversationId)
    : Exception($"Conversation {conversationId} was changed by someone else since it was read.")
{
    public string ConversationId { get; } = conversationId;
}

/// <summary>
/// The conversation is not in the database (never created, or erased, perhaps by another instance): a channel answers
/// "not found". An <see cref="InvalidOperationException"/>, as the stores threw before it had its own type.
/// </summary>
public sealed class ConversationNotFoundException(string conversationId)
    : InvalidOperationException($"Conversation {conversationId} does not exist.")
{
    public string ConversationId { get; } = conversationId;
}
