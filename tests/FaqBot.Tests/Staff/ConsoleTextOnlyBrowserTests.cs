using FaqBot.Handoff;
using FaqBot.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FaqBot.Tests.Staff;

/// <summary>Everything a staff page shows of what a patient wrote is text, never HTML: queue, transcript, summary, history.</summary>
public sealed class ConsoleTextOnlyBrowserTests
{
    private static readonly string[] Payloads =
    [
        "<img src=x onerror=\"window.__xss='img'\"> can I talk to someone",
        "<script>window.__xss='script'</script>",
        "<svg onload=\"window.__xss='svg'\"></svg><b>bold</b>",
        "<a href=\"javascript:window.__xss='link'\">click me</a> \"><iframe src=\"javascript:window.__xss='iframe'\"></iframe>",
        "[click](javascript:window.__xss='md') **not bold** <style>body{display:none}</style>",
    ];

    [Fact]
    public async Task Patient_payloads_show_as_literal_text_on_every_staff_view()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "ada@clinic.example", "Ada", StaffRoles.Admin);
        var id = await StaffKit.QueueAsync(server, Payloads[0]);
        foreach (var payload in Payloads.Skip(1))
        {
            await StaffKit.PatientSaysAsync(server, id, payload);
        }

        var (playwright, browser) = await StaffBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await (await browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } })).NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
        await StaffBrowser.SignInAsync(page, "ada@clinic.example", StaffKit.Password);

        // Queue row: the message that escalated, as text.
        var row = page.Locator("#queue li").First;
        await Expect(row).ToContainTextAsync("<img src=x onerror=\"window.__xss='img'\"> can I talk to someone");

        // Transcript and summary.
        await row.GetByRole(AriaRole.Button).ClickAsync();
        var transcript = page.Locator("#transcript");
        foreach (var payload in Payloads)
        {
            await Expect(transcript.Locator("li.patient").Filter(new() { HasText = payload })).ToHaveCountAsync(1);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Claim" }).ClickAsync();
        await page.Locator("#note").FillAsync("<img src=y onerror=\"window.__xss='note'\">");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
        await Expect(transcript.Locator("li.note")).ToContainTextAsync("<img src=y onerror=");
        await AssertNoMarkupAsync(page);
        await StaffBrowser.ScreenshotAsync(page, "text-only-1-transcript.png");

        // History: found by the payload's words, shown as text.
        await page.GetByRole(AriaRole.Link, new() { Name = "History" }).ClickAsync();
        await page.Locator("#history-q").FillAsync("onerror");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.Locator("#history li").First).ToContainTextAsync("<img src=x onerror=");
        await AssertNoMarkupAsync(page);
        await StaffBrowser.ScreenshotAsync(page, "text-only-2-history.png");

        Assert.Empty(dialogs);
        Assert.Null(await page.EvaluateAsync<string?>("window.__xss ?? null"));
    }

    /// <summary>No element a payload could have made exists anywhere in the console's body.</summary>
    private static async Task AssertNoMarkupAsync(IPage page)
    {
        Assert.Equal(0, await page.Locator("body img, body script, body svg, body iframe, body b, body style, body a[href^='javascript']").CountAsync());
        Assert.Null(await page.EvaluateAsync<string?>("window.__xss ?? null"));
    }
}
