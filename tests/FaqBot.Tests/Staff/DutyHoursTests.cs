using FaqBot.Handoff;

namespace FaqBot.Tests.Staff;

public sealed class DutyHoursTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static DateTimeOffset Local(int year, int month, int day, int hour, int minute = 0) =>
        new(TimeZoneInfo.ConvertTimeToUtc(new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified), NewYork), TimeSpan.Zero);

    [Theory]
    [InlineData("always", 2025, 3, 1, 3, true)]
    [InlineData("never", 2025, 3, 3, 10, false)]
    [InlineData("Mon-Fri 09:00-17:00", 2025, 3, 3, 9, true)]     // Monday 9:00 opens
    [InlineData("Mon-Fri 09:00-17:00", 2025, 3, 3, 17, false)]   // 17:00 is closed
    [InlineData("Mon-Fri 09:00-17:00", 2025, 3, 1, 12, false)]   // Saturday
    [InlineData("mon-fri 09:00-12:00, 13:00-17:00; Sat 10:00-13:00", 2025, 3, 3, 12, false)] // lunch
    [InlineData("mon-fri 09:00-12:00, 13:00-17:00; Sat 10:00-13:00", 2025, 3, 1, 10, true)]
    [InlineData("Fri-Mon 20:00-24:00", 2025, 3, 2, 23, true)]    // a range across the week's end (Sunday)
    [InlineData("Saturday,Sunday 08:00-10:00", 2025, 3, 2, 9, true)]
    public void Open_or_closed_in_the_clinic_time_zone(string hours, int y, int m, int d, int h, bool open) =>
        Assert.Equal(open, DutyHours.Parse(hours).IsOpen(Local(y, m, d, h), NewYork));

    [Fact]
    public void Next_opening_skips_the_weekend_and_follows_daylight_saving()
    {
        var hours = DutyHours.Parse("Mon-Fri 09:00-17:00");

        // Friday 8 March 2024 18:00 EST; DST starts Sunday 10 March, so Monday 9:00 is EDT (13:00 UTC).
        var next = hours.NextOpening(Local(2024, 3, 8, 18), NewYork);

        Assert.Equal(new DateTimeOffset(2024, 3, 11, 13, 0, 0, TimeSpan.Zero), next);
        Assert.Equal(Local(2024, 3, 8, 9), hours.NextOpening(Local(2024, 3, 8, 7), NewYork));
        Assert.Equal("Monday at 9:00 AM", HandoffTexts.When(next!.Value, NewYork, Local(2024, 3, 8, 18)));
        Assert.Equal("tomorrow at 9:00 AM", HandoffTexts.When(Local(2024, 3, 12, 9), NewYork, Local(2024, 3, 11, 18)));
        Assert.Null(DutyHours.Parse("never").NextOpening(Local(2024, 3, 8, 18), NewYork));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sometimes")]
    [InlineData("Mon-Fri")]
    [InlineData("Mon-Fri 9-5")]
    [InlineData("Mon-Fri 17:00-09:00")]
    [InlineData("Funday 09:00-17:00")]
    [InlineData("Monkey 09:00-17:00")]
    [InlineData("Mon 09:00-25:00")]
    public void Bad_duty_hours_are_refused_with_a_reason(string text)
    {
        Assert.False(DutyHours.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.Throws<FormatException>(() => DutyHours.Parse(text));
    }

    [Fact]
    public void Bad_duty_hours_stop_the_server_from_starting()
    {
        var error = Assert.ThrowsAny<Exception>(() => new Infrastructure.FaqBotServer(new Dictionary<string, string?> { ["Staff:DutyHours"] = "weekdays" }));
        Assert.Contains("Staff:DutyHours", Flatten(error), StringComparison.Ordinal);
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " " + Flatten(e.InnerException);
}
