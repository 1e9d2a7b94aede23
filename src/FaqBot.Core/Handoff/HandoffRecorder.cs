using System.Security.Cryptography;
using FaqBot.Conversation;
using FaqBot.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FaqBot.Handoff;

/// <summary>
/// Runs inside <see cref="ConversationService"/> whenever a conversation's state is about to be saved
/// (a bot turn or a staff action), under the conversation's lock. It is the one place that turns a
/// handoff transition into its consequences: the <c>handoff.initiate</c> event with the transcript,
/// <c>handoff.status</c> events, a callback offer when nobody can take the chat, and filing a callback
/// request once the patient has given a name, a contact and consent.
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

    /// <summary>
    /// Returns the state to save and everything to record: <paramref name="outgoing"/> (what the turn or
    /// staff action says) followed by the handoff's consequences. A bare <c>handoff.initiate</c> in
    /// <paramref name="outgoing"/> is replaced by the complete one.
    /// </summary>
    public async Task<(ConversationState State, IReadOnlyList<Activity> Outgoing)> OnChangeAsync(
        ConversationState before, ConversationState after, IReadOnlyList<Activity> outgoing, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(outgoing);
        var result = outgoing.Where(a => !HandoffEvents.IsInitiate(a)).ToList();
        var state = after;
        var now = time.GetUtcNow();
        var entering = IsWithHumans(after.Handoff) && !IsWithHumans(before.Handoff);

        if (entering || (IsWithHumans(after.Handoff) && result.Count < outgoing.Count))
        {
            var transcript = await store.GetTranscriptSizeAsync(after.ConversationId, ct);
            result.Add(HandoffEvents.Initiate(after.Escalation, after.ConversationId, transcript.Messages, transcript.LastSequence));
            LogEscalated(logger, new Privacy.ConversationRef(after.ConversationId), after.Escalation?.Reason, after.Escalation?.Priority);
        }

        // A crisis or check-in never starts the callback dialogue: its reply already says who is
        // (or is not) watching and names 988 and 911; the chat waits at the top of the queue.
        if (entering && after.Handoff == HandoffState.Queued && !CallbackFlow.IsActive(after) && !EscalationReasons.IsSafety(after.Escalation?.Reason))
        {
            // Exactly one "what happens next": a person is coming (with the typical wait), or when staff are next on
            // duty and the callback offer. It completes the turn's own message rather than following it.
            var check = availability.Check(now);
            state = state with { CallbackOfferedAt = null };
            var urgent = after.Escalation?.Reason is EscalationReasons.Crisis or EscalationReasons.Emergency;
            if (!check.Available)
            {
                (state, var offer) = CallbackFlow.Offer(state, check, _zone, now, longWait: false);
                AddNextStep(result, offer, merge: !urgent);
            }
            else if (!urgent)
            {
                AddNextStep(result, new Activity { Type = ActivityTypes.Message, Text = HandoffTexts.Connecting(check.TypicalWait), TextFormat = "plain" }, merge: true);
            }
        }

        if (after.Handoff == HandoffState.WithStaff && (before.Handoff != HandoffState.WithStaff || before.Owner?.Id != after.Owner?.Id))
        {
            result.Add(HandoffEvents.Status(HandoffEvents.Accepted, after.Owner?.Name));
        }

        if (after.Callback is { Name: { } name, Contact: { } contact, Consent: true } && before.Callback is not { Consent: true })
        {
            var id = $"cb_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
            if (await callbacks.AddAsync(new CallbackRequest(id, after.ConversationId, name, contact, true, now), ct))
            {
                LogCallbackFiled(logger, new Privacy.ConversationRef(after.ConversationId), id);
            }
        }

        if (after.Handoff == HandoffState.CallbackRequested && before.Handoff != HandoffState.CallbackRequested && after.Callback is { Consent: true })
        {
            // The confirmation says when to expect the call, from the duty hours.
            var frame = new Activity { Type = ActivityTypes.Message, Text = HandoffTexts.CallbackTimeFrame(availability.Check(now), _zone, now), TextFormat = "plain" };
            AddNextStep(result, frame, merge: true);
        }

        if (after.Handoff == HandoffState.CallbackRequested && before.Handoff != HandoffState.CallbackRequested)
        {
            result.Add(HandoffEvents.Status(HandoffEvents.Failed, "No one could take the chat; a callback was offered."));
        }

        if (after.Handoff is HandoffState.Bot or HandoffState.Closed && IsWithHumans(before.Handoff))
        {
            result.Add(HandoffEvents.Status(HandoffEvents.Completed));
        }

        return (state, result);
    }

    /// <summary>
    /// Adds <paramref name="next"/> to what is said: appended to the last message of the turn when
    /// <paramref name="merge"/> (one message, with <paramref name="next"/>'s buttons), else as a message of its own.
    /// </summary>
    private static void AddNextStep(List<Activity> outgoing, Activity next, bool merge)
    {
        var last = outgoing.FindLastIndex(a => a.Type is null or ActivityTypes.Message && !string.IsNullOrEmpty(a.Text) && a.Attachments is not { Count: > 0 });
        if (!merge || last < 0)
        {
            outgoing.Add(next);
            return;
        }

        var said = outgoing[last];
        var (lead, tail) = SplitSafetyFooter(said.Text!);
        outgoing[last] = said with
        {
            Text = $"{lead}\n\n{next.Text}{tail}",
            TextFormat = said.TextFormat == "markdown" || next.TextFormat == "markdown" ? "markdown" : said.TextFormat,
            SuggestedActions = next.SuggestedActions ?? said.SuggestedActions,
            InputHint = next.InputHint ?? said.InputHint,
        };
    }

    /// <summary>Keeps the safety footer last when a message grows.</summary>
    private static (string Lead, string Tail) SplitSafetyFooter(string text)
    {
        var at = text.LastIndexOf(HandoffTexts.SafetyFooter, StringComparison.Ordinal);
        return at > 0 && at + HandoffTexts.SafetyFooter.Length == text.Length
            ? (text[..at].TrimEnd(), $"\n\n{HandoffTexts.SafetyFooter}")
            : (text.TrimEnd(), "");
    }

    public static bool IsWithHumans(HandoffState state) => HandoffMachine.IsWithHumans(state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} escalated to staff: reason {Reason}, priority {Priority}")]
    private static partial void LogEscalated(ILogger logger, Privacy.ConversationRef conversationId, string? reason, int? priority);

    [LoggerMessage(Level = LogLevel.Information, Message = "Callback request {CallbackId} filed for conversation {ConversationId}")]
    private static partial void LogCallbackFiled(ILogger logger, Privacy.ConversationRef conversationId, string callbackId);
}
