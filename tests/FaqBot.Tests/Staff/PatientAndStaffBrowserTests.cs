using FaqBot.Handoff;
using FaqBot.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FaqBot.Tests.Staff;

/// <summary>
/// The whole handoff in two browser contexts: a patient in the official Web Chat on <c>/</c> and a
/// staff member in the console on <c>/staff</c>, against one running FaqBot.
/// </summary>
public sealed class PatientAndStaffBrowserTests
{
    private const string SendBox = "[data-id='webchat-sendbox-input']";

    [Fact]
    public async Task Patient_asks_for_a_person_staff_claim_and_reply_then_hand_back_and_the_bot_answers_with_a_citation()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var (playwright, browser) = await StaffBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var options = new BrowserNewContextOptions { BaseURL = server.BaseAddress.ToString(), ViewportSize = new() { Width = 1100, Height = 900 } };
        var staff = await (await browser.NewContextAsync(options)).NewPageAsync();
        var patient = await (await browser.NewContextAsync(options)).NewPageAsync();

        // Staff are signed in (the console is open), so the chat is queued rather than turned into a callback.
        await StaffBrowser.SignInAsync(staff, "sam@clinic.example", StaffKit.Password);
        await patient.GotoAsync("/");
        var transcript = patient.Locator(".webchat__basic-transcript");
        await Expect(patient.Locator(".webchat__bubble__content").First).ToBeVisibleAsync(); // connected: the welcome is there
        await Say(patient, "Can I talk to a nurse please?");

        // The staff member sees the alert, claims and replies.
        await Expect(staff.Locator("#alert")).ToBeVisibleAsync();
        await Expect(staff).ToHaveTitleAsync("(1) Care team console");
        await staff.Locator("#queue li").First.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(staff.Locator("#transcript")).ToContainTextAsync("Can I talk to a nurse please?");
        await staff.GetByRole(AriaRole.Button, new() { Name = "Claim" }).ClickAsync();
        await staff.Locator("#reply").FillAsync("Hi, this is Sam from the care team. How can I help?");
        await staff.Locator("#reply").PressAsync("Enter");

        // The patient sees who joined and the reply under the staff member's name; a patient message reaches staff live.
        await Expect(transcript).ToContainTextAsync(HandoffTexts.Joined("Sam"));
        await Expect(transcript).ToContainTextAsync("Hi, this is Sam from the care team. How can I help?");
        await Say(patient, "I was wondering about my next appointment");
        await Expect(staff.Locator("#transcript li.patient").Last).ToContainTextAsync("I was wondering about my next appointment");
        await StaffBrowser.ScreenshotAsync(patient, "handoff-1-patient-with-staff.png");
        await StaffBrowser.ScreenshotAsync(staff, "handoff-1-staff-with-patient.png");

        // Hand back: the patient is told, and the bot answers the next question with a citation again.
        await staff.GetByRole(AriaRole.Button, new() { Name = "Hand back to the assistant" }).ClickAsync();
        await Expect(transcript).ToContainTextAsync(HandoffTexts.HandedBack);
        var bubblesBefore = await patient.Locator(".webchat__bubble__content").CountAsync();
        await Say(patient, "Can I drive afterward?");
        await Expect(patient.Locator(".webchat__bubble__content")).ToHaveCountAsync(bubblesBefore + 2); // the question and the answer
        var answer = patient.Locator(".webchat__bubble__content").Last;
        await Expect(answer.Locator(".webchat__render-markdown__citation").First).ToBeVisibleAsync();
        await StaffBrowser.ScreenshotAsync(patient, "handoff-2-patient-back-with-bot.png");
        await StaffBrowser.ScreenshotAsync(staff, "handoff-2-staff-handed-back.png");
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
