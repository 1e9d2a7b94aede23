using FaqBot.Answering;
using FaqBot.Schema;

namespace FaqBot.Conversation;

/// <summary>
/// The bot's judgement for one incoming activity: safety screen, intents, search and answer.
/// Channel-agnostic: Direct Line, /api/messages and the ask command all call this.
/// </summary>
public sealed class TurnHandler
{
#pragma warning disable CA1822 // placeholder, replaced by the real turn logic
    // Placeholder until the search and conversation work lands: replies so channels can be built.
    public Task<TurnResult> HandleAsync(Activity incoming, ConversationState state, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        if (incoming.Type != ActivityTypes.Message || string.IsNullOrWhiteSpace(incoming.Text))
        {
            return Task.FromResult(new TurnResult(state, [], Outcomes.None));
        }

        Activity reply = new() { Text = "I can't answer yet.", TextFormat = "markdown", InputHint = InputHints.AcceptingInput };
        return Task.FromResult(new TurnResult(state, [reply], Outcomes.Fallback));
    }
}
