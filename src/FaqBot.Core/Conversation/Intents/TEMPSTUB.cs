#pragma warning disable CA1822
using FaqBot.Safety;
namespace FaqBot.Conversation.Intents;
public enum IntentKind { None, Greeting, Thanks, Goodbye, Help, AskForPerson, StaffOnly, OutOfScope, Affirm, Deny }
public sealed record Intent(IntentKind Kind, string? Reason = null);
public sealed class IntentClassifier(PhraseBook phrases) { public PhraseBook P => phrases; public Intent Classify(string? text) => text?.Trim().ToLowerInvariant() switch { "hello" => new(IntentKind.Greeting), "yes" => new(IntentKind.Affirm), "no" => new(IntentKind.Deny), _ when text?.Contains("nurse", StringComparison.OrdinalIgnoreCase) == true => new(IntentKind.AskForPerson, "ask-for-person"), _ when text?.Contains("price", StringComparison.OrdinalIgnoreCase) == true || text?.Contains("parking", StringComparison.OrdinalIgnoreCase) == true => new(IntentKind.StaffOnly, "cost"), _ => new(IntentKind.None) }; }
