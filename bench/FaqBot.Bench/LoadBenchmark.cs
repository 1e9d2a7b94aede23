using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FaqBot.Bench;

/// <summary>Figures of one load step.</summary>
/// <param name="Sent">Messages posted.</param>
/// <param name="Replied">Messages whose reply arrived on the conversation's WebSocket.</param>
/// <param name="Errors">Messages without a reply: POSTs that failed (<paramref name="FailedPosts"/>) and replies that had not come when the step's drain time ended.</param>
/// <param name="Rate">Messages per second actually posted.</param>
/// <param name="Throughput">Replies received per second of the step.</param>
/// <param name="ServerCpuMsPerMessage">Server CPU time per message (when the benchmark started the server; else 0).</param>
public sealed record LoadStepFigures(
    int Conversations, int TargetRate, int Sent, int Replied, int Errors, double Rate, double Throughput,
    double P50, double P99, double Max, int CrisisSent, int CrisisReplied, double CrisisP50, double CrisisP99, double ServerCpuMsPerMessage, int FailedPosts = 0,
    LoadGeneratorFigures? Generator = null, ServerGcFigures? ServerGc = null)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Conversations,4} conversations, target {TargetRate,5} msg/s: sent {Sent} ({Rate:0} msg/s), replies {Replied} ({Throughput:0} msg/s), errors {Errors} ({FailedPosts} failed POSTs, {Errors - FailedPosts} replies not in time); POST-to-reply p50 {P50:0.0} ms, p99 {P99:0.0} ms, max {Max:0.0} ms; crisis {CrisisReplied}/{CrisisSent} p50 {CrisisP50:0.0} ms, p99 {CrisisP99:0.0} ms; server CPU {ServerCpuMsPerMessage:0.00} ms/message{Generator}{ServerGc}");
}

/// <summary>
/// What the load generator itself cost during a step, on the same cores as the server: its CPU per message, and its own
/// garbage-collection pauses (a pause between a reply's arrival and its reading is counted in that reply's latency).
/// </summary>
public sealed record LoadGeneratorFigures(double CpuMsPerMessage, double GcPauseMs, int Collections, double KbPerMessage)
{
    public static Func<LoadGeneratorFigures> Start(int messages)
    {
        var cpu = Environment.CpuUsage.TotalTime;
        var pause = GC.GetTotalPauseDuration();
        var collections = GC.CollectionCount(0);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        return () => new LoadGeneratorFigures(
            (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds / Math.Max(1, messages),
            (GC.GetTotalPauseDuration() - pause).TotalMilliseconds,
            GC.CollectionCount(0) - collections,
            (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1024.0 / Math.Max(1, messages));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"; load generator CPU {CpuMsPerMessage:0.00} ms/message, GC pauses {GcPauseMs:0} ms in {Collections} collections, {KbPerMessage:0} KB allocated a message");
}

/// <summary>
/// <c>load</c>: a Direct Line load generator over real WebSockets against a FaqBot on loopback (one it starts from
/// the Release build, or <c>--url</c>). For each conversation count (<c>--conversations 10,100,500</c>) it opens
/// that many conversations the way Web Chat does (page token, start, WebSocket stream), then posts questions from
/// the question sets at stepped rates (<c>--rates 100,300,500,700,1000</c> messages a second, <c>--seconds 10</c>
/// per step, open loop: a slow reply does not slow the sender) and measures POST to the reply's arrival on the
/// socket. A few extra conversations send a crisis message every 200 ms during each step: their POST-to-reply is
/// printed apart. Bounded: every step stops after its time and waits at most <c>--drain</c> seconds for replies.
/// <c>--provider postgres</c> runs the server on PostgreSQL (a fresh database on <c>--connection</c>'s server, or on a
/// throwaway cluster it starts); the default is SQLite.
/// </summary>
public static class LoadBenchmark
{
    public static readonly string[] CrisisMessages =
    [
        "I want to kill myself", "i'm going to end my life tonight", "I took all my pills", "I have a plan to kill myself",
        "I want to die", "I'm thinking about suicide",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var conversationCounts = Bench.Option(args, "--conversations", "10,100,500").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var rates = Bench.Option(args, "--rates", "100,300,500,700,1000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var seconds = double.Parse(Bench.Option(args, "--seconds", "10"), CultureInfo.InvariantCulture);
        var drain = double.Parse(Bench.Option(args, "--drain", "10"), CultureInfo.InvariantCulture);
        var url = Bench.Option(args, "--url", "");
        Console.WriteLine(Bench.Machine());
        var environment = Bench.Option(args, "--env", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e[1]);
        var provider = Bench.Option(args, "--provider", "sqlite");
        if (provider is not ("sqlite" or "postgres"))
        {
            Console.Error.WriteLine("--provider must be sqlite or postgres");
            return 2;
        }

        // PostgreSQL: a fresh database on --connection's server, or on a throwaway cluster (tests/postgres-cluster.sh).
        await using var postgres = provider == "postgres" && url.Length == 0 ? await BenchPostgres.CreateAsync(Bench.Option(args, "--connection", "")) : null;
        foreach (var (key, value) in postgres?.Environment() ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        using var server = url.Length == 0 ? ServerProcess.Start(environment) : null;
        using var gc = server is null ? null : ServerGcWatch.TryAttach(server.Process.Id);
        var baseUrl = new Uri(url.Length == 0 ? server!.BaseUrl : url);
        var shown = environment.Where(e => e.Key != "ConnectionStrings__FaqBot").Select(e => $" {e.Key}={e.Value}");
        Console.WriteLine($"server: {baseUrl} ({(server is null ? "given" : $"started from the Release build, real knowledge base, model on, {provider}")}){string.Concat(shown)}");
        var questions = SearchBenchmark.Questions(Bench.Root);
        foreach (var count in conversationCounts)
        {
            await using var run = await LoadRun.OpenAsync(baseUrl, count, crisisConversations: 5);
            if (count == conversationCounts[0])
            {
                // Every question once, at a gentle rate: the model runs for each (their vectors are then remembered, as
                // common questions are in a clinic's evening); printed as the first-time figure.
                var fresh = await run.StepAsync(questions, rate: 25, seconds: questions.Count / 25.0, drain, server?.Process, gc);
                Console.WriteLine($"first-time questions (the model runs for each): {fresh}");
            }

            foreach (var rate in rates)
            {
                var figures = await run.StepAsync(questions, rate, seconds, drain, server?.Process, gc);
                server?.Process.Refresh();
                Console.WriteLine(server is null ? figures.ToString() : $"{figures}; server working set {server.Process.WorkingSet64 / 1048576} MiB");
            }
        }

        return 0;
    }
}

/// <summary>A set of open Direct Line conversations, each with its WebSocket, and the steps run over them.</summary>
public sealed class LoadRun : IAsyncDisposable
{
    private readonly List<Client> _clients;
    private readonly List<Client> _crisis;
    private readonly CancellationTokenSource _stop = new();
    private int _failedPosts;
    private List<Task> _previous = [];

    private LoadRun(List<Client> clients, List<Client> crisis)
    {
        _clients = clients;
        _crisis = crisis;
    }

    public static async Task<LoadRun> OpenAsync(Uri baseUrl, int conversations, int crisisConversations)
    {
        var opened = new List<Client>();
        using var gate = new SemaphoreSlim(16);
        var tasks = Enumerable.Range(0, conversations + crisisConversations).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                return await Client.OpenAsync(baseUrl);
            }
            finally
            {
                gate.Release();
            }
        });
        opened.AddRange(await Task.WhenAll(tasks));
        return new LoadRun(opened[..conversations], opened[conversations..]);
    }

    /// <summary>Posts <paramref name="rate"/> messages a second for <paramref name="seconds"/>, round robin over the conversations.</summary>
    public async Task<LoadStepFigures> StepAsync(IReadOnlyList<string> questions, int rate, double seconds, double drainSeconds, Process? server, ServerGcWatch? gc = null)
    {
        ArgumentNullException.ThrowIfNull(questions);

        // A saturated step leaves messages in the server's queue: the next step starts once they are answered (bounded).
        await Task.WhenAny(Task.WhenAll(_previous), Task.Delay(TimeSpan.FromSeconds(60)));
        var total = Math.Max(1, (int)(rate * seconds));
        var latencies = new ConcurrentBag<double>();
        var crisisLatencies = new ConcurrentBag<double>();
        var errors = 0;
        var failedBefore = Volatile.Read(ref _failedPosts);
        var inFlight = new List<Task>(total);
        var cpuBefore = server?.TotalProcessorTime ?? TimeSpan.Zero;
        var generator = LoadGeneratorFigures.Start(total);
        var serverGc = gc?.Start(total);
        var clock = Stopwatch.StartNew();
        var crisisEvery = TimeSpan.FromMilliseconds(200);
        var nextCrisis = crisisEvery;
        var crisisSent = 0;
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / (double)rate);
            if (due - clock.Elapsed is { TotalMilliseconds: > 1 } wait)
            {
                await Task.Delay(wait);
            }

            if (_crisis.Count > 0 && clock.Elapsed >= nextCrisis)
            {
                nextCrisis += crisisEvery;
                var client = _crisis[crisisSent % _crisis.Count];
                var text = LoadBenchmark.CrisisMessages[crisisSent % LoadBenchmark.CrisisMessages.Length];
                crisisSent++;
                inFlight.Add(Measure(client, text, crisisLatencies));
            }

            inFlight.Add(Measure(_clients[i % _clients.Count], questions[i % questions.Count], latencies));
        }

        var posted = clock.Elapsed.TotalSeconds;
        _previous = inFlight;
        await Task.WhenAny(Task.WhenAll(inFlight), Task.Delay(TimeSpan.FromSeconds(drainSeconds)));
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpu = (server?.TotalProcessorTime ?? TimeSpan.Zero) - cpuBefore;
        var replied = latencies.Count;
        var sorted = latencies.Order().ToList();
        var crisis = crisisLatencies.Order().ToList();
        errors += total + crisisSent - replied - crisis.Count;
        var failedPosts = Volatile.Read(ref _failedPosts) - failedBefore;
        return new LoadStepFigures(_clients.Count, rate, total, replied, errors, total / posted, replied / elapsed,
            P(sorted, 0.5), P(sorted, 0.99), sorted.Count > 0 ? sorted[^1] : 0,
            crisisSent, crisis.Count, P(crisis, 0.5), P(crisis, 0.99),
            server is null ? 0 : cpu.TotalMilliseconds / (total + crisisSent), failedPosts, generator(), serverGc?.Invoke());

        async Task Measure(Client client, string text, ConcurrentBag<double> into)
        {
            try
            {
                var latency = await client.AskAsync(text, TimeSpan.FromSeconds(drainSeconds), () => Interlocked.Increment(ref _failedPosts), _stop.Token);
                if (latency is { } ms)
                {
                    into.Add(ms);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or WebSocketException)
            {
                Interlocked.Increment(ref _failedPosts); // counted as an error: no latency recorded
            }
        }
    }

    private static double P(List<double> sorted, double p) => sorted.Count == 0 ? 0 : LatencyFigures.Percentile(sorted, p);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var client in _clients.Concat(_crisis))
        {
            await client.DisposeAsync();
        }

        _stop.Dispose();
    }

    /// <summary>One patient: a Direct Line conversation and its WebSocket stream, read all the time.</summary>
    private sealed class Client : IAsyncDisposable
    {
        private readonly HttpClient _http;
        private readonly ClientWebSocket _socket;
        private readonly string _token;
        private readonly string _conversationId;
        private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _waiting = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, string> _clientIdOf = new(StringComparer.Ordinal);
        private readonly Task _reading;
        private int _next;

        private Client(HttpClient http, ClientWebSocket socket, string token, string conversationId)
        {
            _http = http;
            _socket = socket;
            _token = token;
            _conversationId = conversationId;
            _reading = Task.Run(ReadAsync);
        }

        /// <summary>
        /// Opens a conversation with its stream. Each patient has HTTP connections of their own, as each browser does (at
        /// most 6 to one host, kept open between messages): one pool shared by every conversation opened its connections
        /// in bursts whenever the load rose, which no set of browsers does.
        /// </summary>
        public static async Task<Client> OpenAsync(Uri baseUrl)
        {
            var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 6, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
            {
                BaseAddress = baseUrl,
                Timeout = TimeSpan.FromSeconds(30),
            };
            using var page = await http.PostAsync(new Uri("/api/directline/token", UriKind.Relative), null);
            page.EnsureSuccessStatusCode();
            var pageToken = (await page.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
            using var start = new HttpRequestMessage(HttpMethod.Post, "/v3/directline/conversations") { Content = new StringContent("""{"user":{}}""", Encoding.UTF8, "application/json") };
            start.Headers.Authorization = new("Bearer", pageToken);
            using var started = await http.SendAsync(start);
            started.EnsureSuccessStatusCode();
            var body = (await started.Content.ReadFromJsonAsync<JsonObject>())!;
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(body["streamUrl"]!.GetValue<string>()), CancellationToken.None);
            return new Client(http, socket, body["token"]!.GetValue<string>(), body["conversationId"]!.GetValue<string>());
        }

        /// <summary>Posts <paramref name="text"/>; returns milliseconds from the POST to the bot's first reply on the socket, or null.</summary>
        public async Task<double?> AskAsync(string text, TimeSpan timeout, Action postFailed, CancellationToken ct)
        {
            var clientId = $"bench-{Interlocked.Increment(ref _next)}-{Guid.NewGuid():N}";
            var reply = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[clientId] = reply;
            var activity = new JsonObject
            {
                ["type"] = "message",
                ["text"] = text,
                ["from"] = new JsonObject { ["id"] = "bench" },
                ["locale"] = "en-US",
                ["channelData"] = new JsonObject { ["clientActivityID"] = clientId },
            };
            using var post = new HttpRequestMessage(HttpMethod.Post, $"/v3/directline/conversations/{_conversationId}/activities")
            {
                Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            post.Headers.Authorization = new("Bearer", _token);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await _http.SendAsync(post, ct);
                if (!response.IsSuccessStatusCode)
                {
                    postFailed();
                    return null;
                }

                var arrived = await reply.Task.WaitAsync(timeout, ct);
                return Stopwatch.GetElapsedTime(started, arrived).TotalMilliseconds;
            }
            catch (TimeoutException)
            {
                return null;
            }
            finally
            {
                _waiting.TryRemove(clientId, out _);
            }
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[64 * 1024];
            using var message = new MemoryStream();
            try
            {
                while (_socket.State == WebSocketState.Open)
                {
                    var received = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Write(buffer, 0, received.Count);
                    if (!received.EndOfMessage)
                    {
                        continue;
                    }

                    var now = Stopwatch.GetTimestamp();
                    var frame = message.GetBuffer().AsSpan(0, (int)message.Length);

                    // Only echoes (clientActivityID) and replies (replyToId) matter; typing and pings are skipped
                    // unparsed, so the generator takes less of the CPU it shares with the server.
                    if (frame.IndexOf("\"clientActivityID\""u8) >= 0 || frame.IndexOf("\"replyToId\""u8) >= 0)
                    {
                        Handle(frame, now);
                    }

                    message.SetLength(0);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Closed.
            }
        }

        /// <summary>
        /// The echo of our message names its clientActivityID and id; the bot's first message replying to that id completes
        /// it. Read with <see cref="Utf8JsonReader"/>, not into a document: a reply quoting an article is 3-9 KB of JSON, and
        /// the generator's own garbage-collection pauses land in the latencies it measures.
        /// </summary>
        private void Handle(ReadOnlySpan<byte> frame, long now)
        {
            var reader = new Utf8JsonReader(frame);
            string? id = null, type = null, replyTo = null, clientId = null;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject when reader.CurrentDepth == 2:
                        id = type = replyTo = clientId = null;
                        break;
                    case JsonTokenType.EndObject when reader.CurrentDepth == 2:
                        Seen(id, type, replyTo, clientId, now);
                        break;
                    case JsonTokenType.PropertyName when reader.CurrentDepth == 3:
                        if (reader.ValueTextEquals("id"u8))
                        {
                            id = NextString(ref reader);
                        }
                        else if (reader.ValueTextEquals("type"u8))
                        {
                            type = NextString(ref reader);
                        }
                        else if (reader.ValueTextEquals("replyToId"u8))
                        {
                            replyTo = NextString(ref reader);
                        }
                        else if (!reader.ValueTextEquals("channelData"u8))
                        {
                            reader.Read();
                            reader.Skip();
                        }

                        break;
                    case JsonTokenType.PropertyName when reader.CurrentDepth == 4:
                        if (reader.ValueTextEquals("clientActivityID"u8))
                        {
                            clientId = NextString(ref reader);
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }

                        break;
                }
            }
        }

        private static string? NextString(ref Utf8JsonReader reader)
        {
            reader.Read();
            return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        }

        private void Seen(string? id, string? type, string? replyTo, string? clientId, long now)
        {
            if (clientId is not null && id is not null)
            {
                _clientIdOf[id] = clientId;
            }
            else if (type == "message" && replyTo is not null && _clientIdOf.TryRemove(replyTo, out var asked) && _waiting.TryGetValue(asked, out var waiting))
            {
                waiting.TrySetResult(now);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }

            await Task.WhenAny(_reading, Task.Delay(2000));
            _socket.Dispose();
            _http.Dispose();
        }
    }
}

/// <summary>FaqBot from its Release build, started for the benchmark on a free loopback port with its own data folder.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly string _data;

    private ServerProcess(Process process, string baseUrl, string data)
    {
        Process = process;
        BaseUrl = baseUrl;
        _data = data;
    }

    public Process Process { get; }

    public string BaseUrl { get; }

    public static ServerProcess Start(IReadOnlyDictionary<string, string>? environment = null)
    {
        var root = Bench.Root;
        var dll = Path.Combine(root, "src", "FaqBot", "bin", "Release", "net10.0", "FaqBot.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"Build FaqBot first: dotnet build -c Release src/FaqBot ({dll} is missing).");
        }

        var port = FreePort();
        var data = Path.Combine(Path.GetTempPath(), "faqbot-bench", "server-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\"") { UseShellExecute = false, WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["FAQBOT_ROOT"] = root;
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["ConnectionStrings__FaqBot"] = $"Data Source={Path.Combine(data, "faqbot.db")}";
        info.Environment["DataProtection__KeysPath"] = Path.Combine(data, "keys");
        // The benchmark is one address with hundreds of conversations: the per-address and per-token limits are lifted.
        info.Environment["DirectLine__RateLimit__PermitsPerToken"] = "1000000";
        info.Environment["DirectLine__RateLimit__PermitsPerAddress"] = "1000000";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value; // e.g. DOTNET_gcServer=0 to compare garbage collectors
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, $"http://127.0.0.1:{port}", data);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"FaqBot exited with {process.ExitCode} before it was ready.");
            }

            try
            {
                using var ready = http.GetAsync(new Uri($"{server.BaseUrl}/healthz/ready")).GetAwaiter().GetResult();
                if (ready.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            Thread.Sleep(250);
        }

        server.Dispose();
        throw new TimeoutException("FaqBot was not ready within 5 minutes.");
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(10_000);
        }

        Process.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
