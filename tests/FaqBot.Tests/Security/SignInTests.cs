using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FaqBot.Handoff;
using FaqBot.Staff;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Staff;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace FaqBot.Tests.Security;

/// <summary>Staff sign-in tells a stranger nothing, and slows guessing down without a lock anyone can hold.</summary>
[Collection(TimingCollection.Name)]
public sealed class SignInTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2025, 3, 3, 15, 0, 0, TimeSpan.Zero);

    private static FaqBotServer Server(ManualTime time, int freePerAccount = 5) => new(
        new Dictionary<string, string?>
        {
            ["Staff:FreeSignInsPerAccount"] = freePerAccount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Staff:FreeSignInsPerAddress"] = "100000",
            ["RateLimits:SignIn:PermitLimit"] = "100000",
        },
        services: s => s.AddSingleton<TimeProvider>(time));

    private static Task<HttpResponseMessage> LoginAsync(HttpClient http, string email, string password) =>
        http.PostAsJsonAsync("/api/staff/login", new { email, password });

    [Fact]
    public async Task Unknown_email_wrong_password_disabled_and_throttled_accounts_get_the_same_status_and_body()
    {
        var time = new ManualTime(Start);
        await using var server = Server(time, freePerAccount: 3);
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        await StaffKit.AddStaffAsync(server, "ana@clinic.example", "Ana");
        await StaffKit.AddStaffAsync(server, "old@clinic.example", "Old");
        await server.Services.GetRequiredService<IStaffDirectory>().SetDisabledAsync("old@clinic.example", true);
        using var http = server.CreateHttpClient();
        for (var i = 0; i < 3; i++)
        {
            (await LoginAsync(http, "ana@clinic.example", "wrong password")).Dispose();
        }

        var answers = new List<(HttpStatusCode Status, string Body, bool Cookie)>();
        foreach (var (email, password) in new[]
        {
            ("nobody@clinic.example", StaffKit.Password),
            ("sam@clinic.example", "wrong password"),
            ("old@clinic.example", StaffKit.Password),
            ("ana@clinic.example", StaffKit.Password), // the right password, but the account must wait
        })
        {
            using var response = await LoginAsync(http, email, password);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            body.Remove("traceId");
            answers.Add((response.StatusCode, body.ToJsonString(), response.Headers.Contains("Set-Cookie")));
        }

        Assert.All(answers, a => Assert.Equal(answers[0], a));
        Assert.Equal(HttpStatusCode.Unauthorized, answers[0].Status);
        Assert.Contains("Sign-in failed", answers[0].Body, StringComparison.Ordinal);
        Assert.False(answers[0].Cookie);
    }

    [Fact]
    public async Task The_three_failure_kinds_take_the_same_time_median_within_5_ms_over_50_tries()
    {
        var time = new ManualTime(Start);
        await using var server = Server(time, freePerAccount: 3);
        const int tries = 50;
        for (var i = 0; i < tries; i++)
        {
            await StaffKit.AddStaffAsync(server, $"staff{i}@clinic.example", $"Staff {i}");
        }

        await StaffKit.AddStaffAsync(server, "held@clinic.example", "Held");
        using var http = server.CreateHttpClient();
        for (var i = 0; i < 3; i++)
        {
            (await LoginAsync(http, "held@clinic.example", "wrong password")).Dispose(); // now throttled; the clock stands still
        }

        var kinds = new (string Name, Func<int, (string Email, string Password)> Attempt)[]
        {
            ("unknown e-mail", i => ($"nobody{i}@clinic.example", StaffKit.Password)),
            ("wrong password", i => ($"staff{i}@clinic.example", "wrong password")),
            ("throttled account", _ => ("held@clinic.example", StaffKit.Password)),
        };
        for (var warm = 0; warm < 3; warm++)
        {
            foreach (var kind in kinds)
            {
                var (email, password) = kind.Attempt(warm + 1000);
                (await LoginAsync(http, email, password)).Dispose();
            }
        }

        // The machine is shared and its load drifts, so each kind is compared with the other kinds of the
        // same round (three attempts back to back), and a run of 50 tries each is repeated (at most three
        // runs) when load noise alone pushes it over 5 ms. A real difference (the old code answered a locked
        // account in under 1 ms and the others in about 40 ms) fails every run.
        var spreads = new List<string>();
        for (var run = 0; run < 3; run++)
        {
            var timings = kinds.Select(_ => new List<double>()).ToArray();
            for (var i = 0; i < tries; i++)
            {
                for (var k = 0; k < kinds.Length; k++)
                {
                    var index = (k + i) % kinds.Length; // rotate the order so no kind always runs first
                    var (email, password) = kinds[index].Attempt(i);
                    var watch = Stopwatch.StartNew();
                    using var response = await LoginAsync(http, email, password);
                    watch.Stop();
                    Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                    timings[index].Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            var medians = timings.Select(Median).ToArray();
            var paired = Enumerable.Range(0, kinds.Length).Select(k => Median([.. Enumerable.Range(0, tries).Select(i => timings[k][i] - ((timings[0][i] + timings[1][i] + timings[2][i]) / 3))])).ToArray();
            for (var k = 0; k < kinds.Length; k++)
            {
                output.WriteLine($"run {run + 1}, {kinds[k].Name}: median {medians[k]:F1} ms, median difference from its round {paired[k]:F1} ms");
            }

            var spread = paired.Max() - paired.Min();
            spreads.Add(spread.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
            if (spread < 5)
            {
                return;
            }
        }

        Assert.Fail($"the failure kinds' paired medians differed by more than 5 ms in every run: {string.Join(", ", spreads)} ms");
    }

    [Fact]
    public async Task Failures_make_the_next_attempt_wait_longer_but_never_lock_the_account()
    {
        var time = new ManualTime(Start);
        await using var server = Server(time);
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var http = server.CreateHttpClient();

        for (var i = 0; i < 5; i++)
        {
            (await LoginAsync(http, "sam@clinic.example", "a stranger's guess")).Dispose();
        }

        using (var waiting = await LoginAsync(http, "sam@clinic.example", StaffKit.Password))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, waiting.StatusCode);
        }

        time.Now += TimeSpan.FromSeconds(1);
        using (var ok = await LoginAsync(http, "sam@clinic.example", StaffKit.Password))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        // A stranger keeps guessing for an hour: each allowed guess doubles the wait, up to a minute, never more.
        for (var i = 0; i < 40; i++)
        {
            (await LoginAsync(http, "sam@clinic.example", "a stranger's guess")).Dispose();
            time.Now += TimeSpan.FromSeconds(90);
        }

        var throttle = server.Services.GetRequiredService<ISignInThrottle>();
        var until = await throttle.BlockedUntilAsync("sam@clinic.example", "127.0.0.1");
        Assert.True(until is null || until <= time.Now.AddSeconds(60), $"blocked until {until}");
        time.Now += TimeSpan.FromSeconds(60);
        using var stillMine = await LoginAsync(http, "sam@clinic.example", StaffKit.Password);
        Assert.Equal(HttpStatusCode.OK, stillMine.StatusCode);
    }

    [Fact]
    public async Task Admins_see_and_clear_throttles_and_every_attempt_is_in_the_audit_log()
    {
        var time = new ManualTime(Start);
        await using var server = Server(time, freePerAccount: 2);
        await StaffKit.AddStaffAsync(server, "boss@clinic.example", "Boss", StaffRoles.Admin);
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var admin = await StaffKit.SignInAsync(server, "boss@clinic.example");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");
        using var http = server.CreateHttpClient();
        (await LoginAsync(http, "sam@clinic.example", "typo password one")).Dispose();
        (await LoginAsync(http, "sam@clinic.example", "typo password two")).Dispose();
        (await LoginAsync(http, "nobody@clinic.example", "whatever it is")).Dispose();

        using (var forbidden = await sam.Http.GetAsync(new Uri("/api/staff/admin/throttles", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        var throttles = await admin.GetAsync<List<ThrottleView>>("/api/staff/admin/throttles");
        var held = Assert.Single(throttles, t => t.Key == "account:sam@clinic.example");
        Assert.Equal(2, held.Failures);
        Assert.NotNull(held.BlockedUntil);
        Assert.Contains(throttles, t => t.Key == "address:127.0.0.1");

        using (var notAdmin = await sam.PostAsync("/api/staff/admin/throttles/clear", new { key = held.Key }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        }

        using (var cleared = await admin.PostAsync("/api/staff/admin/throttles/clear", new { key = held.Key }))
        {
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        }

        using (var ok = await LoginAsync(http, "sam@clinic.example", StaffKit.Password))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var audit = await admin.GetAsync<List<JsonObject>>("/api/staff/admin/audit?limit=50");
        var signIns = audit.Where(e => (string?)e["action"] == "staff.sign-in").Select(e => ((string?)e["target"], (string?)e["outcome"], (string?)e["address"])).Reverse().ToList();
        Assert.Equal(
            [
                ("boss@clinic.example", "signed-in", "127.0.0.1"),
                ("sam@clinic.example", "signed-in", "127.0.0.1"),
                ("sam@clinic.example", "failed", "127.0.0.1"),
                ("sam@clinic.example", "failed", "127.0.0.1"),
                ("nobody@clinic.example", "failed", "127.0.0.1"),
                ("sam@clinic.example", "signed-in", "127.0.0.1"),
            ],
            signIns);
        Assert.Contains(audit, e => (string?)e["action"] == "staff.throttle-cleared" && (string?)e["target"] == held.Key);
        Assert.DoesNotContain(audit, e => e.ToJsonString().Contains("typo password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_audit_log_refuses_updates_and_deletes()
    {
        await using var server = new FaqBotServer();
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        (await StaffKit.SignInAsync(server, "sam@clinic.example")).Dispose();
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={server.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        foreach (var sql in new[] { "UPDATE audit_log SET outcome = 'x'", "DELETE FROM audit_log" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var error = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("10.0.0.5", false, false)]
    [InlineData("203.0.113.9", false, false)]
    [InlineData("10.0.0.5", true, true)]
    [InlineData("127.0.0.1", false, true)]
    [InlineData("::1", false, true)]
    [InlineData("::ffff:127.0.0.1", false, true)]
    public void Sign_in_over_plain_http_is_allowed_only_from_this_machine(string address, bool https, bool allowed)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        context.Request.Scheme = https ? "https" : "http";
        Assert.Equal(allowed, SignInTransport.IsAllowed(context));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <summary>Tests that time things run alone, after the parallel ones, so the suite's own load does not skew them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing (not parallel)";
}
