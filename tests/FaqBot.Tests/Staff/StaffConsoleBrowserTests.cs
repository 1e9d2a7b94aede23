using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FaqBot.Tests.Staff;

public sealed class StaffConsoleBrowserTests
{
    [Fact]
    public async Task Staff_sign_in_see_the_alert_claim_reply_and_hand_back()
    {
        await using var server = new FaqBotServer();
        var sam = await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        var (playwright, browser) = await StaffBrowser.LaunchAsync();
        using var _ = playwright;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);

        await StaffBrowser.SignInAsync(page, "sam@clinic.example", StaffKit.Password);
        await Expect(page.Locator("#queue-empty")).ToBeVisibleAsync();
        await StaffKit.QueueAsync(server, "Can I talk to someone about my appointment?");
        var id = await StaffKit.QueueAsync(server, "I don't want to be alive anymore", EscalationReasons.Crisis);

        // The alert: banner, title badge, crisis highlighted and first in the queue.
        await Expect(page.Locator("#alert")).ToContainTextAsync("URGENT");
        await Expect(page).ToHaveTitleAsync("(2) Care team console");
        var first = page.Locator("#queue li").First;
        await Expect(first).ToHaveClassAsync("urgent");
        await Expect(first).ToContainTextAsync("Crisis");
        await Expect(first).ToContainTextAsync("I don't want to be alive anymore");
        Assert.NotEqual("0", await page.EvaluateAsync<string>("document.body.dataset.alerts || '0'"));
        await StaffBrowser.ScreenshotAsync(page, "staff-1-alert.png");

        // Open and claim with the keyboard.
        await first.GetByRole(AriaRole.Button).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#transcript")).ToContainTextAsync("I don't want to be alive anymore");
        await Expect(page.Locator("#transcript")).ToContainTextAsync("In a crisis, call or text 988.");
        await Expect(page.Locator("#transcript")).Not.ToContainTextAsync("**"); // the assistant's Markdown reads as plain text
        await page.GetByRole(AriaRole.Button, new() { Name = "Claim" }).ClickAsync();
        await Expect(page.Locator("#reply")).ToBeEnabledAsync();
        await Expect(page.Locator("#reply")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("Hi, I'm Sam from the care team. I'm here with you.");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#transcript li.staff")).ToContainTextAsync("I'm here with you.");
        await Expect(page.Locator("#reply")).ToHaveValueAsync("");

        // The patient's messages arrive live, as text (never as HTML).
        await StaffKit.PatientSaysAsync(server, id, "thank you <img src=x onerror=\"document.title='pwned'\"> I'm scared");
        var patientLine = page.Locator("#transcript li.patient").Last;
        await Expect(patientLine).ToContainTextAsync("<img src=x onerror=\"document.title='pwned'\"> I'm scared");
        Assert.Equal(0, await page.Locator("#transcript img").CountAsync());
        await StaffBrowser.ScreenshotAsync(page, "staff-2-chat.png");

        await page.GetByRole(AriaRole.Button, new() { Name = "Hand back to the assistant" }).ClickAsync();
        await Expect(page.Locator("#conversation-meta")).ToContainTextAsync("bot");
        await Expect(page.Locator("#reply")).ToBeDisabledAsync();
        await Expect(page).ToHaveTitleAsync("(1) Care team console");
        await StaffBrowser.ScreenshotAsync(page, "staff-3-handed-back.png");

        var log = await StaffKit.LogAsync(server, id);
        var reply = Assert.Single(log, a => a.Text == "Hi, I'm Sam from the care team. I'm here with you.");
        Assert.Equal(new ChannelAccount($"staff:{sam.Id}", "Sam", RoleTypes.Bot), reply.From);
        Assert.Equal(HandoffState.Bot, (await StaffKit.StateAsync(server, id))!.Handoff);
        Assert.Empty(scriptErrors);
        Assert.NotEqual("pwned", await page.TitleAsync());
    }

    [Fact]
    public async Task A_click_on_a_queue_row_lands_when_the_queue_refreshes_between_press_and_release()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        await using var sam = await SamsConsoleAsync(server);
        var page = sam.Page;
        await StaffKit.QueueAsync(server, "Can I talk to someone about my appointment?");
        var rows = page.Locator("#queue li");
        await Expect(rows).ToHaveCountAsync(1);

        // Sam presses on the row (over its text); before the release a second chat arrives and the queue is redrawn.
        // The text's box is read in one script: a refresh may replace the text span between a locator finding it and
        // measuring it, and Playwright then returns no box.
        var box = await page.EvaluateAsync<double[]>(
            "() => { const r = document.querySelector('#queue li .question').getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }");
        var (x, y, width, height) = (box[0], box[1], box[2], box[3]);
        Assert.True(width > 0 && height > 0, "the question text is laid out");
        await page.Mouse.MoveAsync((float)(x + (width / 4)), (float)(y + (height / 2)));
        await page.Mouse.DownAsync();
        await StaffKit.QueueAsync(server, "Could somebody call me back?");
        await Expect(rows).ToHaveCountAsync(2);
        await page.Mouse.UpAsync();

        await Expect(page.Locator("#transcript")).ToContainTextAsync("Can I talk to someone about my appointment?");
        await Expect(rows.First.GetByRole(AriaRole.Button)).ToHaveAttributeAsync("aria-current", "true");
    }

    [Fact]
    public async Task A_callback_request_shows_in_the_console_and_can_be_marked_done()
    {
        await using var server = await JordansCallbackAsync();

        await using var sam = await SamsConsoleAsync(server);
        var page = sam.Page;

        var request = page.Locator("#callbacks li");
        await Expect(request).ToContainTextAsync("Jordan");
        await Expect(request).ToContainTextAsync("jordan@example.org");
        await Expect(page.Locator("#queue li")).ToContainTextAsync("callback requested");
        await StaffBrowser.ScreenshotAsync(page, "staff-4-callbacks.png");
        await request.GetByRole(AriaRole.Button, new() { Name = "Mark done" }).ClickAsync();

        await Expect(page.Locator("#callbacks-empty")).ToBeVisibleAsync();
        await Expect(page.Locator("#queue-empty")).ToBeVisibleAsync();
        Assert.NotNull(Assert.Single(await server.Services.GetRequiredService<ICallbackStore>().ListAsync()).DoneAt);
    }

    [Fact]
    public async Task A_note_being_typed_on_a_callback_survives_the_list_refreshing()
    {
        await using var server = await JordansCallbackAsync();
        await using var sam = await SamsConsoleAsync(server);
        var page = sam.Page;
        var requests = page.Locator("#callbacks li");
        await Expect(requests).ToHaveCountAsync(1);
        var note = requests.First.GetByRole(AriaRole.Textbox);
        await note.FillAsync("Left a voicemail");

        // Another patient asks for a callback: the list refreshes while Sam is writing.
        await RequestCallbackAsync(server, "Riley", "riley@example.org");
        await Expect(requests).ToHaveCountAsync(2);

        await Expect(note).ToHaveValueAsync("Left a voicemail");
        await Expect(note).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(" at 3pm");
        await Expect(note).ToHaveValueAsync("Left a voicemail at 3pm");
    }

    [Fact]
    public async Task A_done_callback_shows_who_did_it_last_when_it_was_undone_and_done_again_between_refreshes()
    {
        await using var server = await JordansCallbackAsync();
        var store = server.Services.GetRequiredService<ICallbackStore>();
        var jordan = Assert.Single(await store.ListAsync());
        await store.MarkDoneAsync(jordan.Id, "Sam", DateTimeOffset.UtcNow.AddMinutes(-5));
        await using var sam = await SamsConsoleAsync(server);
        var done = sam.Page.Locator("#callbacks-done li");
        await Expect(done).ToContainTextAsync("done by Sam");

        // Another console undoes it and Lee does it again; Sam's console hears of it with the next callback request.
        await store.MarkOpenAsync(jordan.Id);
        await store.MarkDoneAsync(jordan.Id, "Lee", DateTimeOffset.UtcNow);
        await RequestCallbackAsync(server, "Riley", "riley@example.org");
        await Expect(sam.Page.Locator("#callbacks li")).ToContainTextAsync("Riley");

        await Expect(done).ToHaveCountAsync(1);
        await Expect(done).ToContainTextAsync("done by Lee");
    }

    [Fact]
    public async Task A_note_typed_while_the_claim_is_on_its_way_stays_in_the_note_box()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        await StaffKit.QueueAsync(server, "Can I talk to someone about my appointment?");
        await using var sam = await SamsConsoleAsync(server);
        var page = sam.Page;

        // The claim is held on its way until the note is typed, then let through.
        var noteTyped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync("**/claim", async route =>
        {
            await noteTyped.Task;
            await route.ContinueAsync();
        });
        await page.Locator("#queue li").First.GetByRole(AriaRole.Button).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Claim" }).ClickAsync();
        await page.Locator("#note").FillAsync("Called her last week");
        noteTyped.SetResult();

        await Expect(page.Locator("#reply")).ToBeEnabledAsync();
        await Expect(page.Locator("#queue li").First).ToContainTextAsync("with staff (Sam)");
        await Expect(page.Locator("#note")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(", no answer.");
        await Expect(page.Locator("#note")).ToHaveValueAsync("Called her last week, no answer.");
        await Expect(page.Locator("#reply")).ToHaveValueAsync("");
    }

    /// <summary>Out of duty hours, with Sam's account and one open callback request, Jordan's.</summary>
    private static async Task<FaqBotServer> JordansCallbackAsync()
    {
        var server = new FaqBotServer(new Dictionary<string, string?> { ["Staff:DutyHours"] = "never" });
        try
        {
            await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
            await RequestCallbackAsync(server, "Jordan", "jordan@example.org");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A patient escalates and leaves a name and contact for a callback (the callback flow's answers).</summary>
    private static async Task RequestCallbackAsync(FaqBotServer server, string name, string contact)
    {
        var id = await StaffKit.QueueAsync(server, "Please call me about booking");
        var conversations = server.Services.GetRequiredService<ConversationService>();
        foreach (var answer in new[] { name, contact, "yes" })
        {
            await conversations.UpdateAsync(id, s => CallbackFlow.Handle(s, answer) is var step ? (step.State, [step.ToActivity()]) : null);
        }
    }

    /// <summary>Sam's console in a browser of its own, signed in (the account must exist); disposing it closes the browser.</summary>
    private static async Task<SignedInConsole> SamsConsoleAsync(FaqBotServer server)
    {
        var (playwright, browser) = await StaffBrowser.LaunchAsync();
        try
        {
            var page = await (await browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString() })).NewPageAsync();
            await StaffBrowser.SignInAsync(page, "sam@clinic.example", StaffKit.Password);
            return new SignedInConsole(playwright, browser, page);
        }
        catch
        {
            await browser.DisposeAsync();
            playwright.Dispose();
            throw;
        }
    }

    private sealed record SignedInConsole(IPlaywright Playwright, IBrowser Browser, IPage Page) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Browser.DisposeAsync();
            Playwright.Dispose();
        }
    }
}
