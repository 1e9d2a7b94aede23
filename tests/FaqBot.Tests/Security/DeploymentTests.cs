using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Security;

/// <summary>The publish output runs on its own, from another directory, with its data paths from configuration.</summary>
public sealed class DeploymentTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public async Task The_published_app_started_from_another_directory_is_ready_and_answers()
    {
        var work = Path.Combine(TestPaths.TempRoot, Guid.NewGuid().ToString("N"));
        var published = Path.Combine(work, "app");
        var elsewhere = Path.Combine(work, "elsewhere");
        Directory.CreateDirectory(elsewhere);

        // The test run has built src/FaqBot in this configuration already: publish only copies.
        var (code, output) = await RunAsync("dotnet", ["publish", Path.Combine(TestPaths.Root, "src", "FaqBot", "FaqBot.csproj"), "-c", Configuration, "--no-build", "-o", published], TestPaths.Root, TimeSpan.FromMinutes(5));
        Assert.True(code == 0, output);
        Assert.True(File.Exists(Path.Combine(published, "appsettings.json")));
        Assert.True(File.Exists(Path.Combine(published, "phrases.yaml")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(published, "knowledge"), "*.md"));
        // The runtime settings chosen by measurement (README, Performance) travel with the published app.
        var runtime = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(published, "FaqBot.runtimeconfig.json")))!["runtimeOptions"]!["configProperties"]!;
        Assert.True((bool?)runtime["System.GC.Server"]);
        Assert.Equal(1, (int?)runtime["System.GC.DTargetTCP"]);
        Assert.Equal(0, (int?)runtime["System.Threading.ThreadPool.UnfairSemaphoreSpinLimit"]);

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = elsewhere, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(published, "FaqBot.dll"));
        start.Environment.Remove("FAQBOT_ROOT");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = ReadyLine.AnyLoopbackPort;
        start.Environment["ConnectionStrings__FaqBot"] = $"Data Source={Path.Combine(work, "data", "faqbot.db")}";
        start.Environment["DataProtection__KeysPath"] = Path.Combine(work, "data", "keys");
        start.Environment["Search__EmbeddingCachePath"] = Path.Combine(work, "data", "embeddings");
        start.Environment["Search__IndexPath"] = Path.Combine(work, "data", "index");
        start.Environment["Safety__EmbeddingCacheFolder"] = Path.Combine(work, "data", "cache");
        using var process = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        var listening = new ReadyLine();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } listening.Observe(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient();
            var ready = false;
            for (var waited = Stopwatch.StartNew(); !ready && waited.Elapsed < TimeSpan.FromMinutes(3) && !process.HasExited; await Task.Delay(500))
            {
                if (!listening.Address.IsCompletedSuccessfully)
                {
                    continue;
                }

                http.BaseAddress ??= await listening.Address;
                try
                {
                    using var health = await http.GetAsync(new Uri("/healthz/ready", UriKind.Relative));
                    ready = health.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
            }

            Assert.True(ready, $"not ready; output:\n{log}");
            using var live = await http.GetAsync(new Uri("/healthz/live", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            using var answer = await http.PostAsJsonAsync("/api/ask", new { question = "can I drive afterward?" });
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            var json = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
            Assert.Equal("answer", (string?)json["outcome"]);
            Assert.NotEmpty(json["citations"]!.AsArray());
            Assert.True(File.Exists(Path.Combine(work, "data", "faqbot.db")));
            Assert.False(Directory.Exists(Path.Combine(elsewhere, "data")));
            Assert.False(Directory.Exists(Path.Combine(published, "data")));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
