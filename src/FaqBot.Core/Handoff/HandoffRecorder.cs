using System.Security.Cryptography;
using FaqBot.Conversation;
using FaqBot.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaqBot.Handoff;

/// <summary>
/// Runs inside <see cref="ConversationService"/> whenever a conversation's state is about to be saved
/// (a bot turn or a staff action), under the conversation's lock. It is the one place that turns a
/// handoff transition into its consequences: the <c>handoff.initiate</c>/<c>handoff.status</c>
/// events, a callback offer when nobody can take the chat, and filing a completed callback request.
/// </summary>
public sealed partial class HandoffRecorder(
    IConversationStore store,
    ICallbackStore callbacks,
    IStaffAvailability availability,
    IOptions<ClinicOptions> clinic,
    TimeProvider time,
    ILogger<HandoffRecorder> logger)
{
    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(clinic.Value.TimeZone);

    public async Task<(ConversationState State, IReadOnlyList<Activity> Announce)> OnChangeAsync(
        ConversationState before, ConversationState after, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var announce = new List<Activity>();
        var state = after;
        var now = time.GetUtcNow();
        var wasWithHumans = IsWithHumans(before.Handoff);

        if (IsWithHumans(after.Handoff) && !wasWithHumans)
        {
            var transcript = await store.GetActivitiesAsync(after.ConversationId, 0, 500, ct);
            announce.Add(HandoffEvents.CreateInitiate(after.Escalation, transcript.Select(s => s.Activity).Where(a => a.Type == ActivityTypes.Message)));
            state = state with { CallbackOfferedAt = null };
            LogEscalated(logger, after.ConversationId, after.Escalation?.Reason, after.Escalation?.Priority);

            var check = availability.Check(now);
            if (after.Handoff == HandoffState.Queued && !check.Available && !CallbackFlow.IsActive(state))
            {
                (state, var offer) = CallbackFlow.Offer(state, check, _zone, now, longWait: false);
                announce.Add(offer);
            }
        }

        if (after.Handoff == HandoffState.WithStaff && before.Handoff != HandoffState.WithStaff)
        {
            announce.Add(HandoffEvents.CreateStatus(HandoffEvents.Accepted, after.Owner?.Name));
        }

        if (after.Handoff == HandoffState.CallbackRequested && before.Handoff != HandoffState.CallbackRequested)
        {
            if (after.Callback is { Name: { } name, Contact: { } contact, Consent: true })
            {
                var id = $"cb_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
                await callbacks.AddAsync(new CallbackRequest(id, after.ConversationId, name, contact, true, now), ct);
                LogCallbackFiled(logger, after.ConversationId, id);
            }

            announce.Add(HandoffEvents.CreateStatus(HandoffEvents.Failed, "The patient asked to be contacted later."));
        }

        if (after.Handoff is HandoffState.Bot or HandoffState.Closed && wasWithHumans)
        {
            announce.Add(HandoffEvents.CreateStatus(HandoffEvents.Completed));
        }

        return (state, announce);
    }

    public static bool IsWithHumans(HandoffState state) =>
        state is HandoffState.Queued or HandoffState.WithStaff or HandoffState.CallbackRequested;

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} escalated to staff: reason {Reason}, priority {Priority}")]
    private static partial void LogEscalated(ILogger logger, string conversationId, string? reason, int? priority);

    [LoggerMessage(Level = LogLevel.Information, Message = "Callback request {CallbackId} filed for conversation {ConversationId}")]
    private static partial void LogCallbackFiled(ILogger logger, string conversationId, string callbackId);
}
