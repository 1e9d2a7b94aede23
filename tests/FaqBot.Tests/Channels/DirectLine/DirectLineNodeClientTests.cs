using System.Diagnostics;
using System.Text.Json.Nodes;
using FaqBot.Hosting;
using FaqBot.Tests.Infrastructure;

namespace FaqBot.Tests.Channels.DirectLine;

/// <summary>The official client, botframework-directlinejs 0.15.6 under Node, against the real server over WebSocket.</summary>
public sealed class DirectLineNodeClientTests
{
    [Fact]
    public async Task Official_directlinejs_client_gets_echo_cited_reply_and_what_it_missed_while_disconnected()
    {
        var folder = Path.Combine(FaqBotHost.FindRoot(), "tests", "FaqBot.Tests", "Node");
        Assert.True(
            File.Exists(Path.Combine(folder, "node_modules", "botframework-directlinejs", "package.json")),
            $"botframework-directlinejs is not installed in {folder}: run `npm ci` there (the test project's build and .ci/run do).");

        await using var server = new FaqBotServer();
        using var client = new DirectLineTestClient(server);
        var page = await client.GetPageTokenAsync(); // the page's token: the client starts the conversation itself

        var events = await RunNodeAsync(folder, new Uri(server.BaseAddress, "/v3/directline").ToString(), page.Token);

        Assert.Contains(events, e => e["event"]!.GetValue<string>() == "status" && e["status"]!.GetValue<int>() == 2); // Online
        var posted = Single(events, "posted");
        Assert.Equal(page.ConversationId, posted["conversationId"]!.GetValue<string>());
        var echo = Single(events, "echo");
        Assert.Equal(posted["id"]!.GetValue<string>(), echo["id"]!.GetValue<string>());
        Assert.Equal("node-1", echo["clientActivityID"]!.GetValue<string>());
        Assert.Equal("user", echo["role"]!.GetValue<string>());

        var reply = Single(events, "reply");
        Assert.Equal("bot", reply["role"]!.GetValue<string>());
        Assert.Equal(posted["id"]!.GetValue<string>(), reply["replyToId"]!.GetValue<string>());
        CitedAnswer.AssertCited(reply["text"]?.GetValue<string>(), null, reply["entities"]!.AsArray());

        var away = Single(events, "posted-while-away")["id"]!.GetValue<string>();
        var missed = Single(events, "missed");
        Assert.Equal(1, missed["socket"]!.GetValue<int>()); // a second connection...
        Assert.Equal(away, missed["socketIds"]![0]!.GetValue<string>()); // ...replaying from the watermark
        Assert.DoesNotContain(missed["droppedIds"]!.AsArray(), id => id!.GetValue<string>() == away);
        Assert.Equal(away, missed["echo"]!["id"]!.GetValue<string>());
        Assert.Equal("node-2", missed["echo"]!["clientActivityID"]!.GetValue<string>());
        Assert.Equal(away, missed["reply"]!["replyToId"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e["event"]!.GetValue<string>() is "empty-frame" or "error");
    }

    private static JsonObject Single(List<JsonObject> events, string name) => Assert.Single(events, e => e["event"]!.GetValue<string>() == name);

    private static async Task<List<JsonObject>> RunNodeAsync(string folder, string domain, string token)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("directline-client.js");
        start.ArgumentList.Add(domain);
        start.ArgumentList.Add(token);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            try
            {
                await process.WaitForExitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"node exited with {process.ExitCode}.\nstdout:\n{output}\nstderr:\n{await stderr}");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => (JsonObject)JsonNode.Parse(line)!)];
    }
}
