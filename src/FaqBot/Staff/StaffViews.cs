using System.Text.Json;
using System.Text.Json.Nodes;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;

namespace FaqBot.Staff;

/// <summary>Builds what the console shows from the stored conversation.</summary>
public static class StaffViews
{
    public static async Task<IReadOnlyList<StoredActivity>> LoadTranscriptAsync(IConversationStore store, string conversationId, CancellationToken ct)
    {
        var all = new List<StoredActivity>();
        while (true)
        {
            var page = await store.GetActivitiesAsync(conversationId, all.Count == 0 ? 0 : all[^1].Sequence, 500, ct);
            all.AddRange(page);
            if (page.Count < 500)
            {
                return all;
            }
        }
    }

    public static QueueItem Summary(ConversationState state, IReadOnlyList<StoredActivity> transcript, DateTimeOffset now, EscalationReasons reasons)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        var patient = transcript.Select(s => s.Activity).Where(a => a.Type == ActivityTypes.Message && a.From?.Role == RoleTypes.User && !string.IsNullOrWhiteSpace(a.Text)).ToList();
        var since = state.Escalation?.At ?? state.UpdatedAt;
        var reason = state.Escalation?.Reason ?? state.HandoffLog.LastOrDefault(e => e.Reason is not null)?.Reason;
        return new QueueItem(
            state.ConversationId,
            JsonNamingPolicy.CamelCase.ConvertName(state.Handoff.ToString()),
            reason,
            state.Escalation?.Priority ?? 0,
            Math.Max(0, (long)(now - since).TotalSeconds),
            state.Escalation?.At,
            state.FirstQuestion ?? patient.FirstOrDefault()?.Text,
            patient.LastOrDefault()?.Text,
            state.Owner is { } owner ? new OwnerView(owner.Id, owner.Name) : null,
            state.CallbackOfferedAt is not null,
            ShortId.Of(state.ConversationId),
            reasons.LabelOf(reason),
            state.Handoff == HandoffState.Queued && reasons.IsUrgent(state.Escalation?.Reason),
            state.HandoffLog.Count > 0 ? state.HandoffLog[0].At : state.CreatedAt,
            EscalatedBy(transcript),
            ConversationHistory.OutcomeOf(state));
    }

    /// <summary>The patient's message that led to the last escalation (the one just before the last handoff.initiate).</summary>
    private static string? EscalatedBy(IReadOnlyList<StoredActivity> transcript)
    {
        var initiate = transcript.Select((s, i) => (s, i)).LastOrDefault(x => HandoffEvents.IsInitiate(x.s.Activity));
        var upTo = initiate.s is null ? transcript.Count : initiate.i;
        for (var i = upTo - 1; i >= 0; i--)
        {
            var a = transcript[i].Activity;
            if (a.Type == ActivityTypes.Message && a.From?.Role == RoleTypes.User && !string.IsNullOrWhiteSpace(a.Text))
            {
                return a.Text;
            }
        }

        return null;
    }

    /// <summary>An internal note as a transcript line (type <c>note</c>: shown to staff only, never sent).</summary>
    public static TranscriptEntry Note(StaffNote note) =>
        new(note.ConversationId, $"note:{note.Id}", note.At, "note", "staff", note.StaffName, note.Text, null, null, []);

    /// <summary>
    /// The short summary a staff member reads first: why the chat was escalated, what the patient asked, which
    /// article sections the assistant quoted, and the feedback given. Every line comes from the stored record.
    /// </summary>
    /// <param name="zone">The clinic's time zone: times are shown as patients and staff read them.</param>
    public static IReadOnlyList<string> Brief(ConversationState state, IReadOnlyList<TranscriptEntry> transcript, IReadOnlyList<FeedbackRecord> feedback, TimeZoneInfo zone, EscalationReasons reasons)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(transcript);
        ArgumentNullException.ThrowIfNull(feedback);
        var lines = new List<string>();
        if (state.Escalation is { } escalation)
        {
            lines.Add($"Escalated: {reasons.LabelOf(escalation.Reason)} (priority {escalation.Priority}) at {HandoffTexts.ClinicTime(escalation.At, zone)}{(escalation.Rule is { } rule ? $", by the safety screen's {rule}" : "")}.");
        }

        var asked = transcript.Count(e => e.Sender == "patient" && e.Type == ActivityTypes.Message);
        var answers = transcript.Where(e => e.Sender == "assistant" && e.Citations.Count > 0).ToList();
        lines.Add($"The patient sent {asked} message{(asked == 1 ? "" : "s")}; the assistant answered {answers.Count} with quotes from the articles.");
        var sections = answers.SelectMany(a => a.Citations).Select(c => c.Title).OfType<string>().Distinct(StringComparer.Ordinal).Take(4).ToList();
        if (sections.Count > 0)
        {
            lines.Add($"Quoted: {string.Join("; ", sections)}.");
        }

        if (feedback.Count > 0)
        {
            var down = feedback.Count(f => f.Reaction == "dislike");
            lines.Add($"Feedback: {feedback.Count - down} thumbs up, {down} thumbs down.");
        }

        if (state.Callback is { Consent: true } callback)
        {
            lines.Add($"Callback requested by {callback.Name}.");
        }

        return lines;
    }

    /// <summary>Risk first (priority), then the longest wait.</summary>
    public static IReadOnlyList<QueueItem> Order(IEnumerable<QueueItem> items) =>
        [.. items.OrderByDescending(i => i.Priority).ThenBy(i => i.EscalatedAt ?? DateTimeOffset.MaxValue)];

    public static TranscriptEntry? Entry(string conversationId, Activity activity)
    {
        if (activity.Type is not (ActivityTypes.Message or ActivityTypes.Event or ActivityTypes.EndOfConversation))
        {
            return null;
        }

        var from = activity.From;
        var sender = from switch
        {
            { Role: RoleTypes.User } => "patient",
            { Id: var id } when id.StartsWith("staff:", StringComparison.Ordinal) => "staff",
            { Role: RoleTypes.Bot } => "assistant",
            _ => "system",
        };
        var isEvent = activity.Type != ActivityTypes.Message;
        return new TranscriptEntry(
            conversationId,
            activity.Id,
            activity.Timestamp,
            activity.Type,
            sender,
            from?.Name,
            activity.Text,
            isEvent ? activity.Name : null,
            isEvent ? EventValue(activity) : null,
            Citations(activity));
    }

    public static IReadOnlyList<CitedPassage> Citations(Activity activity)
    {
        var message = activity.Entities?.FirstOrDefault(e => (string?)e["type"] == "https://schema.org/Message");
        if (message?["citation"] is not { } citation)
        {
            return [];
        }

        var claims = citation is JsonArray array ? array.OfType<JsonObject>() : citation is JsonObject one ? [one] : [];
        return [.. claims.Select(c => new CitedPassage(
            c["position"]?.ToString(),
            c["appearance"]?["name"]?.ToString() ?? c["name"]?.ToString(),
            c["text"]?.ToString() ?? c["appearance"]?["text"]?.ToString()))];
    }

    /// <summary>An event's value, or for a feedback event the reaction. Transcript attachments are left out.</summary>
    private static JsonNode? EventValue(Activity activity) =>
        activity.Value?.DeepClone()
        ?? (activity.Entities is [var first, ..] && first["@type"]?.ToString() is { } reaction ? new JsonObject { ["reaction"] = reaction } : null);

    public static CallbackView View(CallbackRequest r) => new(r.Id, r.ConversationId, r.Name, r.Contact, r.Consent, r.CreatedAt, r.DoneAt, r.DoneBy);

    public static FeedbackView View(FeedbackRecord f) => new(f.ActivityId, f.Reaction, f.Question, f.Outcome, f.CitedPassages, f.At);
}
