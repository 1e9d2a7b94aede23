using System.Text.RegularExpressions;
using FaqBot.Conversation;
using FaqBot.Schema;

namespace FaqBot.Handoff;

/// <summary>One step of the callback dialogue: the new state, what to say, and whether a request was filed.</summary>
/// <param name="Filed">The patient gave a name, a contact and consent: <see cref="State"/> is
/// <see cref="HandoffState.CallbackRequested"/> and the request is filed when the state is saved.</param>
public sealed record CallbackStep(ConversationState State, string Reply, IReadOnlyList<string> Choices, bool Filed = false, bool Declined = false)
{
    /// <summary>The reply as a message, with the choices as buttons.</summary>
    public Activity ToActivity() => CallbackFlow.Message(Reply, Choices);
}

/// <summary>
/// The callback dialogue: asks for a name, then a phone number or email, then consent to be
/// contacted. Pure: (state, text) in, (state, reply) out. The turn handler calls
/// <see cref="Handle"/> while <see cref="IsActive"/>; saving a state that moved to
/// <see cref="HandoffState.CallbackRequested"/> files the request (see <see cref="HandoffRecorder"/>).
/// The patient can say "no thanks" at any step.
/// </summary>
public static partial class CallbackFlow
{
    private static readonly HashSet<string> No = new(StringComparer.Ordinal)
    {
        "no", "n", "nope", "nah", "no thanks", "no thank you", "no thx", "not now", "no need", "cancel", "stop", "skip",
        "never mind", "nevermind", "dont", "don't", "do not", "i don't want that", "i dont want that", "no i'm fine", "no im fine",
    };

    private static readonly HashSet<string> Yes = new(StringComparer.Ordinal)
    {
        "yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "yes please", "please do", "that's fine", "thats fine",
        "fine", "i agree", "i consent", "agreed", "correct", "yes you may", "yes that's fine", "yes thats fine",
    };

    private static readonly string[] NamePrefixes = ["my name is ", "my name's ", "name is ", "name: ", "i'm ", "im ", "i am ", "it's ", "its ", "this is ", "call me ", "ask for "];

    public static bool IsActive(ConversationState state) => state?.Pending is { IsCallbackDialogue: true };

    /// <summary>Offers a callback (staff unavailable, or the wait is long) and asks for a name.</summary>
    public static (ConversationState State, Activity Reply) Offer(ConversationState state, StaffAvailability availability, TimeZoneInfo zone, DateTimeOffset now, bool longWait)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(availability);
        var why = longWait ? HandoffTexts.LongWait : HandoffTexts.Unavailable(availability.NextAvailable, zone, now);
        var next = HandoffMachine.Apply(state, new HandoffCommand.OfferCallback(now)).State;
        return (next, Message($"{why} {HandoffTexts.OfferCallback}\n\n{HandoffTexts.SafetyFooter}", [HandoffTexts.Decline]));
    }

    /// <summary>Takes the patient's answer to the current callback question.</summary>
    /// <param name="askedForPerson">The text asks for a person ("actually I want to talk to someone now"): the patient
    /// is told why a callback is the way to a person now and asked the same question again, unless the text also
    /// answers it (a phone number, a yes).</param>
    public static CallbackStep Handle(ConversationState state, string? text, bool askedForPerson = false, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var at = now ?? DateTimeOffset.UtcNow;
        var answer = Normalize(text);
        if (No.Contains(answer))
        {
            // Nothing was filed, so a conversation waiting for a callback goes back to waiting for a person.
            var waiting = state.Handoff is HandoffState.Queued or HandoffState.CallbackRequested;
            var next = HandoffMachine.Apply(state, new HandoffCommand.DeclineCallback(at)).State;
            var more = waiting ? " You can keep writing here, and a member of our care team will reply when they're free." : "";
            return new CallbackStep(next, $"No problem, I won't take your details.{more} {HandoffTexts.SafetyFooter}", [], Declined: true);
        }

        var draft = state.Callback ?? new CallbackDraft();
        switch (state.Pending)
        {
            case PendingPrompt.CallbackName:
                if (askedForPerson)
                {
                    return new CallbackStep(state, $"{HandoffTexts.PersonNotAvailableNow} What name should we ask for? (Or say \"cancel\" to stop.)", [HandoffTexts.Decline]);
                }

                if (CleanName(text) is not { } name)
                {
                    return new CallbackStep(state, "Please tell me just the name we should ask for (for example: Alex), or say \"no thanks\".", [HandoffTexts.Decline]);
                }

                return new CallbackStep(
                    state with { Pending = PendingPrompts.CallbackContact, Callback = draft with { Name = name } },
                    $"Thank you, {name}. What phone number or email address should we use?",
                    [HandoffTexts.Decline]);

            case PendingPrompt.CallbackContact:
                var contact = FindContact(text);
                if (contact is null && askedForPerson)
                {
                    return new CallbackStep(state, $"{HandoffTexts.PersonNotAvailableNow} What phone number or email address should we use? (Or say \"cancel\" to stop.)", [HandoffTexts.Decline]);
                }

                if (contact is null)
                {
                    return new CallbackStep(state, "That doesn't look like a phone number or an email address. Please type one like (555) 123-4567 or name@example.com, or say \"no thanks\".", [HandoffTexts.Decline]);
                }

                return new CallbackStep(
                    state with { Pending = PendingPrompts.CallbackConsent, Callback = draft with { Contact = contact } },
                    $"May our care team contact you at {contact} about your question? Please answer yes or no.",
                    ["Yes", "No"]);

            case PendingPrompt.CallbackConsent:
                if (!Yes.Contains(answer) && askedForPerson)
                {
                    return new CallbackStep(state, $"{HandoffTexts.PersonNotAvailableNow} May they contact you at {draft.Contact}? Please answer yes or no.", ["Yes", "No"]);
                }

                if (!Yes.Contains(answer))
                {
                    return new CallbackStep(state, "Please answer yes if our care team may contact you, or no if they may not.", ["Yes", "No"]);
                }

                return new CallbackStep(
                    HandoffMachine.Apply(state, new HandoffCommand.FileCallback(draft, at)).State,
                    $"Thank you. I've passed your request to our care team, and they will contact you at {draft.Contact}. {HandoffTexts.SafetyFooter}",
                    [],
                    Filed: true);

            default:
                throw new InvalidOperationException("The callback dialogue is not active.");
        }
    }

    /// <summary>A name: letters and a few separators, no digits, at most 80 characters and 6 words.</summary>
    public static string? CleanName(string? text)
    {
        var name = (text ?? "").Trim().TrimEnd('.', '!');
        foreach (var prefix in NamePrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                name = name[prefix.Length..].Trim();
                break;
            }
        }

        var ok = name.Length is > 0 and <= 80
            && name.Any(char.IsLetter)
            && name.All(c => char.IsLetter(c) || c is ' ' or '-' or '\'' or '.' or ',')
            && name.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= 6;
        return ok ? name : null;
    }

    /// <summary>The first email address, or else phone number (7 to 15 digits), in the text.</summary>
    public static string? FindContact(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 300)
        {
            return null;
        }

        if (EmailPattern().Match(text) is { Success: true } email && email.Value.Length <= 254)
        {
            return email.Value.ToLowerInvariant();
        }

        foreach (Match phone in PhonePattern().Matches(text))
        {
            var digits = phone.Value.Count(char.IsAsciiDigit);
            if (digits is >= 7 and <= 15)
            {
                return phone.Value.Trim();
            }
        }

        return null;
    }

    internal static Activity Message(string text, IReadOnlyList<string> choices) => new()
    {
        Type = ActivityTypes.Message,
        Text = text,
        TextFormat = "plain",
        InputHint = InputHints.ExpectingInput,
        SuggestedActions = choices.Count == 0 ? null : new SuggestedActions([.. choices.Select(c => new CardAction(ActionTypes.ImBack, c, c))]),
    };

    private static string Normalize(string? text) =>
        string.Join(' ', (text ?? "").ToLowerInvariant().Replace('’', '\'').Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
            .Trim('.', '!', ',', ' ');

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\+?\(?\d[\d\s().-]{5,}\d")]
    private static partial Regex PhonePattern();
}
