using System.ComponentModel.DataAnnotations;

namespace FaqBot.Handoff;

/// <summary>The "Staff" section of appsettings.json: duty hours, queue waiting, sign-in rules.</summary>
public sealed class StaffOptions
{
    public const string Section = "Staff";

    /// <summary>
    /// When staff take chats, in the clinic's time zone (<c>Clinic:TimeZone</c>): <c>always</c>,
    /// <c>never</c>, or entries like <c>Mon-Fri 09:00-17:00; Sat 10:00-13:00</c>. See <see cref="DutyHours"/>.
    /// </summary>
    [Required]
    public string DutyHours { get; set; } = "always";

    /// <summary>A conversation queued longer than this is offered a callback.</summary>
    [Range(1, 24 * 60)]
    public int MaxQueueWaitMinutes { get; set; } = 10;

    /// <summary>How often the queue is checked for long waits.</summary>
    [Range(1, 3600)]
    public int QueueCheckSeconds { get; set; } = 30;

    [Range(1, 100)]
    public int MaxFailedSignIns { get; set; } = 5;

    [Range(1, 24 * 60)]
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>How long a console sign-in lasts.</summary>
    [Range(1, 24 * 7)]
    public int SessionHours { get; set; } = 12;
}
