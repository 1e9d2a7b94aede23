using System.Text.Json.Nodes;
using FaqBot.Answering;
using FaqBot.Conversation.Intents;
using FaqBot.Handoff;
using FaqBot.Knowledge;
using FaqBot.Safety;
using FaqBot.Schema;
using FaqBot.Search;
using FaqBot.Search.Analysis;
using Microsoft.Extensions.Options;

namespace FaqBot.Conversation;

/// <summary>
/// The bot's judgement for one incoming activity, the same for every channel:
/// 1. safety screen on every message, whoever owns the conversation;
/// 2. quiet while staff own it;
/// 3. pending prompts (offer of a person), intents (smalltalk, ask for a person, staff-only topics);
/// 4. search and answer with citations, clarify, or admit a miss and offer help.
/// </summary>
public sealed class TurnHandler(
    KnowledgeBase knowledge,
    AnswerComposer composer,
    SafetyScreen safety,
    SafetyResponder safetyReplies,
    IntentClassifier intents,
    IOptions<ClinicOptions> clinic,
    IOptions<ConversationOptions> conversation,
    EscalationReasons reasons,
    TimeProvider time)
{
    public const string FeedbackEventName = "webchat:activity-status/feedback";
    public const int MaxMessageLength = 4000;
    public const string DeleteChatYes = "Yes, delete my chat";
    public const string DeleteChatNo = "No, keep it";
    private const int MaxRememberedAnswers = 10;

    public Task<TurnResult> HandleAsync(Activity incoming, ConversationState state, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(state);
        ct.ThrowIfCancellationRequested();
        var result = incoming.Type switch
        {
            ActivityTypes.ConversationUpdate when incoming.MembersAdded?.Any(m => m.Role != RoleTypes.Bot && m.Id != incoming.Recipient?.Id) == true => Welcome(state),
            ActivityTypes.Event when incoming.Name == FeedbackEventName => Feedback(incoming, state),
            ActivityTypes.Message => Message(incoming, state),
            _ => new TurnResult(state, [], Outcomes.None),
        };
        return Task.FromResult(result);
    }

    private TurnResult Message(Activity incoming, ConversationState state)
    {
        var choice = ClarifyChoiceFrom(incoming.Value);
        var text = (incoming.Text ?? choice?.Question ?? "").Trim();
        if (text.Length == 0)
        {
            return new TurnResult(state, [Say(Replies.EmptyMessage)], Outcomes.Fallback);
        }

        // 1. Safety first, on every turn, whoever owns the conversation.
        var verdict = safety.Check(text);
        if (safetyReplies.Respond(state, text, verdict) is { } safetyReply)
        {
            return safetyReply;
        }

        state = state.Pending == PendingPrompts.SafetyCheckIn ? state with { Pending = null } : state;

        if (text.Length > MaxMessageLength)
        {
            return new TurnResult(state, [Say(Replies.TooLong)], Outcomes.Fallback);
        }

        // 2. A person has the conversation: the bot stays quiet; staff see the message live.
        if (state.Handoff == HandoffState.WithStaff)
        {
            return new TurnResult(state, [], Outcomes.None);
        }

        // The callback dialogue (name, contact, consent) takes the patient's answers until it ends.
        if (CallbackFlow.IsActive(state))
        {
            var step = CallbackFlow.Handle(state, text, askedForPerson: intents.Classify(text).Kind == IntentKind.AskForPerson, time.GetUtcNow());
            return new TurnResult(step.State, [step.ToActivity()], Outcomes.Handoff) { Reason = state.Escalation?.Reason };
        }

        state = state with { FirstQuestion = state.FirstQuestion ?? text };
        var intent = intents.Classify(text);

        // 3. An answer to the bot's own question.
        if (state.Pending is PendingPrompt.OfferPerson offer)
        {
            state = state with { Pending = null };
            if (intent.Kind == IntentKind.Affirm)
            {
                return Escalate(state, offer.Reason);
            }

            if (intent.Kind == IntentKind.Deny)
            {
                return new TurnResult(state, [Say(Replies.NoProblem, Starters(3))], Outcomes.Smalltalk);
            }
        }

        // The patient's "delete my chat", confirmed with a button (anything else keeps the chat).
        if (state.Pending == PendingPrompts.ConfirmDelete)
        {
            state = state with { Pending = null };
            if (text.Equals(DeleteChatYes, StringComparison.OrdinalIgnoreCase) || intent.Kind == IntentKind.Affirm)
            {
                return new TurnResult(state, [Say(Replies.ChatDeleted(clinic.Value))], Outcomes.Smalltalk) { Erase = true };
            }

            if (intent.Kind == IntentKind.Deny || text.Equals(DeleteChatNo, StringComparison.OrdinalIgnoreCase))
            {
                return new TurnResult(state, [Say(Replies.ChatKept)], Outcomes.Smalltalk);
            }
        }

        if (intent.Kind == IntentKind.DeleteChat)
        {
            var confirm = Say(Replies.ConfirmDeleteChat, [new(ActionTypes.ImBack, DeleteChatYes, DeleteChatYes), new(ActionTypes.ImBack, DeleteChatNo, DeleteChatNo)]);
            return new TurnResult(state with { Pending = PendingPrompts.ConfirmDelete }, [confirm], Outcomes.Smalltalk);
        }

        if (choice is not null)
        {
            return AnswerFromSection(state, choice, verdict.Level == SafetyLevel.InformationalTopic, incoming.Id);
        }

        switch (intent.Kind)
        {
            case IntentKind.Greeting:
                return Smalltalk(state, Replies.Greeting(clinic.Value), Starters(4));
            case IntentKind.Thanks:
                return Smalltalk(state, Replies.Thanks, null);
            case IntentKind.Goodbye:
                return Smalltalk(state, Replies.Goodbye(clinic.Value), null);
            case IntentKind.Help:
                return Smalltalk(state, Replies.Help(clinic.Value), Starters(4));
            case IntentKind.Affirm or IntentKind.Deny:
                return Smalltalk(state, Replies.AskAQuestion, Starters(3));
            case IntentKind.AskForPerson:
                return Escalate(state, EscalationReasons.AskForPerson);
            case IntentKind.StaffOnly:
                return Escalate(state, intent.Reason ?? EscalationReasons.AskForPerson);
            case IntentKind.OutOfScope:
                return new TurnResult(state, [Say(Replies.OutOfScope(clinic.Value), Starters(3))], Outcomes.Fallback);
        }

        // 4. Search the articles (a short follow-up is read in the context of the last topic).
        return Search(state, text, verdict.Level == SafetyLevel.InformationalTopic, incoming.Id);
    }

    private TurnResult Search(ConversationState state, string text, bool crisisFooter, string? replyTo)
    {
        var index = knowledge.Current;
        var result = index.Search(text);
        var followUp = state.LastTopic is not null && FollowUp.Cue(text) switch
        {
            FollowUpCue.Strong => true,
            FollowUpCue.Weak => result.Confidence < composer.AnswerThreshold,
            _ => false,
        };
        if (followUp)
        {
            var last = state.LastTopic!;
            result = index.Search(text, new SearchContext(last.Question, last.Source, last.Section));
        }

        var answer = composer.Compose(result, allowClarify: !followUp);
        return answer.Outcome switch
        {
            Outcomes.Answer => Answered(state, text, answer, crisisFooter, replyTo),
            Outcomes.Clarify => Clarify(state, text, answer),
            _ => Missed(state, text, crisisFooter) with { Confidence = answer.Confidence },
        };
    }

    private TurnResult AnswerFromSection(ConversationState state, ClarifyChoiceValue choice, bool crisisFooter, string? replyTo)
    {
        var result = knowledge.Current.Search(choice.Question);
        var inSection = result.Ranked.Where(r => r.Passage.Source == choice.Source && r.Passage.Section == choice.Section).ToList();
        if (inSection.Count == 0)
        {
            return Missed(state, choice.Question);
        }

        var answer = new Answer(Outcomes.Answer, inSection[0].Score, [AnswerComposer.ToCitation(inSection[0].Passage)], []);
        return Answered(state, choice.Question, answer, crisisFooter, replyTo);
    }

    private TurnResult Answered(ConversationState state, string question, Answer answer, bool crisisFooter, string? replyTo)
    {
        var key = Guid.NewGuid().ToString("N")[..12];
        var text = AnswerComposer.ToMarkdown(answer.Citations, Replies.AnswerLead(answer.Citations.Count));
        if (crisisFooter)
        {
            text = $"{text}\n\n{Replies.CrisisFooter(clinic.Value)}";
        }

        var articles = knowledge.Current.Knowledge.Articles;
        var reply = Say(text) with { Entities = [CitationEntity.Create(answer.Citations, key, source => articles.FirstOrDefault(a => a.Source == source))] };
        var first = answer.Citations[0];
        var record = new AnswerRecord(key, question, Outcomes.Answer, replyTo);
        var next = state with
        {
            ConsecutiveMisses = 0,
            LastTopic = new TopicContext(question, first.Source, first.Section),
            Answers = [.. state.Answers.TakeLast(MaxRememberedAnswers - 1), record],
        };
        return new TurnResult(next, [reply], Outcomes.Answer) { Confidence = answer.Confidence, Citations = answer.Citations };
    }

    private static TurnResult Clarify(ConversationState state, string question, Answer answer)
    {
        var actions = answer.Choices.Select(c => new CardAction(
            ActionTypes.MessageBack,
            Truncate(c.Section, 60),
            new JsonObject { ["source"] = c.Source, ["section"] = c.Section, ["question"] = question }.ToJsonString(),
            DisplayText: c.Section,
            Text: c.Section)).ToList();
        var reply = Say(Replies.DidYouMean(answer.Choices), actions);
        return new TurnResult(state with { ConsecutiveMisses = 0 }, [reply], Outcomes.Clarify) { Confidence = answer.Confidence };
    }

    private TurnResult Missed(ConversationState state, string question, bool crisisFooter = false)
    {
        // A question about suicide or overdose that the articles miss still gets the crisis lines.
        var footer = crisisFooter ? $"\n\n{Replies.CrisisFooter(clinic.Value)}" : "";
        var misses = state.ConsecutiveMisses + 1;
        if (misses >= 2)
        {
            var offer = Say(Replies.OfferPersonAfterMisses + footer, YesNo());
            return new TurnResult(state with { ConsecutiveMisses = misses, Pending = new PendingPrompt.OfferPerson(EscalationReasons.RepeatedMiss) }, [offer], Outcomes.Fallback);
        }

        var reply = Say(Replies.NotCovered + footer, Related(question));
        return new TurnResult(state with { ConsecutiveMisses = misses }, [reply], Outcomes.Fallback);
    }

    /// <summary>Hands the chat over for a configured reason (its priority and what the patient is told come from Escalation:Reasons).</summary>
    private TurnResult Escalate(ConversationState state, string code)
    {
        var reason = reasons.Get(code);
        var transition = HandoffMachine.Apply(state, new HandoffCommand.Escalate(reason, time.GetUtcNow()));
        return transition.Events switch
        {
            [HandoffEvent.StillQueued still] => new TurnResult(state, [Say(Replies.StillQueued)], Outcomes.Handoff) { Reason = still.Reason },
            // Queued; if nobody can take the chat now, the handoff recorder offers a callback.
            [HandoffEvent.Escalated escalated] => new TurnResult(transition.State, [Say(reason.PatientText), HandoffEvents.Initiate(escalated.Escalation)], Outcomes.Handoff) { Reason = code },
            _ => new TurnResult(transition.State, [], Outcomes.Handoff) { Reason = code },
        };
    }

    private TurnResult Welcome(ConversationState state) =>
        new(state, [Say(Replies.Welcome(clinic.Value), Starters(4))], Outcomes.Smalltalk);

    private static TurnResult Smalltalk(ConversationState state, string text, IReadOnlyList<CardAction>? actions) =>
        new(state, [Say(text, actions)], Outcomes.Smalltalk);

    private TurnResult Feedback(Activity incoming, ConversationState state)
    {
        // Whatever the client sent: a non-string @type or @id is simply not feedback.
        var action = incoming.Entities is { Count: > 0 } entities ? entities[0] : null;
        var type = action?["@type"] is JsonValue t && t.TryGetValue<string>(out var typeText) ? typeText : null;
        var id = action?["@id"] is JsonValue i && i.TryGetValue<string>(out var idText) ? idText : "";
        var reaction = type switch { "LikeAction" => "like", "DislikeAction" => "dislike", _ => null };
        var key = CitationEntity.KeyFromActionId(id);
        if (reaction is null || key is null)
        {
            return new TurnResult(state, [], Outcomes.None);
        }

        var answer = state.Answers.FirstOrDefault(a => a.Key == key);
        // What was quoted is read from the stored reply by ConversationService (the state keeps no copy of it).
        var feedback = new FeedbackRecord(state.ConversationId, key, reaction, answer?.Question, answer?.Outcome, [], time.GetUtcNow());
        if (reaction == "like" || state.Handoff is HandoffState.Queued or HandoffState.WithStaff)
        {
            return new TurnResult(state, [], Outcomes.None) { Feedback = feedback };
        }

        var offer = Say(Replies.SorryOfferPerson, YesNo());
        return new TurnResult(state with { Pending = new PendingPrompt.OfferPerson(EscalationReasons.ThumbsDown) }, [offer], Outcomes.Fallback) { Feedback = feedback };
    }

    private List<CardAction> Starters(int count) =>
        conversation.Value.StarterQuestions.Take(count).Select(q => new CardAction(ActionTypes.ImBack, q, q)).ToList();

    /// <summary>The suggested questions sharing the most words with the one that missed.</summary>
    private List<CardAction> Related(string question)
    {
        var words = TextAnalysis.Terms(question).ToHashSet(StringComparer.Ordinal);
        return conversation.Value.SuggestedQuestions
            .Select((q, i) => (q, i, shared: TextAnalysis.Terms(q).Distinct(StringComparer.Ordinal).Count(words.Contains)))
            .OrderByDescending(x => x.shared).ThenBy(x => x.i)
            .Take(3)
            .Select(x => new CardAction(ActionTypes.ImBack, x.q, x.q))
            .ToList();
    }

    private static List<CardAction> YesNo() =>
        [new(ActionTypes.ImBack, "Yes, please", "Yes, please"), new(ActionTypes.ImBack, "No, thanks", "No, thanks")];

    private static Activity Say(string text, IReadOnlyList<CardAction>? actions = null) => new()
    {
        Type = ActivityTypes.Message,
        Text = text,
        TextFormat = "markdown",
        InputHint = actions is { Count: > 0 } ? InputHints.ExpectingInput : InputHints.AcceptingInput,
        SuggestedActions = actions is { Count: > 0 } ? new SuggestedActions(actions) : null,
    };

    private static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");

    private static ClarifyChoiceValue? ClarifyChoiceFrom(JsonNode? value)
    {
        var node = value is JsonValue v && v.TryGetValue<string>(out var json) ? TryParse(json) : value;
        return node is JsonObject o && Text(o["source"]) is { } source && Text(o["section"]) is { } section && Text(o["question"]) is { } question
            ? new ClarifyChoiceValue(source, section, question)
            : null;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    private static JsonNode? TryParse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private sealed record ClarifyChoiceValue(string Source, string Section, string Question);
}
