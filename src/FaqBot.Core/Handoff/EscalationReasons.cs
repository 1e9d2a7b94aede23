using System.ComponentModel.DataAnnotations;
using FaqBot.Safety;
using Microsoft.Extensions.Options;

namespace FaqBot.Handoff;

/// <summary>One escalation reason as configured in the <c>Escalation:Reasons</c> section of appsettings.json.</summary>
public sealed class EscalationReasonOptions
{
    /// <summary>Queue priority: higher is more urgent (a crisis first).</summary>
    [Range(0, 1000)]
    public int Priority { get; set; }

    /// <summary>What staff read in the queue ("Crisis", "Asked for a person").</summary>
    public string Label { get; set; } = "";

    /// <summary>An urgent chat re-alerts the console every minute until it is claimed, and pages the on-call webhook.</summary>
    public bool Urgent { get; set; }

    /// <summary>
    /// What the patient is told when the bot hands the chat over for this reason. Not used by the safety
    /// reasons (crisis, emergency, check-in), whose complete crisis response is fixed in code and never degrades.
    /// </summary>
    public string PatientText { get; set; } = "";
}

/// <summary>The <c>Escalation</c> section: every reason a chat can be handed to staff for.</summary>
public sealed class EscalationOptions
{
    public const string Section = "Escalation";

    public Dictionary<string, EscalationReasonOptions> Reasons { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A resolved escalation reason: its code, priority, label and patient-facing text.</summary>
public sealed record EscalationReason(string Code, int Priority, string Label, bool Urgent, string PatientText)
{
    public bool IsSafety => EscalationReasons.IsSafety(Code);
}

/// <summary>
/// The reason codes FaqBot raises itself, and the configured catalog of every reason (these plus the
/// staff-only topics of phrases.yaml). The catalog is validated at start-up, so a reason that is raised
/// but not configured stops FaqBot with a message instead of silently getting a default priority.
/// </summary>
public sealed class EscalationReasons
{
    public const string Crisis = "crisis";
    public const string Emergency = "emergency";
    public const string AskForPerson = "ask-for-person";
    public const string RepeatedMiss = "repeated-miss";
    public const string ThumbsDown = "thumbs-down";

    /// <summary>Ambiguous distress: the bot asked "Are you safe right now?" (raised priority, below a crisis).</summary>
    public const string CheckIn = "checkin";

    /// <summary>The codes FaqBot raises in code; phrases.yaml's staff-only topic codes come on top.</summary>
    public static readonly IReadOnlyList<string> BuiltIn = [Crisis, Emergency, CheckIn, AskForPerson, RepeatedMiss, ThumbsDown];

    private readonly IReadOnlyDictionary<string, EscalationReason> _reasons;

    public EscalationReasons(IOptions<EscalationOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _reasons = options.Value.Reasons.ToDictionary(
            r => r.Key,
            r => new EscalationReason(r.Key, r.Value.Priority, r.Value.Label, r.Value.Urgent, r.Value.PatientText),
            StringComparer.Ordinal);
    }

    public IReadOnlyCollection<EscalationReason> All => [.. _reasons.Values];

    /// <summary>The configured reason. Every code FaqBot raises is checked at start-up, so a miss here is a bug.</summary>
    public EscalationReason Get(string code) => _reasons.TryGetValue(code, out var reason)
        ? reason
        : throw new InvalidOperationException($"Escalation reason '{code}' is not configured in Escalation:Reasons.");

    /// <summary>For display of stored conversations (a reason may have been renamed since): the label, or the code.</summary>
    public string LabelOf(string? code) => code is null ? "Escalated" : _reasons.TryGetValue(code, out var r) ? r.Label : code;

    public bool IsUrgent(string? code) => code is not null && _reasons.TryGetValue(code, out var r) && r.Urgent;

    /// <summary>Escalated by the safety screen: such a chat never starts the callback dialogue
    /// (the crisis response already names 988, 911 and the clinic) and is never offered one later.</summary>
    public static bool IsSafety(string? reason) => reason is Crisis or Emergency or CheckIn;
}

/// <summary>
/// Checks the Escalation section at start-up: every reason FaqBot raises (the built-in ones and every
/// staff-only topic code in phrases.yaml) is configured with a label, and every non-safety reason has the
/// text the patient is told.
/// </summary>
public sealed class EscalationOptionsValidator(PhraseBook phrases) : IValidateOptions<EscalationOptions>
{
    public ValidateOptionsResult Validate(string? name, EscalationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        foreach (var code in EscalationReasons.BuiltIn)
        {
            if (!options.Reasons.ContainsKey(code))
            {
                errors.Add($"Escalation:Reasons lacks '{code}', a reason FaqBot raises itself.");
            }
        }

        foreach (var code in phrases.StaffOnlyReasons)
        {
            if (!options.Reasons.ContainsKey(code))
            {
                errors.Add($"Escalation:Reasons lacks '{code}', a staff-only topic code of phrases.yaml (add it with its priority, label and patient text, or rename it in phrases.yaml).");
            }
        }

        foreach (var (code, reason) in options.Reasons)
        {
            if (reason is null)
            {
                errors.Add($"Escalation:Reasons:{code} is empty.");
                continue;
            }

            if (reason.Priority is < 0 or > 1000)
            {
                errors.Add($"Escalation:Reasons:{code}:Priority must be between 0 and 1000.");
            }

            if (string.IsNullOrWhiteSpace(reason.Label))
            {
                errors.Add($"Escalation:Reasons:{code}:Label is required (staff read it in the queue).");
            }

            if (!EscalationReasons.IsSafety(code) && string.IsNullOrWhiteSpace(reason.PatientText))
            {
                errors.Add($"Escalation:Reasons:{code}:PatientText is required (what the patient is told when the chat is handed over).");
            }
        }

        if (options.Reasons.TryGetValue(EscalationReasons.Crisis, out var crisis) && options.Reasons.Where(r => !EscalationReasons.IsSafety(r.Key)).Any(r => r.Value?.Priority >= crisis.Priority))
        {
            errors.Add("Escalation:Reasons: no other reason may have a priority as high as 'crisis'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
