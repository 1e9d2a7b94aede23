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

    /// <summary>
    /// Failed sign-ins for one e-mail (known or not) before each further attempt waits: 1 s, then twice as
    /// long each time, up to <see cref="AccountMaxDelaySeconds"/>. Short on purpose: a stranger who knows an
    /// address can slow that account down, never lock it.
    /// </summary>
    [Range(1, 1000)]
    public int FreeSignInsPerAccount { get; set; } = 5;

    [Range(1, 3600)]
    public int AccountMaxDelaySeconds { get; set; } = 60;

    /// <summary>Failed sign-ins from one address (any e-mail) before it waits, growing up to <see cref="AddressMaxDelayMinutes"/>.</summary>
    [Range(1, 100_000)]
    public int FreeSignInsPerAddress { get; set; } = 20;

    [Range(1, 24 * 60)]
    public int AddressMaxDelayMinutes { get; set; } = 15;

    /// <summary>A throttle with no failure for this long starts again from zero.</summary>
    [Range(1, 7 * 24 * 60)]
    public int SignInResetMinutes { get; set; } = 60;

    /// <summary>How long a console sign-in lasts.</summary>
    [Range(1, 24 * 7)]
    public int SessionHours { get; set; } = 12;
}
