using FaqBot.Handoff;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FaqBot.Tests.Staff;

/// <summary>An admin manages accounts and saved replies in the console; a saved reply goes into a chat with Alt+1.</summary>
public sealed class ConsoleAdminBrowserTests
{
    [Fact]
    public async Task Admin_adds_and_disables_an_account_edits_a_saved_reply_and_inserts_it_with_a_keystroke()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "ada@clinic.example", "Ada", StaffRoles.Admin);
        var (playwright, browser) = await StaffBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await (await browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } })).NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await StaffBrowser.SignInAsync(page, "ada@clinic.example", StaffKit.Password);

        // Accounts: a weak password is refused with the rule; a good one adds Kim; then Kim is disabled.
        await page.GetByRole(AriaRole.Link, new() { Name = "Accounts" }).ClickAsync();
        await page.GetByLabel("Sign-in address (e-mail)").FillAsync("kim@clinic.example");
        await page.GetByLabel("Name (patients see it)").FillAsync("Kim");
        await page.GetByLabel("First passphrase (at least 12 characters)").FillAsync("short");
        await page.Locator("#account-password").EvaluateAsync("e => e.removeAttribute('minlength')"); // let the server say it
        await page.GetByRole(AriaRole.Button, new() { Name = "Add account" }).ClickAsync();
        await Expect(page.Locator("#error")).ToContainTextAsync("at least 12 characters");
        await page.GetByLabel("First passphrase (at least 12 characters)").FillAsync(StaffKit.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add account" }).ClickAsync();
        var kim = page.Locator("#accounts tr", new() { HasText = "kim@clinic.example" });
        await Expect(kim).ToContainTextAsync("active");
        await kim.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(kim).ToContainTextAsync("disabled");
        Assert.True((await server.Services.GetRequiredService<IStaffDirectory>().FindByEmailAsync("kim@clinic.example"))!.Disabled);

        // Saved replies: added here, inserted in a chat with Alt+1.
        await page.GetByLabel("Reply title").FillAsync("Greeting");
        await page.GetByLabel("Reply text").FillAsync("Hi, this is the care team. How can we help?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save reply" }).ClickAsync();
        await Expect(page.Locator("#replies-admin li")).ToContainTextAsync("Greeting");
        await StaffBrowser.ScreenshotAsync(page, "admin-1-accounts.png");

        await page.GetByRole(AriaRole.Link, new() { Name = "Queue", Exact = true }).ClickAsync();
        await StaffKit.QueueAsync(server);
        await page.Locator("#queue li").First.GetByRole(AriaRole.Button).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Claim" }).ClickAsync();
        await Expect(page.Locator("#reply")).ToBeFocusedAsync();
        await Expect(page.Locator("#saved-replies")).ToContainTextAsync("Alt+1 Greeting");
        await page.Keyboard.PressAsync("Alt+1");
        await Expect(page.Locator("#reply")).ToHaveValueAsync("Hi, this is the care team. How can we help?");
        await StaffBrowser.ScreenshotAsync(page, "admin-2-saved-reply.png");

        // The audit log view shows what was done.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await Expect(page.Locator("#audit")).ToContainTextAsync("account.disabled");
        await Expect(page.Locator("#audit")).ToContainTextAsync("conversation.claim");
        Assert.Empty(errors);
    }
}
