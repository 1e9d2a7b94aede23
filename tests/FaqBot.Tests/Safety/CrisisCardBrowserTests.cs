using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FaqBot.Tests.Safety;

/// <summary>
/// The crisis card in the official Web Chat (Debian chromium): its heading and tap targets (988 call
/// and text, 911, the clinic) with nobody signed in to the console, with staff online, and with a staff
/// member already in the chat; and no callback question after it. Screenshots go to artifacts/screenshots.
/// </summary>
public sealed class CrisisCardBrowserTests
{
    private const string SendBox = "[data-id='webchat-sendbox-input']";
    private const string Crisis = "I want to kill myself";

    // Records what a tap would open instead of leaving the page (tel: and sms: have no handler here).
    private const string RecordOpenedUrls = "window.__opened = []; window.open = function (url) { window.__opened.push(String(url)); return null; };";

    [Fact]
    public async Task Nobody_signed_in_the_card_has_the_tap_targets_says_the_chat_is_not_watched_and_no_callback_follows()
    {
        await using var server = new FaqBotServer();
        var (playwright, browser) = await StaffBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var patient = await PatientAsync(browser, server);

        await Say(patient, Crisis);

        var card = await AssertCrisisCardAsync(patient);
        await Expect(patient.Locator(".webchat__basic-transcript")).ToContainTextAsync("not watched by a person right now");
        await AssertTapTargetsOpenAsync(patient, card);
        await AssertNoCallbackQuestionAsync(patient);
        await StaffBrowser.ScreenshotAsync(patient, "crisis-1-nobody-signed-in.png");
    }

    [Fact]
    public async Task Staff_online_the_card_has_the_tap_targets_and_no_callback_follows()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var (playwright, browser) = await StaffBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var staff = await (await browser.NewContextAsync(Options(server))).NewPageAsync();
        await StaffBrowser.SignInAsync(staff, "sam@clinic.example", StaffKit.Password);
        var patient = await PatientAsync(browser, server);

        await Say(patient, Crisis);

        var card = await AssertCrisisCardAsync(patient);
        await Expect(patient.Locator(".webchat__basic-transcript")).ToContainTextAsync("alerted our care team as urgent");
        await AssertTapTargetsOpenAsync(patient, card);
        await Expect(staff.Locator("#queue li").First).ToContainTextAsync("URGENT");
        await AssertNoCallbackQuestionAsync(patient);
        await StaffBrowser.ScreenshotAsync(patient, "crisis-2-staff-online-patient.png");
        await StaffBrowser.ScreenshotAsync(staff, "crisis-2-staff-online-console.png");
    }

    [Fact]
    public async Task Staff_in_the_chat_the_card_still_has_the_tap_targets_and_no_callback_follows()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var (playwright, browser) = await StaffBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var staff = await (await browser.NewContextAsync(Options(server))).NewPageAsync();
        await StaffBrowser.SignInAsync(staff, "sam@clinic.example", StaffKit.Password);
        var patient = await PatientAsync(browser, server);
        await Say(patient, "Can I talk to a nurse please?");
        await staff.Locator("#queue li").First.GetByRole(AriaRole.Button).ClickAsync();
        await staff.GetByRole(AriaRole.Button, new() { Name = "Claim" }).ClickAsync();
        await Expect(patient.Locator(".webchat__basic-transcript")).ToContainTextAsync(HandoffTexts.Joined("Sam"));

        await Say(patient, Crisis);

        var card = await AssertCrisisCardAsync(patient);
        await Expect(patient.Locator(".webchat__basic-transcript")).ToContainTextAsync("marked this urgent for Sam");
        await AssertTapTargetsOpenAsync(patient, card);
        await AssertNoCallbackQuestionAsync(patient);
        await StaffBrowser.ScreenshotAsync(patient, "crisis-3-staff-in-chat-patient.png");
        await StaffBrowser.ScreenshotAsync(staff, "crisis-3-staff-in-chat-console.png");
    }

    private static BrowserNewContextOptions Options(FaqBotServer server) =>
        new() { BaseURL = server.BaseAddress.ToString(), ViewportSize = new() { Width = 1100, Height = 1000 } };

    private static async Task<IPage> PatientAsync(IBrowser browser, FaqBotServer server)
    {
        var page = await (await browser.NewContextAsync(Options(server))).NewPageAsync();
        await page.AddInitScriptAsync(RecordOpenedUrls);
        await page.GotoAsync("/");
        await Expect(page.Locator(".webchat__bubble__content").First).ToBeVisibleAsync(); // connected: the welcome is there
        return page;
    }

    private static async Task<ILocator> AssertCrisisCardAsync(IPage page)
    {
        var card = page.Locator(".ac-adaptiveCard").Filter(new() { HasText = Replies.CrisisHeading }).Last;
        await Expect(card).ToBeVisibleAsync();
        foreach (var name in new[] { "Call 988", "Text 988", "Call 911", "Call Harbor Ketamine Clinic" })
        {
            await Expect(card.GetByRole(AriaRole.Button, new() { Name = name })).ToBeVisibleAsync();
        }

        return card;
    }

    /// <summary>
    /// Each button opens its tel:/sms: link the way Web Chat opens links (window.open). The click is dispatched to the
    /// button itself: a click by coordinates was lost now and then when one more activity arrived and the transcript
    /// scrolled between Playwright's stability check and the click (the card moved under the pointer).
    /// </summary>
    private static async Task AssertTapTargetsOpenAsync(IPage page, ILocator card)
    {
        foreach (var name in new[] { "Call 988", "Text 988", "Call 911", "Call Harbor Ketamine Clinic" })
        {
            var button = card.GetByRole(AriaRole.Button, new() { Name = name });
            await Expect(button).ToBeEnabledAsync();
            await button.DispatchEventAsync("click");
        }

        await Expect(page.Locator("body")).ToBeVisibleAsync();
        var opened = await page.EvaluateAsync<string[]>("() => window.__opened");
        Assert.Equal(["tel:988", "sms:988", "tel:911", "tel:5550100199"], opened);
    }

    /// <summary>Nothing after the crisis reply asks for a name or offers a callback, and the card stays.</summary>
    private static async Task AssertNoCallbackQuestionAsync(IPage page)
    {
        await Say(page, "ok");
        var transcript = page.Locator(".webchat__basic-transcript");
        await Expect(transcript).Not.ToContainTextAsync("What name should we ask for");
        await Expect(transcript).Not.ToContainTextAsync("we can contact you instead");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "No thanks" })).ToHaveCountAsync(0);
        await Expect(page.Locator(".ac-adaptiveCard").Filter(new() { HasText = Replies.CrisisHeading }).Last).ToBeVisibleAsync();
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
