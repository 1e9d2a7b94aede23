using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FaqBot.Tests.Channels.BotConnector;
using FaqBot.Tests.Channels.DirectLine;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FaqBot.Tests.Security;

/// <summary>A whole conversation through every channel, and not one identifying string in the logs.</summary>
public sealed class LogPrivacyTests
{
    [Fact]
    public async Task A_full_conversation_leaves_no_text_name_phone_email_or_conversation_id_in_the_logs()
    {
        var logs = new CapturedLogs();
        await using var channel = await LoopbackChannel.StartAsync();
        await using var server = new FaqBotServer(
            new Dictionary<string, string?> { ["Staff:DutyHours"] = "never" },
            services: s => s.AddSingleton<ILoggerProvider>(logs));
        using var client = new DirectLineTestClient(server);

        // Direct Line: a question, a request for a person, the callback dialogue, a crisis.
        var chat = await client.StartAsync();
        var secrets = new List<string> { chat.ConversationId, "Quentin Zebulon", "555-013-4477", "quentin.zebulon@example.org", "zebra-question-words" };
        foreach (var text in new[] { "zebra-question-words can I drive afterward?", "can I talk to a real person?", "yes", "Quentin Zebulon", "555-013-4477 or quentin.zebulon@example.org", "yes", "I want to kill myself" })
        {
            await client.PostMessageAsync(chat.Token, chat.ConversationId, text, Guid.NewGuid().ToString("N"));
        }

        // Bot Connector: a channel whose conversation id is a phone number.
        const string phoneConversation = "+15550199123";
        secrets.Add(phoneConversation);
        secrets.Add("connector-secret-words");
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["id"] = "chan-1",
            ["channelId"] = LoopbackChannel.ChannelId,
            ["serviceUrl"] = channel.Url,
            ["text"] = "connector-secret-words what should I bring?",
            ["from"] = new JsonObject { ["id"] = phoneConversation, ["name"] = "Quentin Zebulon" },
            ["recipient"] = new JsonObject { ["id"] = "bot-1" },
            ["conversation"] = new JsonObject { ["id"] = phoneConversation },
        };
        using var http = server.CreateHttpClient();
        using var response = await http.PostAsync(new Uri("/api/messages", UriKind.Relative), new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await channel.NextAsync(); // the welcome
        await channel.NextAsync(); // the answer: the outbound calls to the channel have been made

        var all = logs.Lines.ToList();
        Assert.NotEmpty(all);
        Assert.Contains(all, l => l.Contains("escalated", StringComparison.Ordinal)); // the logs do say what happened
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(all, line => line.Contains(secret, StringComparison.OrdinalIgnoreCase) || line.Contains(Uri.EscapeDataString(secret), StringComparison.OrdinalIgnoreCase));
        }
    }

    private sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
