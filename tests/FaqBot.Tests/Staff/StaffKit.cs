using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FaqBot.Conversation;
using FaqBot.Handoff;
using FaqBot.Schema;
using FaqBot.Staff;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Staff;

/// <summary>
/// A clock the test sets (the only fake the team allows). Its timers fire only in <see cref="Advance"/>,
/// so periodic work runs exactly when the test says, never on the machine's own schedule.
/// </summary>
internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private readonly Lock _gate = new();

    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        return timer;
    }

    /// <summary>Moves the clock on and fires every timer that has come due (once each).</summary>
    public void Advance(TimeSpan by)
    {
        Now += by;
        List<ManualTimer> due;
        lock (_gate)
        {
            due = [.. _timers.Where(t => t.Due <= Now)];
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    private sealed class ManualTimer(ManualTime clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period;

        public DateTimeOffset? Due { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock.Now + dueTime;
            _period = period;
            return true;
        }

        public void Fire()
        {
            Due = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : Due + _period;
            callback(state);
        }

        public void Dispose() => Due = null;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Real accounts, real conversations and a signed-in HTTP client against a running FaqBot.</summary>
internal static class StaffKit
{
    public const string Password = "correct horse battery staple";

    public static readonly ChannelAccount Patient = new("dl_patient1", "", RoleTypes.User);

    public static async Task<StaffAccount> AddStaffAsync(FaqBotServer server, string email, string name, string role = StaffRoles.Staff, string password = Password)
    {
        var signIn = server.Services.GetRequiredService<StaffSignIn>();
        var account = new StaffAccount($"st_{Guid.NewGuid():N}"[..15], email, name, role, signIn.HashPassword(password), false, 0, null, DateTimeOffset.UtcNow);
        Assert.True(await server.Services.GetRequiredService<IStaffDirectory>().AddAsync(account));
        return account;
    }

    public static async Task<StaffClient> SignInAsync(FaqBotServer server, string email, string password = Password)
    {
        var client = new StaffClient(server);
        using var response = await client.Http.PostAsJsonAsync("/api/staff/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        client.Me = (await response.Content.ReadFromJsonAsync<SignedInStaff>())!;
        return client;
    }

    /// <summary>
    /// A patient starts a chat and asks something, and the conversation is escalated the way the turn
    /// handler does it (state change plus a reply). The question is recorded without a bot turn, so
    /// the test, not the bot's judgement, decides the reason and priority.
    /// </summary>
    public static async Task<string> QueueAsync(FaqBotServer server, string question = "Can I talk to a real person?", string reason = EscalationReasons.AskForPerson, DateTimeOffset? at = null)
    {
        var conversations = server.Services.GetRequiredService<ConversationService>();
        var time = server.Services.GetRequiredService<TimeProvider>();
        var id = $"conv{Guid.NewGuid():N}"[..20];
        Assert.True(await conversations.StartAsync(id, Patient, "directline", "en-US"));
        await PatientWroteAsync(server, id, question);
        var reasons = server.Services.GetRequiredService<EscalationReasons>();
        await conversations.UpdateAsync(id, s => (
            HandoffMachine.Apply(s with { FirstQuestion = question }, new HandoffCommand.Escalate(reasons.Get(reason), at ?? time.GetUtcNow())).State,
            [new Activity { Text = Replies.ConnectingYou, TextFormat = "plain" }]));
        return id;
    }

    /// <summary>A patient opens the chat (the welcome is recorded); nothing else happens.</summary>
    public static async Task<string> StartAsync(FaqBotServer server)
    {
        var id = $"conv{Guid.NewGuid():N}"[..20];
        Assert.True(await server.Services.GetRequiredService<ConversationService>().StartAsync(id, Patient, "directline", "en-US"));
        return id;
    }

    /// <summary>Records a patient's message without running the bot's turn (test set-up).</summary>
    public static Task<StoredActivity> PatientWroteAsync(FaqBotServer server, string conversationId, string text) =>
        server.Services.GetRequiredService<ConversationService>().AppendAsync(conversationId, new Activity { Type = ActivityTypes.Message, Text = text, From = Patient });

    /// <summary>A patient's message the real way: recorded, then the bot's turn runs on it.</summary>
    public static Task<StoredActivity> PatientSaysAsync(FaqBotServer server, string conversationId, string text) =>
        server.Services.GetRequiredService<ConversationService>().ReceiveAsync(conversationId, new Activity { Type = ActivityTypes.Message, Text = text, From = Patient });

    public static async Task<IReadOnlyList<Activity>> LogAsync(FaqBotServer server, string conversationId) =>
        [.. (await server.Services.GetRequiredService<IConversationStore>().GetActivitiesAsync(conversationId, 0)).Select(s => s.Activity)];

    public static Task<ConversationState?> StateAsync(FaqBotServer server, string conversationId) =>
        server.Services.GetRequiredService<IConversationStore>().GetAsync(conversationId);

    public static IEnumerable<Activity> Events(this IEnumerable<Activity> log, string name) =>
        log.Where(a => a.Type == ActivityTypes.Event && a.Name == name);

    public static string? StatusState(this Activity statusEvent) => statusEvent.Value?["state"]?.ToString();
}

/// <summary>An HTTP client with its own cookie jar, signed in as one staff member.</summary>
internal sealed class StaffClient : IDisposable
{
    public StaffClient(FaqBotServer server)
        : this(server.BaseAddress)
    {
    }

    public StaffClient(Uri baseAddress)
    {
        Cookies = new CookieContainer();
        Http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies }) { BaseAddress = baseAddress };
    }

    public HttpClient Http { get; }

    public CookieContainer Cookies { get; }

    public SignedInStaff Me { get; set; } = null!;

    public Task<HttpResponseMessage> PostAsync(string path, object? body = null, string? csrf = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        request.Headers.Add(StaffEndpoints.CsrfHeader, csrf ?? Me.CsrfToken);
        return Http.SendAsync(request);
    }

    public async Task<T> GetAsync<T>(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    public Task<IReadOnlyList<QueueItem>> QueueAsync() => GetAsync<IReadOnlyList<QueueItem>>("/api/staff/queue");

    public void Dispose() => Http.Dispose();
}

/// <summary>Reads the staff live feed (server-sent events) as it arrives.</summary>
internal sealed class FeedReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly CancellationTokenSource _guard = new(TimeSpan.FromSeconds(60)); // only so a broken feed fails instead of hanging

    private FeedReader(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        _reader = new StreamReader(stream);
    }

    /// <summary>Opens the feed and waits for its first event, so the staff member counts as online.</summary>
    public static async Task<FeedReader> OpenAsync(StaffClient client)
    {
        var response = await client.Http.GetAsync(new Uri("/api/staff/feed", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var feed = new FeedReader(response, await response.Content.ReadAsStreamAsync());
        await feed.NextAsync("hello");
        return feed;
    }

    /// <summary>The next event of that type that matches, skipping others.</summary>
    public async Task<JsonElement> NextAsync(string type, Func<JsonElement, bool>? match = null)
    {
        string? eventType = null;
        var data = "";
        while (await _reader.ReadLineAsync(_guard.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventType = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data += line[6..];
            }
            else if (line.Length == 0 && eventType is not null)
            {
                var element = JsonSerializer.Deserialize<JsonElement>(data);
                if (eventType == type && (match?.Invoke(element) ?? true))
                {
                    return element;
                }

                (eventType, data) = (null, "");
            }
        }

        throw new InvalidOperationException("The feed ended.");
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        _guard.Dispose();
        await Task.CompletedTask;
    }
}
