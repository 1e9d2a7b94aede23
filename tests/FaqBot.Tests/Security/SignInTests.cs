using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FaqBot.Handoff;
using FaqBot.Staff;
using FaqBot.Tests.Infrastructure;
using FaqBot.Tests.Staff;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Security;

/// <summary>Staff sign-in tells a stranger nothing, and slows guessing down without a lock anyone can hold.</summary>
public sealed class SignInTests
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

    /// <summary>ASP.NET Core Identity's v3 hash header: format marker, PRF, iteration count, salt length.</summary>
    private static string HashCost(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        return $"v{bytes[0]} prf {System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1))} iterations {System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5))} salt {System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(9))}";
    }

    /// <summary>The real hasher, recording which hash each verification used.</summary>
    private sealed class RecordingHasher : Microsoft.AspNetCore.Identity.IPasswordHasher<StaffAccount>
    {
        private readonly Microsoft.AspNetCore.Identity.PasswordHasher<StaffAccount> _inner = new();

        public System.Collections.Concurrent.ConcurrentBag<string> Verified { get; } = [];

        public string HashPassword(StaffAccount user, string password) => _inner.HashPassword(user, password);

        public Microsoft.AspNetCore.Identity.PasswordVerificationResult VerifyHashedPassword(StaffAccount user, string hashedPassword, string providedPassword)
        {
            Verified.Add(hashedPassword);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

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

    /// <summary>
    /// A stranger cannot tell the failure kinds apart by time: each one runs exactly one password verification
    /// against a real hash of the same cost (format, PRF, iteration count, salt length) as a real account's.
    /// Counted, not timed, so a busy machine cannot make it flaky; the old code answered a throttled account
    /// without verifying anything, which this fails.
    /// </summary>
    [Fact]
    public async Task Every_failure_kind_verifies_one_password_against_a_hash_of_the_same_cost()
    {
        var time = new ManualTime(Start);
        var hasher = new RecordingHasher();
        await using var server = new FaqBotServer(
            new Dictionary<string, string?>
            {
                ["Staff:FreeSignInsPerAccount"] = "3",
                ["Staff:FreeSignInsPerAddress"] = "100000",
                ["RateLimits:SignIn:PermitLimit"] = "100000",
            },
            services: s =>
            {
                s.AddSingleton<TimeProvider>(time);
                s.AddSingleton<Microsoft.AspNetCore.Identity.IPasswordHasher<StaffAccount>>(hasher);
            });
        var real = await StaffKit.AddStaffAsync(server, "staff@clinic.example", "Staff");
        await StaffKit.AddStaffAsync(server, "held@clinic.example", "Held");
        await StaffKit.AddStaffAsync(server, "gone@clinic.example", "Gone");
        Assert.True(await server.Services.GetRequiredService<IStaffDirectory>().SetDisabledAsync("gone@clinic.example", true));
        using var http = server.CreateHttpClient();
        for (var i = 0; i < 3; i++)
        {
            (await LoginAsync(http, "held@clinic.example", "wrong password")).Dispose(); // now throttled; the clock stands still
        }

        var cost = HashCost(real.PasswordHash);
        var kinds = new (string Name, string Email, string Password)[]
        {
            ("unknown e-mail", "nobody@clinic.example", StaffKit.Password),
            ("wrong password", "staff@clinic.example", "wrong password"),
            ("throttled account, right password", "held@clinic.example", StaffKit.Password),
            ("disabled account, right password", "gone@clinic.example", StaffKit.Password),
        };
        foreach (var (name, email, password) in kinds)
        {
            hasher.Verified.Clear();
            using var response = await LoginAsync(http, email, password);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var hash = Assert.Single(hasher.Verified);
            Assert.True(HashCost(hash) == cost, $"{name}: verified against a hash of cost {HashCost(hash)}, a real account's is {cost}");
        }
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
}

