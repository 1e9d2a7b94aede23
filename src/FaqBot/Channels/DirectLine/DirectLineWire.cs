using System.Text.Json.Serialization;
using FaqBot.Schema;

namespace FaqBot.Channels.DirectLine;

/// <summary>The Conversation object of Direct Line 3.0 (start, reconnect, tokens). Note the snake_case <c>expires_in</c>.</summary>
public sealed record ConversationResponse(
    string ConversationId,
    string Token,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    string? StreamUrl = null);

/// <summary>A page of a conversation's log; <see cref="Watermark"/> is the sequence of the last one, as a string.</summary>
public sealed record ActivitySet(IReadOnlyList<Activity> Activities, string Watermark);

/// <summary>The answer to a posted activity.</summary>
public sealed record ResourceResponse(string Id);

/// <summary>Optional body of <c>tokens/generate</c> and <c>conversations</c>.</summary>
public sealed record TokenParameters(ChannelAccount? User = null, string? Locale = null);

/// <summary>Direct Line's error body: <c>{"error":{"code","message"}}</c>.</summary>
public sealed record ErrorResponse(ErrorDetail Error);

public sealed record ErrorDetail(string Code, string Message);
