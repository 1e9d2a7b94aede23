using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FaqBot.Channels;

/// <summary>Why a JSON body was refused; each dialect (Direct Line, ProblemDetails) turns it into its own error.</summary>
public enum JsonBodyProblem
{
    None,
    Empty,
    TooLarge,
    WrongContentType,
    Malformed,
    TooDeep,
    InvalidText,
    NotAnObject,
}

/// <summary>A parsed JSON object, or the reason it was refused with a message a developer can act on.</summary>
public readonly record struct JsonBodyResult(JsonObject? Body, JsonBodyProblem Problem, string Message)
{
    public int Status => Problem switch
    {
        JsonBodyProblem.TooLarge => StatusCodes.Status413PayloadTooLarge,
        JsonBodyProblem.WrongContentType => StatusCodes.Status415UnsupportedMediaType,
        _ => StatusCodes.Status400BadRequest,
    };
}

/// <summary>
/// The one strict reader of the JSON bodies anonymous callers send (Direct Line, /api/messages, /api/ask,
/// sign-in): <c>application/json</c> only, at most a given size (also without Content-Length), valid
/// UTF-8, at most <see cref="MaxDepth"/> levels deep, no lone UTF-16 surrogates in any string, and a
/// JSON object at the top. Nothing is bound or stored before all of that holds.
/// </summary>
public static class JsonBody
{
    public const int MaxDepth = 16;

    public static async Task<JsonBodyResult> ReadAsync(HttpRequest request, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await RequestBody.ReadAsync(request, maxBytes) is not { } bytes)
        {
            return Refuse(JsonBodyProblem.TooLarge, string.Create(CultureInfo.InvariantCulture, $"The request body is larger than {maxBytes:N0} bytes."));
        }

        if (bytes.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Refuse(JsonBodyProblem.Empty, "The request needs a JSON body.");
        }

        if (!IsJson(request.ContentType))
        {
            return Refuse(JsonBodyProblem.WrongContentType, "Send the body as JSON with Content-Type: application/json.");
        }

        return Parse(bytes.Span);
    }

    /// <summary>Checks and parses <paramref name="utf8"/> (see the class summary).</summary>
    public static JsonBodyResult Parse(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth + 1, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth >= MaxDepth:
                        return Refuse(JsonBodyProblem.TooDeep, string.Create(CultureInfo.InvariantCulture, $"The JSON is nested more than {MaxDepth} levels deep."));
                    case JsonTokenType.String or JsonTokenType.PropertyName:
                        try
                        {
                            _ = reader.GetString();
                        }
                        catch (InvalidOperationException)
                        {
                            return Refuse(JsonBodyProblem.InvalidText, string.Create(CultureInfo.InvariantCulture,
                                $"The JSON holds a string that is not valid Unicode (an unpaired surrogate escape such as \\ud800) at byte {reader.TokenStartIndex + 1}."));
                        }

                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, byte {ex.BytePositionInLine + 1})") : "";
            return Refuse(JsonBodyProblem.Malformed, $"The body is not valid JSON in UTF-8{where}.");
        }

        var node = JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = MaxDepth + 1 });
        return node is JsonObject body
            ? new JsonBodyResult(body, JsonBodyProblem.None, "")
            : Refuse(JsonBodyProblem.NotAnObject, "The body must be a JSON object.");
    }

    /// <summary>Binds a checked object to <typeparamref name="T"/>; null and a message when a field has the wrong type.</summary>
    public static (T? Value, string? Error) Bind<T>(JsonObject body, JsonSerializerOptions options)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return body.Deserialize<T>(options) is { } value ? (value, null) : (null, "The body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? $" at {path}" : "";
            return (null, $"A field of the body has the wrong type{field}.");
        }
        catch (InvalidOperationException)
        {
            return (null, "A field of the body has the wrong type.");
        }
    }

    public static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        && (media.Charset.Length == 0 || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    private static JsonBodyResult Refuse(JsonBodyProblem problem, string message) => new(null, problem, message);
}
