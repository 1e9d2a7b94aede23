using System.Globalization;
using FaqBot.Answering;

namespace FaqBot.Conversation;

/// <summary>Everything the bot says in its own words. Clinic details come from <see cref="ClinicOptions"/>.</summary>
public static class Replies
{
    public const string EmptyMessage = "I didn't catch a question there. Type what you'd like to know about ketamine infusions, or ask for a person.";
    public const string TooLong = "That message is longer than I can read (4,000 characters at most). Please ask one question at a time.";
    public const string Thanks = "You're welcome. Is there anything else you'd like to know?";
    public const string AskAQuestion = "Okay. What would you like to know? Here are some questions I can answer:";
    public const string NoProblem = "No problem. Ask me anything else, or try one of these:";
    public const string NotCovered = "I'm sorry, our articles don't cover that, and I only answer from them. These are close to what I can answer:";
    public const string OfferPersonAfterMisses = "I'm still not finding that in our articles. Would you like to talk with a member of our care team?";
    public const string SorryOfferPerson = "I'm sorry that wasn't helpful. Would you like to talk with a member of our care team?";
    /// <summary>The turn's own words on a handoff; what happens next (who comes, when, or a callback) is added to the same message by the handoff recorder.</summary>
    /// <summary>The default text for ask-for-person in appsettings.json (Escalation:Reasons).</summary>
    public const string ConnectingYou = "Of course. I'm passing this chat to our care team.";
    public const string StillQueued = "You're already waiting for our care team, and they will see everything you write here.";

    /// <summary>Short enough for a phone's first screen; the starter questions follow as buttons, with no lead-in that would dangle once they are gone.</summary>
    public static string Welcome(ClinicOptions clinic) =>
        $"Hi, I'm the {clinic.Name} assistant. I answer questions about ketamine infusions by quoting our articles, and I can connect you with our care team. " +
        "I'm not a clinician and this isn't medical advice. **In a crisis, call or text 988. In an emergency, call 911.**";

    public static string Greeting(ClinicOptions clinic) => $"Hello! I can answer questions about ketamine infusions from {clinic.Name}'s articles. What would you like to know?";

    public static string Goodbye(ClinicOptions clinic) => $"Take care. If you need us, {clinic.Name} is at {clinic.Phone}.";

    public static string Help(ClinicOptions clinic) =>
        "I answer questions about ketamine infusions (what they feel like, preparing, side effects, recovery) by quoting our clinic's articles, and I show where each quote comes from. " +
        $"For prices, appointments or anything about your own health, I connect you with our care team. You can also call {clinic.Name} at {clinic.Phone}.";

    public static string OutOfScope(ClinicOptions clinic) =>
        $"I can only help with questions about ketamine infusion treatment at {clinic.Name}, answered from our articles. Try one of these:";

    public static string AnswerLead(int citations) => citations == 1 ? "Here's what our article says:" : "Here's what our articles say:";

    public static string DidYouMean(IReadOnlyList<ClarifyChoice> choices) =>
        $"Did you mean {string.Join(" or ", choices.Select(c => $"“{c.Section}”"))}?";

    public const string CrisisHeading = "You deserve support right now";
    public const string EmergencyHeading = "This may be a medical emergency";
    public const string CheckInHeading = "Are you safe right now?";
    public const string CardLead = "Tap to reach someone now. 988 (call or text) answers day and night; 911 if you are in danger.";
    public const string CardLeadPoisoning = "Tap to reach someone now. If you took too much of anything, call 911 or Poison Control (1-800-222-1222) now, even if you feel okay.";
    public const string CheckInYes = "Yes, I'm safe";
    public const string CheckInNo = "No, I'm not safe";

    public static string Crisis(ClinicOptions clinic, ChatWatch watch, bool poisoning) =>
        "I'm really sorry you're going through this, and I'm glad you reached out. You deserve support right now.\n\n" +
        "- **Call or text 988** (Suicide & Crisis Lifeline, US), any time, day or night.\n" +
        "- **Call 911** if you are in immediate danger.\n" +
        (poisoning ? "- **Poison Control: 1-800-222-1222** if you took too much of a medicine or anything else.\n" : "") +
        $"- Call {clinic.Name} at **{clinic.Phone}**.\n\n" +
        Watching(watch) + " Please stay with someone you trust if you can.";

    public static string Emergency(ClinicOptions clinic, ChatWatch watch) =>
        "This sounds like it could be a medical emergency. **Call 911 now**, or have someone nearby call for you.\n\n" +
        "- If you're struggling emotionally, **call or text 988**.\n" +
        $"- Then let {clinic.Name} know at **{clinic.Phone}**.\n\n" +
        Watching(watch);

    public static string CheckIn(ClinicOptions clinic, ChatWatch watch) =>
        "Thank you for telling me. I want to check on you: **are you safe right now?**\n\n" +
        "If you are thinking about hurting yourself, or you are not sure you are safe, **call or text 988** now (day or night), " +
        $"or **call 911** if you are in danger. You can also call {clinic.Name} at **{clinic.Phone}**.\n\n" +
        watch.Kind switch
        {
            ChatWatchKind.Nobody => "**This chat is not watched by a person right now**, so please call or text 988 if you need someone now. Our care team will see your message first when they are back.",
            ChatWatchKind.StaffInChat => "I've let our care team member in this chat know.",
            _ => "I've asked our care team to check in with you here.",
        };

    public static string CheckInSafe(ClinicOptions clinic) =>
        "Thank you for letting me know. I'm glad you're safe right now. A member of our care team will still check in with you here. " +
        $"If that changes, call or text 988 any time, or call {clinic.Name} at {clinic.Phone}. You can keep asking me questions too.";

    /// <summary>The sentence that says, plainly, who is watching this chat right now.</summary>
    private static string Watching(ChatWatch watch) => watch.Kind switch
    {
        ChatWatchKind.Nobody =>
            "**This chat is not watched by a person right now.** Please call or text 988 now, or call 911 if you are in danger; don't wait for a reply here. " +
            "Your message is first in line for our care team when they are back.",
        ChatWatchKind.StaffInChat => $"I've marked this urgent for {watch.StaffName ?? "the care team member"} in this chat.",
        _ => "I've alerted our care team as urgent, so a person can join this chat as soon as possible.",
    };

    /// <summary>Short footer under an answer about suicidal thoughts as a topic (not a personal crisis).</summary>
    public static string CrisisFooter(ClinicOptions clinic) =>
        $"*If you're having thoughts of suicide, call or text 988 any time, or call 911 in an emergency. You can also reach {clinic.Name} at {clinic.Phone}.*";

    public const string ConfirmDeleteChat =
        "Do you want me to delete this chat? Everything written here, including any contact details you gave for a callback, will be erased from our records and cannot be recovered.";

    public const string ChatKept = "All right, I kept your chat. What else would you like to know?";

    public static string ChatDeleted(ClinicOptions clinic) =>
        $"Your chat has been deleted from our records. You can start again at any time. If you ever need us urgently, call or text 988, call 911, or call {clinic?.Name} at {clinic?.Phone}.";
}
