using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace FaqBot.Tests.Infrastructure;

/// <summary>
/// The real FaqBot on real Kestrel over loopback, with its own temporary SQLite database.
/// Extra settings override appsettings.json (e.g. <c>["Staff:DutyHours"] = "..."</c>).
/// </summary>
public sealed class FaqBotServer : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public FaqBotServer(IDictionary<string, string?>? settings = null, string? databasePath = null)
    {
        DatabasePath = databasePath ?? Path.Combine(Path.GetTempPath(), "faqbot-tests", $"{Guid.NewGuid():N}.db");
        _settings = new(settings ?? new Dictionary<string, string?>())
        {
            ["ConnectionStrings:FaqBot"] = $"Data Source={DatabasePath}",
        };
        UseKestrel(0);
        StartServer();
        BaseAddress = ClientOptions.BaseAddress;
    }

    public string DatabasePath { get; }

    /// <summary>http://127.0.0.1:{port}/</summary>
    public Uri BaseAddress { get; }

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
