using System.Collections.Concurrent;
using FaqBot.Handoff;
using FaqBot.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Staff;

/// <summary>
/// The "urgent unclaimed for N minutes" webhook against a real HTTP server the test starts on loopback. Time is the
/// test's clock: nothing waits on the machine's timers.
/// </summary>
public sealed class UrgentPagerTests
{
    private const string CrisisText = "I have pills saved up and tonight is the night";

    [Fact]
    public async Task An_urgent_chat_unclaimed_too_long_calls_the_webhook_once_without_patient_text_retrying_with_backoff()
    {
        await using var hook = await Webhook.StartAsync(failFirst: 2);
        var time = new ManualTime(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        await using var server = new FaqBotServer(
            new Dictionary<string, string?>
            {
                ["UrgentAlert:WebhookUrl"] = hook.Url,
                ["UrgentAlert:AfterMinutes"] = "3",
                ["UrgentAlert:FirstRetrySeconds"] = "5",
                ["UrgentAlert:MaxAttempts"] = "4",
                ["UrgentAlert:CheckSeconds"] = "15",
            },
            services: s => s.AddSingleton<TimeProvider>(time));
        var urgent = await StaffKit.QueueAsync(server, CrisisText, EscalationReasons.Crisis);
        var routine = await StaffKit.QueueAsync(server, "Can I book a time?", "booking");

        // Two minutes: not yet.
        for (var i = 0; i < 8; i++)
        {
            time.Advance(TimeSpan.FromSeconds(15));
        }

        await Task.Delay(200);
        Assert.Empty(hook.Received);

        // Past three minutes: paged; two failures, then retries after 5 s and 10 s, the third attempt succeeds.
        await AdvanceUntilAsync(time, () => hook.Received.Count >= 3);
        for (var i = 0; i < 20; i++)
        {
            time.Advance(TimeSpan.FromSeconds(15)); // and later checks do not page it again
        }

        await Task.Delay(300);
        Assert.Equal(3, hook.Received.Count);
        Assert.Equal([503, 503, 200], hook.Statuses);
        var body = hook.Received.First();
        Assert.Contains("\"event\":\"urgent-unclaimed\"", body, StringComparison.Ordinal);
        Assert.Contains($"\"reference\":\"{ShortId.Of(urgent)}\"", body, StringComparison.Ordinal);
        Assert.Contains("\"reason\":\"crisis\"", body, StringComparison.Ordinal);
        Assert.All(hook.Received, b => Assert.DoesNotContain("pills", b, StringComparison.OrdinalIgnoreCase));
        Assert.All(hook.Received, b => Assert.DoesNotContain(urgent, b, StringComparison.Ordinal));
        Assert.DoesNotContain(hook.Received, b => b.Contains(ShortId.Of(routine), StringComparison.Ordinal));
        Assert.NotNull((await StaffKit.StateAsync(server, urgent))!.UrgentPagedAt);
        Assert.Null((await StaffKit.StateAsync(server, routine))!.UrgentPagedAt);
    }

    [Fact]
    public async Task A_claimed_urgent_chat_is_not_paged()
    {
        await using var hook = await Webhook.StartAsync(failFirst: 0);
        var time = new ManualTime(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        await using var server = new FaqBotServer(
            new Dictionary<string, string?> { ["UrgentAlert:WebhookUrl"] = hook.Url, ["UrgentAlert:AfterMinutes"] = "1", ["UrgentAlert:CheckSeconds"] = "15" },
            services: s => s.AddSingleton<TimeProvider>(time));
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        var claimed = await StaffKit.QueueAsync(server, CrisisText, EscalationReasons.Crisis);
        var waiting = await StaffKit.QueueAsync(server, "I want to end my life", EscalationReasons.Crisis);
        using (var claim = await sam.PostAsync($"/api/staff/conversations/{claimed}/claim"))
        {
            Assert.True(claim.IsSuccessStatusCode);
        }

        await AdvanceUntilAsync(time, () => !hook.Received.IsEmpty);
        for (var i = 0; i < 8; i++)
        {
            time.Advance(TimeSpan.FromSeconds(15));
        }

        await Task.Delay(300);
        Assert.Contains($"\"reference\":\"{ShortId.Of(waiting)}\"", Assert.Single(hook.Received), StringComparison.Ordinal);
    }

    [Fact]
    public void A_webhook_address_that_is_not_https_fails_start_up()
    {
        var failure = Assert.ThrowsAny<Exception>(() => new FaqBotServer(new Dictionary<string, string?> { ["UrgentAlert:WebhookUrl"] = "http://pager.example.com/hook" }));
        Assert.Contains("UrgentAlert:WebhookUrl", failure.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Moves the test's clock on in 5-second steps until the condition holds (a real-time guard only against hanging).</summary>
    private static async Task AdvanceUntilAsync(ManualTime time, Func<bool> done)
    {
        var guard = DateTime.UtcNow.AddSeconds(60);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < guard, "The webhook was not called.");
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(50);
        }
    }

    /// <summary>A paging service stand-in: answers 503 to the first <c>failFirst</c> calls, then 200, and keeps each body.</summary>
    private sealed class Webhook : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _calls;

        private Webhook(WebApplication app, int failFirst)
        {
            _app = app;
            app.MapPost("/hook", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync();
                var status = Interlocked.Increment(ref _calls) <= failFirst ? 503 : 200;
                lock (Statuses)
                {
                    Statuses.Add(status);
                }

                Received.Enqueue(body);
                return Results.StatusCode(status);
            });
        }

        public ConcurrentQueue<string> Received { get; } = new();

        public List<int> Statuses { get; } = [];

        public string Url { get; private set; } = "";

        public static async Task<Webhook> StartAsync(int failFirst)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var hook = new Webhook(builder.Build(), failFirst);
            await hook._app.StartAsync();
            var address = hook._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            hook.Url = $"{address}/hook";
            return hook;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
