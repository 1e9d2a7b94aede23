using FaqBot.Search;
using System.Text.Json;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Knowledge;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Staff;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FaqBot.Tests.Channels.DirectLine;

/// <summary>
/// The chat page as a chat: one screen high, scrolling inside itself, resuming at the latest reply; citations
/// that open the article at the passage; staff who look like people; no serious accessibility violations.
/// Screenshots go to artifacts/screenshots. With FAQBOT_README_SCREENSHOTS=1 the desktop and phone shots are
/// also copied to docs/screenshots/ for the README (see README, "Chat page &amp; Direct Line").
/// </summary>
public sealed class ChatPageBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string SendBox = "[data-id='webchat-sendbox-input']";
    private const string BotBubbles = ".webchat__bubble:not(.webchat__bubble--from-user)";

    private static readonly string[] Questions =
    [
        "What will I feel during the infusion?", "Can I drive afterward?", "How long does an infusion take?",
        "What side effects can ketamine cause?", "What should I do before my first infusion?", "How fast does ketamine start working?",
        "How will I feel the day after?", "What should I bring to my appointment?", "How does ketamine work in the brain?",
        "What helps with recovery after treatment?",
    ];

    [Theory]
    [InlineData(1280, 800, "desktop")]
    [InlineData(390, 844, "phone")]
    public async Task After_ten_questions_the_page_is_one_screen_the_last_reply_is_in_view_and_a_reload_resumes_there(int width, int height, string name)
    {
        await using var server = new FaqBotServer();
        var page = await OpenAsync(server, width, height);

        foreach (var question in Questions)
        {
            await AskAsync(page, question);
        }

        var lastQuote = (await page.Locator(BotBubbles).Last.Locator("p").Nth(1).InnerTextAsync()).Trim(); // the quoted passage
        await AssertOneScreenWithLastReplyInViewAsync(page, width, height);
        await page.ScreenshotAsync(new() { Path = Artifact($"chat-{name}.png") });

        await page.ReloadAsync();
        await Expect(page.Locator(BotBubbles).Last).ToContainTextAsync(lastQuote[..Math.Min(60, lastQuote.Length)]);
        await AssertOneScreenWithLastReplyInViewAsync(page, width, height);
        await page.ScreenshotAsync(new() { Path = Artifact($"chat-{name}-reloaded.png") });
        PublishForReadme($"chat-{name}.png");
    }

    [Fact]
    public async Task A_citation_popup_shows_the_paragraph_and_a_link_that_opens_the_article_at_the_highlighted_passage()
    {
        await using var server = new FaqBotServer();
        var page = await OpenAsync(server, 1280, 800);
        await AskAsync(page, "Can I drive afterward?");

        await page.Locator(BotBubbles).Last.Locator(".webchat__render-markdown__citation").First.ClickAsync();
        var dialog = page.Locator(".webchat__citation-modal-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        var body = dialog.Locator(".webchat__citation-modal-dialog__body");
        await Expect(body.Locator("strong").First).ToBeVisibleAsync(); // the passage, in bold inside its paragraph
        var passage = (await body.Locator("strong").First.InnerTextAsync()).Trim();
        Assert.True((await body.InnerTextAsync()).Trim().Length > passage.Length, "The popup shows more of the paragraph than the passage.");
        await Expect(body).ToContainTextAsync("Reviewed");
        var link = body.Locator("a[href*='/articles/']");
        await Expect(link).ToHaveCountAsync(1);
        Assert.StartsWith(server.BaseAddress.ToString().TrimEnd('/') + "/articles/", await link.GetAttributeAsync("href"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Artifact("citation-popup.png") });

        var article = await page.Context.RunAndWaitForPageAsync(() => link.ClickAsync());
        await article.WaitForLoadStateAsync(LoadState.Load);
        Assert.Matches("/articles/[a-z0-9-]+\\?quote=\\d+-\\d+#quoted$", article.Url);
        var mark = article.Locator("mark#quoted");
        await Expect(mark).ToBeVisibleAsync();
        Assert.Equal(Normalize(passage), Normalize(string.Concat(await article.Locator("mark.quoted").AllInnerTextsAsync())));
        await article.WaitForFunctionAsync(
            "() => { const r = document.getElementById('quoted').getBoundingClientRect(); return window.scrollY > 0 && r.top >= 0 && r.top < window.innerHeight; }",
            null, new() { Timeout = 30_000 });
        Assert.NotEqual("rgba(0, 0, 0, 0)", await mark.EvaluateAsync<string>("m => getComputedStyle(m).backgroundColor"));
        await article.ScreenshotAsync(new() { Path = Artifact("article-highlighted.png") });
    }

    [Fact]
    public async Task Staff_messages_show_the_staff_members_name_and_initials_not_the_bots_avatar()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam Rivera");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        await using var feed = await FeedReader.OpenAsync(sam); // on duty and signed in
        var page = await OpenAsync(server, 1280, 800);

        await AskAsync(page, "Can I talk to a person please?");
        var conversationId = await page.EvaluateAsync<string>("() => JSON.parse(sessionStorage.getItem('faqbot.chat')).conversationId");
        Assert.True((await sam.PostAsync($"/api/staff/conversations/{conversationId}/claim")).IsSuccessStatusCode);
        Assert.True((await sam.PostAsync($"/api/staff/conversations/{conversationId}/messages", new { text = "Hi, I'm Sam from the care team. How can I help?" })).IsSuccessStatusCode);

        var staffMessage = page.Locator(".faqbot-staff-message[data-staff-name='Sam Rivera']");
        await Expect(staffMessage).ToContainTextAsync("Hi, I'm Sam from the care team. How can I help?");
        await Expect(staffMessage.Locator(".faqbot-staff-message__name")).ToHaveTextAsync("Sam Rivera · care team");
        await Expect(staffMessage.Locator(".faqbot-staff-avatar")).ToHaveTextAsync("SR");
        Assert.Equal(0, await staffMessage.Locator(".webchat__defaultAvatar").CountAsync());
        Assert.DoesNotContain("(care team):", await staffMessage.InnerTextAsync(), StringComparison.Ordinal); // the name once
        // The bot's own messages keep the clinic's avatar.
        var botAvatar = page.Locator(".webchat__basic-transcript__activity:not(:has(.faqbot-staff-message)) .webchat__initialsAvatar").First;
        await Expect(botAvatar).ToHaveTextAsync("HK");
        await page.ScreenshotAsync(new() { Path = Artifact("staff-message.png") });
    }

    [Fact]
    public async Task Axe_finds_no_serious_or_critical_violations_on_the_chat_the_console_and_an_article()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var chat = await OpenAsync(server, 1280, 800, bypassCsp: true);
        await AskAsync(chat, "Can I drive afterward?");
        await AssertAccessibleAsync(chat, "/");

        var staff = await NewPageAsync(server, 1280, 800, bypassCsp: true);
        await StaffBrowser.SignInAsync(staff, "sam@clinic.example", StaffKit.Password);
        await AssertAccessibleAsync(staff, "/staff");

        var slug = ArticleQuote.Slug(server.Services.GetRequiredService<KnowledgeBase>().Current.Knowledge.Articles[0].Source);
        var article = await NewPageAsync(server, 1280, 800, bypassCsp: true);
        await article.GotoAsync($"/articles/{slug}");
        await AssertAccessibleAsync(article, $"/articles/{slug}");
    }

    private static async Task AssertAccessibleAsync(IPage page, string what)
    {
        await page.AddScriptTagAsync(new() { Path = Path.Combine(TestPaths.Root, "tests", "FaqBot.Tests", "Node", "node_modules", "axe-core", "axe.min.js") });
        var violations = await page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations" +
            ".map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }))");
        var serious = violations.EnumerateArray().Where(v => v.GetProperty("impact").GetString() is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"axe on {what}: " + string.Join("; ", serious.Select(v => v.ToString())));
    }

    private static async Task AssertOneScreenWithLastReplyInViewAsync(IPage page, int width, int height)
    {
        // The page never grows: Web Chat scrolls inside its own box.
        Assert.Equal(height, await page.EvaluateAsync<int>("() => document.documentElement.scrollHeight"));
        Assert.Equal(height, await page.EvaluateAsync<int>("() => window.innerHeight"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"Nothing scrolls sideways at {width} px.");
        // The last reply is entirely inside the transcript's visible area (Web Chat scrolls to it).
        await page.WaitForFunctionAsync(
            """
            () => {
              const bubbles = document.querySelectorAll('.webchat__bubble:not(.webchat__bubble--from-user)');
              const last = bubbles[bubbles.length - 1].getBoundingClientRect();
              const box = document.querySelector('.webchat__basic-transcript__scrollable').getBoundingClientRect();
              return last.top >= box.top - 1 && last.bottom <= box.bottom + 1 && last.bottom <= window.innerHeight;
            }
            """, null, new() { Timeout = 30_000 });
    }

    private async Task<IPage> OpenAsync(FaqBotServer server, int width, int height, bool bypassCsp = false)
    {
        var page = await NewPageAsync(server, width, height, bypassCsp);
        await page.GotoAsync("/");
        await Expect(page.Locator(SendBox)).ToBeVisibleAsync();
        await Expect(page.Locator(BotBubbles).First).ToBeVisibleAsync(); // the welcome
        return page;
    }

    private async Task<IPage> NewPageAsync(FaqBotServer server, int width, int height, bool bypassCsp)
    {
        Assertions.SetDefaultExpectTimeout(30_000); // a slow shared machine; expectations poll, they do not sleep
        var context = await browser.Browser.NewContextAsync(new()
        {
            BaseURL = server.BaseAddress.ToString(),
            ViewportSize = new() { Width = width, Height = height },
            BypassCSP = bypassCsp, // only so the test can inject axe-core
        });
        return await context.NewPageAsync();
    }

    /// <summary>Sends a question and waits for the bot's reply to it.</summary>
    private static async Task AskAsync(IPage page, string question)
    {
        var before = await page.Locator(BotBubbles).CountAsync();
        var box = page.Locator(SendBox);
        await Expect(box).ToBeEnabledAsync();
        await box.FillAsync(question);
        await box.PressAsync("Enter");
        await Expect(page.Locator(BotBubbles)).Not.ToHaveCountAsync(before);
    }

    private static string Artifact(string name)
    {
        Directory.CreateDirectory(StaffBrowser.Artifacts);
        return Path.Combine(StaffBrowser.Artifacts, name);
    }

    /// <summary>FAQBOT_README_SCREENSHOTS=1 copies a screenshot to docs/screenshots/, where the README shows it.</summary>
    private static void PublishForReadme(string name)
    {
        if (Environment.GetEnvironmentVariable("FAQBOT_README_SCREENSHOTS") != "1")
        {
            return;
        }

        var docs = Path.Combine(TestPaths.Root, "docs", "screenshots");
        Directory.CreateDirectory(docs);
        File.Copy(Artifact(name), Path.Combine(docs, name), overwrite: true);
    }

    /// <summary>Single spaces and straight quotes (Web Chat's Markdown prints typographic ones).</summary>
    private static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        .Replace('\u2019', '\'').Replace('\u2018', '\'').Replace('\u201C', '"').Replace('\u201D', '"');
}
