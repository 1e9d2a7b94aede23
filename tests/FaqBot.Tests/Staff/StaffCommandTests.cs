using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Staff;

/// <summary>The staff CLI as an operator runs it: the real executable, stdin for the password, exit codes.</summary>
public sealed class StaffCommandTests
{
    private readonly string _database = Path.Combine(TestPaths.TempRoot, $"{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Add_list_disable_and_the_account_signs_in_only_while_enabled()
    {
        var added = await RunAsync("correct horse battery staple\n", "staff", "add", "--email", "Sam@Clinic.example", "--name", "Sam", "--role", "admin", "--password-stdin");
        var duplicate = await RunAsync("another long password\n", "staff", "add", "--email", "sam@clinic.example", "--name", "Sam 2", "--password-stdin");
        var list = await RunAsync("", "staff", "list");

        Assert.Equal(0, added.Code);
        Assert.Contains("sam@clinic.example", added.Out, StringComparison.Ordinal);
        Assert.Equal(1, duplicate.Code);
        Assert.Contains("already exists", duplicate.Error, StringComparison.Ordinal);
        Assert.Equal(0, list.Code);
        Assert.Matches(@"sam@clinic\.example\s+Sam\s+admin\s+active", list.Out);
        Assert.DoesNotContain("correct horse", added.Out + added.Error + list.Out, StringComparison.Ordinal);

        await using (var server = new FaqBotServer(databasePath: _database))
        {
            using var http = server.CreateHttpClient();
            using var login = await http.PostAsJsonAsync("/api/staff/login", new { email = "sam@clinic.example", password = "correct horse battery staple" });
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }

        var disabled = await RunAsync("", "staff", "disable", "--email", "sam@clinic.example");
        var listed = await RunAsync("", "staff", "list");
        Assert.Equal(0, disabled.Code);
        Assert.Matches(@"sam@clinic\.example\s+Sam\s+admin\s+disabled", listed.Out);
        await using (var server = new FaqBotServer(databasePath: _database))
        {
            using var http = server.CreateHttpClient();
            using var login = await http.PostAsJsonAsync("/api/staff/login", new { email = "sam@clinic.example", password = "correct horse battery staple" });
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        }
    }

    [Theory]
    [InlineData("short pass\n", "at least 12 characters", "staff", "add", "--email", "a@clinic.example", "--name", "A", "--password-stdin")]
    [InlineData("", "at least 12 characters", "staff", "add", "--email", "a@clinic.example", "--name", "A", "--password-stdin")]
    [InlineData("long enough password\n", "--password-stdin", "staff", "add", "--email", "a@clinic.example", "--name", "A")]
    [InlineData("long enough password\n", "--email must be an email", "staff", "add", "--email", "not-an-email", "--name", "A", "--password-stdin")]
    [InlineData("long enough password\n", "--role must be staff or admin", "staff", "add", "--email", "a@clinic.example", "--name", "A", "--role", "root", "--password-stdin")]
    [InlineData("long enough password\n", "--name must have", "staff", "add", "--email", "a@clinic.example", "--password-stdin")]
    [InlineData("long enough password\n", "Unknown option '--password'", "staff", "add", "--email", "a@clinic.example", "--name", "A", "--password", "x")]
    [InlineData("", "--email needs a value", "staff", "disable", "--email")]
    [InlineData("", "Usage:", "staff", "remove")]
    public async Task Bad_usage_exits_2_with_a_clear_message(string stdin, string message, params string[] args)
    {
        var result = await RunAsync(stdin, args);

        Assert.Equal(2, result.Code);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task Disabling_an_unknown_email_fails_with_1()
    {
        var result = await RunAsync("", "staff", "disable", "--email", "ghost@clinic.example");

        Assert.Equal(1, result.Code);
        Assert.Contains("No staff account has the email ghost@clinic.example", result.Error, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Out, string Error)> RunAsync(string stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FaqBot.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ConnectionStrings__FaqBot"] = $"Data Source={_database}";
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // only so a hung process fails the test
        await process.WaitForExitAsync(guard.Token);
        return (process.ExitCode, await output, await error);
    }
}
