using System.Globalization;

namespace FaqBot.Handoff;

/// <summary>A patient's request to be contacted by the care team.</summary>
public sealed record CallbackRequest(
    string Id,
    string ConversationId,
    string Name,
    string Contact,
    bool Consent,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DoneAt = null,
    string? DoneBy = null);

public interface ICallbackStore
{
    /// <summary>
    /// Files the request; false (nothing stored) when the conversation already has an open request for the same
    /// name and contact, so a turn retried after another instance saved first never files it twice.
    /// </summary>
    Task<bool> AddAsync(CallbackRequest request, CancellationToken ct = default);

    Task<CallbackRequest?> GetAsync(string id, CancellationToken ct = default);

    /// <summary>Open requests first (oldest first), then the most recent done ones.</summary>
    Task<IReadOnlyList<CallbackRequest>> ListAsync(int limit = 200, CancellationToken ct = default);

    /// <summary>Marks the request done; false when it was already done.</summary>
    Task<bool> MarkDoneAsync(string id, string doneBy, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>Undoes <see cref="MarkDoneAsync"/>: the request is open again; false when it was not done.</summary>
    Task<bool> MarkOpenAsync(string id, CancellationToken ct = default);
}
