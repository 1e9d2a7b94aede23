namespace FaqBot.Hosting;

/// <summary>
/// Creates the web application builder with the repository root as content root, so the one
/// <c>appsettings.json</c> a clinic edits, <c>knowledge/</c> and <c>data/</c> are found whether
/// FaqBot runs with <c>dotnet run --project src/FaqBot</c>, from its output folder or under tests.
/// </summary>
public static class FaqBotHost
{
    public static WebApplicationBuilder CreateBuilder(string[] args, bool forCommand = false)
    {
        var root = FindRoot();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = root,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        if (forCommand)
        {
            // Commands print their results on stdout; logs go to stderr, warnings and worse only.
            builder.Logging.ClearProviders();
            builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Configuration.AddInMemoryCollection([new("Logging:LogLevel:Default", "Warning"), new("Logging:LogLevel:Microsoft.AspNetCore", "Warning")]);
        }

        return builder;
    }

    /// <summary>
    /// The folder holding appsettings.json and knowledge/: FAQBOT_ROOT if set, else the first such
    /// folder above the working directory or the program's own folder.
    /// </summary>
    public static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable("FAQBOT_ROOT") is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "appsettings.json")) && Directory.Exists(Path.Combine(dir.FullName, "knowledge")))
                {
                    return dir.FullName;
                }
            }
        }

        return Directory.GetCurrentDirectory();
    }
}

/// <summary>Says where to open FaqBot once it listens, so a first <c>dotnet run</c> is not a silent wait.</summary>
public static partial class StartupLog
{
    public static void LogAddressOnStart(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
                .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FaqBot");
            foreach (var address in addresses)
            {
                var url = address.Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal);
                url = url.TrimEnd('/');
                LogReady(logger, url + "/", url + "/staff");
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "FaqBot is ready: open {ChatUrl} for the patient chat, {StaffUrl} for the care team console")]
    private static partial void LogReady(ILogger logger, string chatUrl, string staffUrl);
}
