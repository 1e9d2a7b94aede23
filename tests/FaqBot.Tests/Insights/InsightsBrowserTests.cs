using FaqBot.Answering;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Staff;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FaqBot.Tests.Insights;

public sealed class InsightsBrowserTests
{
    [Fact]
    public async Task Charts_render_with_the_database_counts_and_a_missed_question_is_taught_from_the_page()
    {
        const string Hostile = "<img src=x onerror=\"document.title='pwned'\"> do many folks get zero benefit";
        await using var server = new FaqBotServer();
        using var admin = await InsightsKit.SignedInAdminAsync(server);
        await InsightsKit.SeedAsync(server, admin, missed: Hostile);

        var (playwright, browser) = await StaffBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);

        await StaffBrowser.SignInAsync(page, "ada@clinic.example", StaffKit.Password);
        await page.GetByRole(AriaRole.Link, new() { Name = "Insights" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/staff/insights$"));
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-loaded", "true");

        // Chart.js drew every chart (a canvas it owns has pixels), and the numbers beside them are the database's.
        foreach (var id in new[] { "chart-per-day", "chart-outcomes", "chart-feedback", "chart-hours" })
        {
            Assert.True(await page.EvaluateAsync<bool>($"(() => {{ const c = document.getElementById('{id}'); return !!Chart.getChart(c) && c.width > 0 && c.height > 0; }})()"), id);
        }

        await Expect(page.Locator("#stat-conversations")).ToHaveTextAsync((await InsightsKit.ConversationsWithPatientMessagesAsync(server)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator("#stat-claims")).ToHaveTextAsync((await InsightsKit.ClaimCountAsync(server)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var outcomes = await TableAsync(page, "table-outcomes");
        Assert.Equal(await InsightsKit.OutcomeCountAsync(server, Outcomes.Answer), outcomes["Answered"]);
        Assert.Equal(await InsightsKit.OutcomeCountAsync(server, Outcomes.Fallback), outcomes["Fell back"]);
        Assert.Equal(await InsightsKit.OutcomeCountAsync(server, Outcomes.Crisis), outcomes["Crisis"]);
        Assert.Equal(await InsightsKit.OutcomeCountAsync(server, Outcomes.Handoff), outcomes["Handed off"]);
        var feedback = await TableAsync(page, "table-feedback");
        Assert.Equal(await InsightsKit.FeedbackCountAsync(server, "like"), feedback["Thumbs up"]);
        Assert.Equal(await InsightsKit.FeedbackCountAsync(server, "dislike"), feedback["Thumbs down"]);
        Assert.Equal(await InsightsKit.ConversationsWithPatientMessagesAsync(server), (await TableAsync(page, "table-per-day")).Values.Sum());

        // The missed question is shown as text, never as HTML.
        var group = page.Locator("#missed li.group").Filter(new() { HasText = "zero benefit" });
        await Expect(group).ToContainTextAsync(Hostile);
        Assert.Equal(0, await page.Locator("#missed img").CountAsync());
        await StaffBrowser.ScreenshotAsync(page, "insights-1-charts.png");

        // Teach it: search the articles, pick a passage, and it is listed as taught by this admin.
        await group.GetByRole(AriaRole.Button, new() { Name = "Teach the bot" }).ClickAsync();
        await page.Locator("#teach-question").FillAsync("do many folks get zero benefit");
        await page.Locator("#teach-words").FillAsync("does ketamine work for everyone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await page.Locator("#teach-results li").First.GetByRole(AriaRole.Button, new() { Name = "Use this passage" }).ClickAsync();
        await Expect(page.Locator("#teach-status")).ToContainTextAsync("Taught.");
        await Expect(page.Locator("#taught tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#taught tbody tr")).ToContainTextAsync("do many folks get zero benefit");
        await Expect(page.Locator("#taught tbody tr")).ToContainTextAsync(admin.Me.Name);
        await StaffBrowser.ScreenshotAsync(page, "insights-2-taught.png");

        Assert.NotEqual("pwned", await page.TitleAsync());
        Assert.Empty(scriptErrors);
    }

    [Fact]
    public async Task Signed_out_the_page_sends_staff_to_sign_in_and_shows_no_figures()
    {
        await using var server = new FaqBotServer();
        var (playwright, browser) = await StaffBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var page = await (await browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString() })).NewPageAsync();

        await page.GotoAsync("/staff/insights");

        await Expect(page.Locator("#signed-out")).ToBeVisibleAsync();
        await Expect(page.Locator("#signed-out a")).ToHaveAttributeAsync("href", "/staff");
        await Expect(page.Locator("#insights")).ToBeHiddenAsync();
    }

    /// <summary>A two-column numbers table as label → count.</summary>
    private static async Task<Dictionary<string, long>> TableAsync(IPage page, string id)
    {
        var rows = await page.Locator($"#{id} tbody tr").AllAsync();
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var cells = await row.Locator("td").AllTextContentsAsync();
            result[cells[0]] = long.Parse(cells[1], System.Globalization.CultureInfo.InvariantCulture);
        }

        return result;
    }
}
