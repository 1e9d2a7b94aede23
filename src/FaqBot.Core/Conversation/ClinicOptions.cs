using System.ComponentModel.DataAnnotations;

namespace FaqBot.Conversation;

/// <summary>The clinic's identity, from the "Clinic" section of appsettings.json.</summary>
public sealed class ClinicOptions
{
    public const string Section = "Clinic";

    [Required]
    public string Name { get; set; } = "";

    /// <summary>Shown in every crisis response. Must be a real, staffed number.</summary>
    [Required]
    public string Phone { get; set; } = "";

    [Required]
    public string AssistantName { get; set; } = "Clinic assistant";

    [RegularExpression("^#[0-9a-fA-F]{6}$")]
    public string PrimaryColor { get; set; } = "#0f5f6f";

    [RegularExpression("^#[0-9a-fA-F]{6}$")]
    public string AccentColor { get; set; } = "#f2a541";

    /// <summary>IANA time zone of the clinic (duty hours, "next available").</summary>
    [Required]
    public string TimeZone { get; set; } = "America/New_York";
}
