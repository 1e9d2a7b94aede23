using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Infrastructure;

/// <summary>
/// The real FaqBot on real Kestrel over loopback, with its own temporary SQLite database.
/// Extra settings override appsettings.json (e.g. <c>["Staff:DutyHours"] = "..."</c>);
/// <c>services</c> replaces registrations (e.g. a fake <see cref="TimeProvider"/>).
/// </summary>
public sealed class FaqBotServer : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private readonly string _environment;

    public FaqBotServer(
        IDictionary<string, string?>? settings = null,
        string? databasePath = null,
        Action<IServiceCollection>? services = null,
        string environment = "Development")
    {
        _services = services;
        _environment = environment;
        DatabasePath = databasePath ?? Path.Combine(TestPaths.TempRoot, $"{Guid.NewGuid():N}.db");
        _settings = new(settings ?? new Dictionary<string, string?>())
        {
            ["ConnectionStrings:FaqBot"] = $"Data Source={DatabasePath}",
            ["DataProtection:KeysPath"] = DatabasePath + ".keys",
            ["Search:IndexPath"] = DatabasePath + ".index",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
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
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        // One sentence model per test process, shared by every server (not disposed with them).
        builder.ConfigureTestServices(services => services.AddSingleton(FaqBot.Tests.Safety.SafetyTestData.Encoder));
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }
}
