using System.Text.Json.Serialization;
using FaqBot.Answering;
using FaqBot.Conversation;
using FaqBot.Schema;

namespace FaqBot.Ask;

/// <summary>One question, one verdict: the wire shape of <c>ask --json</c> and <c>POST /api/ask</c>.</summary>
public sealed record AskResponse(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Question,
    string Outcome,
    string Text,
    double Confidence,
    IReadOnlyList<Citation> Citations,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason);

/// <summary>Runs one question through the real turn handler in a throwaway conversation (nothing is stored).</summary>
public sealed class Asker(TurnHandler turns)
{
    public async Task<AskResponse> AskAsync(string question, CancellationToken ct = default)
    {
        var state = new ConversationState { ConversationId = "ask", UserId = "ask" };
        var incoming = new Activity { Type = ActivityTypes.Message, Text = question, From = new ChannelAccount("ask", Role: RoleTypes.User) };
        var result = await turns.HandleAsync(incoming, state, ct);
        var text = string.Join("\n\n", result.Replies.Where(r => r.Type == ActivityTypes.Message).Select(r => r.Text));
        return new AskResponse(question, result.Outcome, text, Math.Round(result.Confidence, 3), result.Citations, result.Reason);
    }
}
