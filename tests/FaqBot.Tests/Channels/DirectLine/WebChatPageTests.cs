using System.Text.RegularExpressions;
using FaqBot.Conversation;
using FaqBot.Schema;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace FaqBot.Tests.Channels.DirectLine;

/// <summary>Debian's chromium driven by Playwright; never downloads a browser.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assert.True(File.Exists("/usr/bin/chromium"), "The browser tests need Debian's chromium at /usr/bin/chromium (.ci/run installs it).");
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
    }
}

/// <summary>The chat page at / with the official Web Chat, as a patient uses it.</summary>
public sealed partial class WebChatPageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    /// <summary>Guards against hangs; every wait ends as soon as the page shows what is awaited.</summary>
    private const float Guard = 60_000;

    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task Patient_asks_sees_a_cited_answer_reads_the_quoted_passage_and_follows_a_suggested_action()
    {
        await using var server = new FaqBotServer();
        var page = await OpenAsync(server, 1280, 900);

        await SendAsync(page, "can I drive afterward?");
        var citation = page.Locator(".webchat__render-markdown__citation").First;
        await citation.WaitForAsync(new() { Timeout = Guard });

        // What the server sent: the answer to our question and its first quoted passage.
        var store = server.Services.GetRequiredService<IConversationStore>();
        var conversationId = await page.EvaluateAsync<string>("() => JSON.parse(sessionStorage.getItem('faqbot.chat')).conversationId");
        var log = await store.GetActivitiesAsync(conversationId, 0);
        var question = log.Single(s => s.Activity.Text == "can I drive afterward?").Activity;
        var answer = log.First(s => s.Activity.ReplyToId == question.Id && s.Activity.Type == ActivityTypes.Message).Activity;
        CitedAnswer.AssertCited(answer.Text, answer.TextFormat, new System.Text.Json.Nodes.JsonArray([.. answer.Entities!.Select(e => e.DeepClone())]));
        var claim = answer.Entities!.First(e => (string?)e["type"] == "https://schema.org/Message")["citation"]![0]!;
        var passage = claim["appearance"]!["text"]!.GetValue<string>();
        var title = claim["appearance"]!["name"]!.GetValue<string>();

        // Thumbs on the answer, from its own status row.
        await page.Locator(".webchat__thumb-button").First.WaitForAsync(new() { Timeout = Guard });
        Assert.True(await page.Locator(".webchat__thumb-button").CountAsync() >= 2);
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "webchat-answer.png"), FullPage = true });

        // Thumbs up: Web Chat sends an event that reaches the conversation with the clicked action unchanged.
        var like = answer.Entities!.First(e => (string?)e["type"] == "https://schema.org/Message")["potentialAction"]![0]!;
        using (var feed = server.Services.GetRequiredService<ConversationFeed>().Subscribe(conversationId))
        {
            await page.Locator(".webchat__thumb-button").First.ClickAsync();
            var feedback = await NextStoredAsync(feed, a => a.Type == ActivityTypes.Event);
            Assert.Equal("webchat:activity-status/feedback", feedback.Name);
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(like, feedback.Entities![0]), $"Sent {like.ToJsonString()}, stored {feedback.Entities![0].ToJsonString()}");
        }

        await citation.ClickAsync();
        var dialog = page.Locator(".webchat__citation-modal-dialog");
        await dialog.WaitForAsync(new() { Timeout = Guard });
        Assert.Equal(title, (await dialog.Locator(".webchat__citation-modal-dialog__header").InnerTextAsync()).Trim());
        var shown = Plain(await dialog.Locator(".webchat__citation-modal-dialog__body").InnerTextAsync());
        Assert.Contains(Plain(passage)[..Math.Min(80, Plain(passage).Length)], shown, StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "webchat-citation.png"), FullPage = true });
        await page.Keyboard.PressAsync("Escape");
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Hidden, Timeout = Guard });

        // Answers carry no buttons; asking what the assistant can do brings suggested questions.
        // Clicking one sends its value and gets its own answer.
        await SendAsync(page, "what can you help me with?");
        var action = page.Locator(".webchat__suggested-action").First;
        await action.WaitForAsync(new() { Timeout = Guard });
        log = await store.GetActivitiesAsync(conversationId, 0);
        var offered = log.Last(s => s.Activity.SuggestedActions is { Actions.Count: > 0 }).Activity.SuggestedActions!.Actions;
        var actionTitle = (await action.InnerTextAsync()).Trim();
        var actionValue = offered.Single(a => a.Title == actionTitle).Value;
        var botBubbles = await BotBubbleCountAsync(page);
        await action.ClickAsync();
        await page.WaitForFunctionAsync(
            "n => document.querySelectorAll('.webchat__bubble:not(.webchat__bubble--from-user)').length > n", botBubbles, new() { Timeout = Guard });

        log = await store.GetActivitiesAsync(conversationId, 0);
        var followUp = log.Last(s => s.Activity.From?.Role == RoleTypes.User && s.Activity.Type == ActivityTypes.Message).Activity;
        Assert.Equal(actionValue, followUp.Text);
        var followUpAnswer = log.Last(s => s.Activity.ReplyToId == followUp.Id && s.Activity.Type == ActivityTypes.Message).Activity;
        var quoted = Plain(followUpAnswer.Entities!.First(e => (string?)e["type"] == "https://schema.org/Message")["citation"]![0]!["text"]!.GetValue<string>());
        var lastBubble = page.Locator(".webchat__bubble:not(.webchat__bubble--from-user)").Last;
        Assert.Contains(quoted[..Math.Min(60, quoted.Length)], Plain(await lastBubble.InnerTextAsync()), StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "webchat-suggested-action.png"), FullPage = true });
    }

    [Fact]
    public async Task Page_shows_the_clinic_and_safety_note_is_keyboard_reachable_and_fits_a_phone()
    {
        await using var server = new FaqBotServer();
        var page = await OpenAsync(server, 390, 844);

        Assert.Equal("Harbor Ketamine Clinic", (await page.Locator("h1").InnerTextAsync()).Trim());
        var note = await page.Locator(".notice").TextContentAsync() ?? ""; // "more" is behind a disclosure
        Assert.Contains("911", await page.Locator(".notice").InnerTextAsync(), StringComparison.Ordinal); // always visible
        Assert.Contains("automated assistant", note, StringComparison.Ordinal);
        Assert.Contains("not medical advice", note, StringComparison.Ordinal);
        Assert.Contains("911", note, StringComparison.Ordinal);
        Assert.Contains("988", note, StringComparison.Ordinal);
        Assert.Equal("rgb(15, 95, 111)", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.site-header')).backgroundColor"));

        // The first Tab lands on the skip link, which takes keyboard users to the chat.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to the chat", await page.EvaluateAsync<string>("() => document.activeElement.textContent.trim()"));
        var input = page.Locator("[data-id=\"webchat-sendbox-input\"]");
        Assert.False(string.IsNullOrWhiteSpace(await input.GetAttributeAsync("aria-label")));
        await input.FocusAsync();
        Assert.NotEqual("none", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle + getComputedStyle(document.activeElement.closest('.webchat__send-box-text-box') || document.activeElement).outlineStyle"));
        Assert.Equal(0, await page.Locator(".webchat__upload-button").CountAsync());

        // Nothing scrolls sideways on a phone.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        await SendAsync(page, "hello");
        await page.Locator(".webchat__bubble:not(.webchat__bubble--from-user)").First.WaitForAsync(new() { Timeout = Guard });
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "webchat-phone.png"), FullPage = true });
    }

    [Fact]
    public async Task An_over_long_message_stays_in_the_box_with_the_reason_and_nothing_is_sent()
    {
        await using var server = new FaqBotServer();
        var page = await OpenAsync(server, 1280, 900);
        var input = page.Locator("[data-id=\"webchat-sendbox-input\"]");

        await input.FillAsync(new string('a', 4001));
        await input.PressAsync("Enter");

        await page.GetByText("the limit is 4,000", new() { Exact = false }).First.WaitForAsync(new() { Timeout = Guard });
        Assert.Equal(4001, (await input.InputValueAsync()).Length);
        var conversationId = await page.EvaluateAsync<string?>("() => (JSON.parse(sessionStorage.getItem('faqbot.chat')) || {}).conversationId || null");
        if (conversationId is not null)
        {
            var log = await server.Services.GetRequiredService<IConversationStore>().GetActivitiesAsync(conversationId, 0);
            Assert.DoesNotContain(log, s => s.Activity.From?.Role == RoleTypes.User);
        }

        // Shortened, it goes through.
        await input.FillAsync(new string('a', 4000));
        await input.PressAsync("Enter");
        await page.Locator(".webchat__bubble--from-user").First.WaitForAsync(new() { Timeout = Guard });
        Assert.Equal("", await input.InputValueAsync());
    }

    private async Task<IPage> OpenAsync(FaqBotServer server, int width, int height)
    {
        var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, message) => errors.Add(message);
        await page.GotoAsync(server.BaseAddress.ToString());
        // Connected: the status line clears and the send box is there.
        await page.Locator("[data-id=\"webchat-sendbox-input\"]").WaitForAsync(new() { Timeout = Guard });
        await page.WaitForFunctionAsync("() => document.getElementById('chat-status').textContent === ''", null, new() { Timeout = Guard });
        Assert.Empty(errors);
        return page;
    }

    private static async Task SendAsync(IPage page, string text)
    {
        var input = page.Locator("[data-id=\"webchat-sendbox-input\"]");
        await input.FillAsync(text);
        await input.PressAsync("Enter");
    }

    private static async Task<Activity> NextStoredAsync(FeedSubscription feed, Func<Activity, bool> match)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMilliseconds(Guard));
        await foreach (var item in feed.Reader.ReadAllAsync(guard.Token))
        {
            if (item.Stored?.Activity is { } activity && match(activity))
            {
                return activity;
            }
        }

        throw new InvalidOperationException("The feed ended.");
    }

    private static Task<int> BotBubbleCountAsync(IPage page) =>
        page.EvaluateAsync<int>("() => document.querySelectorAll('.webchat__bubble:not(.webchat__bubble--from-user)').length");

    /// <summary>Text without Markdown marks and with single spaces, to compare source and rendered text.</summary>
    private static string Plain(string text) => Spaces().Replace(Marks().Replace(text, ""), " ").Trim()
        .Replace('\u2019', '\'').Replace('\u2018', '\'').Replace('\u201C', '"').Replace('\u201D', '"'); // Web Chat's Markdown uses typographic quotes

    [GeneratedRegex(@"[*_`#>]|\[(\d+)\]")]
    private static partial Regex Marks();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
