#pragma warning disable CA1822
namespace FaqBot.Safety;
public enum SafetyLevel { None, InformationalTopic, Crisis, Emergency }
public sealed record SafetyVerdict(SafetyLevel Level, string? Rule);
public sealed class PhraseBook { public static PhraseBook Load(string path) => new(); }
public sealed class SafetyScreen(PhraseBook phrases) { public PhraseBook P => phrases; public SafetyVerdict Check(string? text) => new(text?.Contains("ending it all", StringComparison.OrdinalIgnoreCase) == true ? SafetyLevel.Crisis : SafetyLevel.None, null); }
