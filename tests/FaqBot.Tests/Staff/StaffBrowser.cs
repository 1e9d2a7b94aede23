using FaqBot.Hosting;
using Microsoft.Playwright;

namespace FaqBot.Tests.Staff;

/// <summary>Debian's chromium driven by Playwright (never a downloaded browser), and where screenshots go.</summary>
internal static class StaffBrowser
{
    public static readonly string Artifacts = Path.Combine(FaqBotHost.FindRoot(), "artifacts", "screenshots");

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        Assertions.SetDefaultExpectTimeout(30_000); // generous for a slow shared machine; expectations poll, they do not sleep
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(Artifacts);
        return (playwright, browser);
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, name), FullPage = true });

    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/staff");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Live"); // the live feed is connected: staff count as online
    }
}
