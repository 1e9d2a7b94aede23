using System.Text.Json.Nodes;
using FaqBot.Answering;
using FaqBot.Conversation;
using FaqBot.Conversation.Intents;
using FaqBot.Handoff;
using FaqBot.Knowledge;
using FaqBot.Safety;
using FaqBot.Schema;
using FaqBot.Search;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FaqBot.Tests.Conversation;

/// <summary>
/// The real turn handler with the real articles, phrases.yaml and appsettings.json, carrying the
/// conversation state from turn to turn as the conversation service does.
/// </summary>
public sealed class TurnHarness : IDisposable
{
    public const string ClinicPhone = "(555) 321-7788";

    private readonly KnowledgeBase _knowledge;

    /// <param name="availability">who can take a chat (default: staff on duty).</param>
    public TurnHarness(string? knowledgeFolder = null, IStaffAvailability? availability = null, Action<SearchOptions>? configureSearch = null)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(TestPaths.Root, "appsettings.json")).Build();
        var clinic = configuration.GetSection(ClinicOptions.Section).Get<ClinicOptions>()!;
        clinic.Phone = ClinicPhone;
        Clinic = clinic;
        var conversation = configuration.GetSection(ConversationOptions.Section).Get<ConversationOptions>()!;
        var search = configuration.GetSection(SearchOptions.Section).Get<SearchOptions>()!;
        configureSearch?.Invoke(search);
        var phrases = PhraseBook.Load(Path.Combine(TestPaths.Root, "phrases.yaml"));
        _knowledge = TestPaths.Knowledge(knowledgeFolder, search: search);
        Handler = new TurnHandler(
            _knowledge,
            new AnswerComposer(Options.Create(search)),
            FaqBot.Tests.Safety.SafetyTestData.Screen,
            new SafetyResponder(FaqBot.Tests.Safety.SafetyTestData.Screen, Options.Create(clinic), TestPaths.Reasons, TimeProvider.System, availability),
            new IntentClassifier(phrases),
            Options.Create(clinic),
            Options.Create(conversation),
            TestPaths.Reasons,
            TimeProvider.System);
        State = new ConversationState { ConversationId = "test-conversation", UserId = "dl_patient" };
    }

    public TurnHandler Handler { get; }

    public ClinicOptions Clinic { get; }

    public ConversationState State { get; set; }

    public async Task<TurnResult> SayAsync(string text) => await SendAsync(new Activity { Type = ActivityTypes.Message, Text = text, From = new ChannelAccount("dl_patient", Role: RoleTypes.User) });

    public async Task<TurnResult> SendAsync(Activity activity)
    {
        var result = await Handler.HandleAsync(activity, State);
        State = result.State;
        return result;
    }

    /// <summary>What Web Chat sends when a thumb is clicked: the action object exactly as the bot sent it.</summary>
    public static Activity FeedbackEvent(Activity answer, string actionType)
    {
        var entity = answer.Entities!.Single(e => e["type"]?.GetValue<string>() == "https://schema.org/Message");
        var action = entity["potentialAction"]!.AsArray().Single(a => a!["@type"]!.GetValue<string>() == actionType)!.DeepClone().AsObject();
        return new Activity { Type = ActivityTypes.Event, Name = TurnHandler.FeedbackEventName, Entities = [action], From = new ChannelAccount("dl_patient", Role: RoleTypes.User) };
    }

    public static Activity Message(TurnResult result) => result.Replies.First(r => r.Type == ActivityTypes.Message);

    public static IReadOnlyList<CardAction> Buttons(TurnResult result) => Message(result).SuggestedActions?.Actions ?? [];

    /// <summary>The tap targets of the reply's hero card (crisis and check-in), as (title, url).</summary>
    public static IReadOnlyList<(string Title, string Url)> CardButtons(TurnResult result) =>
        Message(result).Attachments?.Where(a => a.ContentType == SafetyResponder.HeroCardType)
            .SelectMany(a => a.Content!["buttons"]!.AsArray())
            .Select(b => (b!["title"]!.GetValue<string>(), b["value"]!.GetValue<string>())).ToList() ?? [];

    public void Dispose() => _knowledge.Dispose();
}
