using FaqBot.Handoff;
using FaqBot.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FaqBot.Tests.Staff;

/// <summary>
/// A working day in three browser contexts against one running FaqBot: two staff members (Sam, Lee) in the console
/// and a patient in the official Web Chat. Sam's page runs on Playwright's clock, so "a minute later" is a jump of the
/// page's clock, not a wait.
/// </summary>
public sealed class ConsoleWorkdayBrowserTests
{
    private const string SendBox = "[data-id='webchat-sendbox-input']";

    [Fact]
    public async Task Urgent_chat_re_alerts_until_claimed_typing_shows_both_ways_and_sam_transfers_to_lee()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        await StaffKit.AddStaffAsync(server, "lee@clinic.example", "Lee");
        var (playwright, browser) = await StaffBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var options = new BrowserNewContextOptions { BaseURL = server.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } };
        var samContext = await browser.NewContextAsync(options);
        // Sam allowed desktop alerts: a stand-in Notification records what the console shows there.
        await samContext.AddInitScriptAsync("""
            window.__notifications = [];
            window.Notification = class { constructor(title, options) { window.__notifications.push({ title, body: options && options.body }); } };
            window.Notification.permission = "granted";
            window.Notification.requestPermission = async () => "granted";
            """);
        var sam = await samContext.NewPageAsync();
        var lee = await (await browser.NewContextAsync(options)).NewPageAsync();
        var patient = await (await browser.NewContextAsync(options)).NewPageAsync();
        var errors = new List<string>();
        sam.PageError += (_, e) => errors.Add(e);
        lee.PageError += (_, e) => errors.Add(e);
        await sam.Clock.InstallAsync();

        await StaffBrowser.SignInAsync(sam, "sam@clinic.example", StaffKit.Password);
        await StaffBrowser.SignInAsync(lee, "lee@clinic.example", StaffKit.Password);
        await patient.GotoAsync("/");
        await Expect(patient.Locator(".webchat__bubble__content").First).ToBeVisibleAsync();
        await Say(patient, "I want to kill myself");

        // The first alert, then nobody claims it: every minute it alerts again (sound, title, banner).
        var row = sam.Locator("#queue li.urgent").First;
        await Expect(row).ToContainTextAsync("Crisis");
        await Expect(row).ToContainTextAsync("I want to kill myself");
        await Expect(row.Locator(".ref")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9A-Z]{3}-[0-9A-Z]{3}$"));
        await Expect(sam.Locator("body")).ToHaveAttributeAsync("data-alerts", "1");
        Assert.Null(await sam.Locator("body").GetAttributeAsync("data-realerts"));
        await sam.Clock.FastForwardAsync("01:05");
        await Expect(sam.Locator("body")).ToHaveAttributeAsync("data-realerts", "1");
        await Expect(sam).ToHaveTitleAsync("(1) URGENT · Care team console");
        await Expect(sam.Locator("#alert")).ToContainTextAsync("still waiting unclaimed");
        await Expect(row.Locator(".wait")).ToContainTextAsync("min");
        // A queue refresh after the jump (the patient writes again) keeps the wait where it was: the server's clock
        // did not jump, so its count restarts near zero, and the console keeps the start it already had.
        await sam.RunAndWaitForResponseAsync(() => Say(patient, "is anyone there?"), r => r.Url.EndsWith("/api/staff/queue", StringComparison.Ordinal));
        await Expect(row.Locator(".wait")).ToContainTextAsync("min");
        await sam.Clock.FastForwardAsync("01:05");
        await Expect(sam.Locator("body")).ToHaveAttributeAsync("data-realerts", "2");
        await StaffBrowser.ScreenshotAsync(sam, "workday-1-urgent-realert.png");
        var notifications = await sam.EvaluateAsync<string>("JSON.stringify(window.__notifications)");
        Assert.Equal(2, System.Text.Json.JsonDocument.Parse(notifications).RootElement.GetArrayLength());
        Assert.Contains("URGENT", notifications, StringComparison.Ordinal);
        Assert.DoesNotContain("kill", notifications, StringComparison.OrdinalIgnoreCase); // never the patient's words

        // Sam claims: the re-alerts stop.
        await row.GetByRole(AriaRole.Button).ClickAsync();
        await sam.GetByRole(AriaRole.Button, new() { Name = "Claim" }).ClickAsync();
        await Expect(sam.Locator("#reply")).ToBeEnabledAsync();
        await Expect(sam.Locator("#queue li").First).ToContainTextAsync("with staff (Sam)");
        await Expect(sam).ToHaveTitleAsync("Care team console");
        await sam.Clock.FastForwardAsync("02:10");
        await Expect(sam.Locator("#queue li").First).ToContainTextAsync("with staff (Sam)");
        Assert.Equal("2", await sam.Locator("body").GetAttributeAsync("data-realerts"));
        Assert.Equal(2, await sam.EvaluateAsync<int>("window.__notifications.length"));

        // Typing both ways: Sam's typing shows in Web Chat; the patient's typing shows in the console.
        var transcript = patient.Locator(".webchat__basic-transcript");
        await Expect(transcript).ToContainTextAsync(HandoffTexts.Joined("Sam"));
        await sam.Locator("#reply").PressSequentiallyAsync("I'm here with you");
        await Expect(patient.Locator(".webchat__typing-indicator")).ToBeVisibleAsync();
        await StaffBrowser.ScreenshotAsync(patient, "workday-2-patient-sees-staff-typing.png");
        await sam.Locator("#reply").PressAsync("Enter");
        await Expect(transcript).ToContainTextAsync("I'm here with you");
        await patient.Locator(SendBox).PressSequentiallyAsync("thank you, I");
        await Expect(sam.Locator("#patient-typing")).ToBeVisibleAsync();
        await StaffBrowser.ScreenshotAsync(sam, "workday-3-staff-sees-patient-typing.png");
        await patient.Locator(SendBox).PressAsync("Enter");
        await Expect(sam.Locator("#transcript li.patient").Last).ToContainTextAsync("thank you, I");

        // An internal note stays in the console.
        await sam.Locator("#note").FillAsync("Handing to Lee, who knows this patient.");
        await sam.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
        await Expect(sam.Locator("#transcript li.note")).ToContainTextAsync("Handing to Lee");

        // Sam transfers to Lee (signed in): Lee owns it, the patient is told, Lee replies.
        await sam.Locator("#transfer-to").SelectOptionAsync(new SelectOptionValue { Label = "Lee" });
        await sam.GetByRole(AriaRole.Button, new() { Name = "Transfer" }).ClickAsync();
        await Expect(sam.Locator("#conversation-meta")).ToContainTextAsync("owner: Lee");
        await Expect(sam.Locator("#reply")).ToBeDisabledAsync();
        await Expect(transcript).ToContainTextAsync(HandoffTexts.Transferred("Sam", "Lee"));
        var leeRow = lee.Locator("#queue li").First;
        await Expect(leeRow).ToContainTextAsync("with staff (Lee)");
        await leeRow.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(lee.Locator("#transcript li.note")).ToContainTextAsync("Handing to Lee");
        await Expect(lee.Locator("#reply")).ToBeEnabledAsync();
        await lee.Locator("#reply").FillAsync("Hi, it's Lee. I'm with you now.");
        await lee.Locator("#reply").PressAsync("Enter");
        await Expect(transcript).ToContainTextAsync("Hi, it's Lee. I'm with you now.");
        await Expect(transcript).Not.ToContainTextAsync("Handing to Lee");
        await StaffBrowser.ScreenshotAsync(lee, "workday-4-lee-after-transfer.png");
        await StaffBrowser.ScreenshotAsync(patient, "workday-5-patient-after-transfer.png");
        Assert.Empty(errors);
    }

    private static async Task Say(IPage page, string text)
    {
        var box = page.Locator(SendBox);
        await Expect(box).ToBeEnabledAsync();
        await box.FillAsync(text);
        await box.PressAsync("Enter");
        await Expect(page.Locator(".webchat__basic-transcript")).ToContainTextAsync(text);
    }
}
