using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using FaqBot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace FaqBot.Tests.MultiInstance;

/// <summary>
/// One real FaqBot process (the built FaqBot.dll started with <c>dotnet</c>) on its own loopback port, configured like an
/// operator would: <c>Storage__Provider=Postgres</c> and <c>ConnectionStrings__FaqBot</c> in its environment. Several of
/// them share one database. <see cref="Kill"/> is kill -9.
/// </summary>
internal sealed class FaqBotProcess : IAsyncDisposable
{
    /// <summary>Only so a process that never becomes ready fails the test instead of hanging it (first start embeds the articles).</summary>
    private static readonly TimeSpan ReadyGuard = TimeSpan.FromMinutes(4);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ITestOutputHelper _log;
    private readonly string _name;

    private readonly ReadyLine _ready = new();

    private FaqBotProcess(Process process, ITestOutputHelper log, string name)
    {
        _process = process;
        _log = log;
        _name = name;
    }

    /// <summary>http://127.0.0.1:{port}/, the port the process bound (it is started on port 0).</summary>
    public Uri BaseAddress => _ready.Address.IsCompletedSuccessfully ? _ready.Address.Result : throw new InvalidOperationException($"Instance {_name} is not listening yet.");

    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(100) };

    /// <summary>What the process wrote (for a failure message).</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>The environment every instance of a test shares: the database, caches, test-friendly limits.</summary>
    public static Dictionary<string, string> Environment(string connectionString) => new()
    {
        ["FAQBOT_ROOT"] = TestPaths.Root,
        // As the in-process test servers: the staff cookie is not marked Secure, so plain-HTTP test clients send it.
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Storage__Provider"] = "Postgres",
        ["ConnectionStrings__FaqBot"] = connectionString,
        ["Storage__LeaseSeconds"] = "5",
        ["Storage__RecoverySweepSeconds"] = "1",
        // The embeddings caches are only caches: shared by the test processes so only the first start embeds.
        ["Search__EmbeddingCachePath"] = Path.Combine(AppContext.BaseDirectory, "embeddings-processes"),
        ["Safety__EmbeddingCacheFolder"] = Path.Combine(AppContext.BaseDirectory, "embeddings-processes", "safety"),
        ["DataProtection__KeysPath"] = Path.Combine(TestPaths.TempRoot, "keys-" + new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database),
        // One test address plays many patients and staff members.
        ["DirectLine__RateLimit__PermitsPerToken"] = "1000000",
        ["DirectLine__RateLimit__PermitsPerAddress"] = "1000000",
        ["RateLimits__SignIn__PermitLimit"] = "1000",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__FaqBot"] = "Information",
    };

    /// <summary>
    /// Starts an instance and waits until <c>/healthz/ready</c> answers 200. What it writes goes to the test's output
    /// when it is disposed (shown when the test fails: the server's side of a failed request).
    /// </summary>
    public static async Task<FaqBotProcess> StartAsync(IReadOnlyDictionary<string, string> environment, ITestOutputHelper log, string name)
    {
        var process = Process.Start(Info(environment, "--urls", ReadyLine.AnyLoopbackPort))!;
        var instance = new FaqBotProcess(process, log, name);
        process.OutputDataReceived += (_, e) => instance.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => instance.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < ReadyGuard)
        {
            if (process.HasExited)
            {
                var code = process.ExitCode;
                await instance.DisposeAsync();
                throw new InvalidOperationException($"FaqBot exited with {code} before it was ready:\n{instance.Output}");
            }

            if (instance._ready.Address.IsCompletedSuccessfully)
            {
                try
                {
                    using var ready = await http.GetAsync(new Uri(instance.BaseAddress, "healthz/ready"));
                    if (ready.StatusCode == HttpStatusCode.OK)
                    {
                        return instance;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                }
            }

            await Task.Delay(200);
        }

        await instance.DisposeAsync();
        throw new TimeoutException($"FaqBot was not ready within {ReadyGuard}:\n{instance.Output}");
    }

    /// <summary>Runs a command of the executable (e.g. <c>migrate</c>, <c>staff add</c>) with the same environment.</summary>
    public static async Task<(int Code, string Out, string Error)> RunCommandAsync(IReadOnlyDictionary<string, string> environment, string stdin, params string[] args)
    {
        var info = Info(environment, args);
        info.RedirectStandardInput = true;
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3)); // only so a hung command fails the test
        await process.WaitForExitAsync(guard.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>kill -9: the process dies at once, whatever it was doing.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _log.WriteLine($"--- instance {_name} wrote:\n{Output}");
    }

    private static ProcessStartInfo Info(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FaqBot.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return info;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _ready.Observe(line);
        _output.Enqueue(line);
        while (_output.Count > 2000 && _output.TryDequeue(out _))
        {
        }
    }
}
