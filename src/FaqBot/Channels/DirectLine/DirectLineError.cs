using FaqBot.Schema;
using FaqBot.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FaqBot.Channels.DirectLine;

/// <summary>
/// The one place of Direct Line's error dialect, <c>{"error":{"code","message"}}</c>: every 4xx/5xx
/// under /v3/directline is written here, by handlers, by the rate limiter, or by
/// <see cref="DirectLineErrorMiddleware"/> for what the framework answers on its own (404, 405, exceptions).
/// </summary>
public static class DirectLineError
{
    public const string BadArgument = "BadArgument";
    public const string BadSyntax = "BadSyntax";
    public const string MessageTooLong = "MessageTooLong";
    public const string PayloadTooLarge = "PayloadTooLarge";
    public const string Unauthorized = "Unauthorized";
    public const string TokenExpired = "TokenExpired";
    public const string Forbidden = "Forbidden";
    public const string NotFound = "NotFound";
    public const string MethodNotAllowed = "MethodNotAllowed";
    public const string NotSupported = "NotSupported";
    public const string TooManyRequests = "TooManyRequests";
    public const string ServiceError = "ServiceError";

    public static JsonHttpResult<ErrorResponse> Create(int status, string code, string message) =>
        TypedResults.Json(new ErrorResponse(new ErrorDetail(code, message)), ActivityJson.Options, statusCode: status);

    public static JsonHttpResult<ErrorResponse> BadRequest(string message, string code = BadArgument) => Create(StatusCodes.Status400BadRequest, code, message);

    private const string ConversationNotFoundMessage = "This conversation does not exist (it may have been deleted).";

    public static JsonHttpResult<ErrorResponse> ConversationNotFound() =>
        Create(StatusCodes.Status404NotFound, NotFound, ConversationNotFoundMessage);

    /// <summary>The conversation was erased between the request's check and its write (nothing was stored).</summary>
    public static Task WriteConversationNotFoundAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status404NotFound, NotFound, ConversationNotFoundMessage);

    /// <summary>Writes an error outside an endpoint (middleware, rate limiter).</summary>
    public static Task WriteAsync(HttpContext context, int status, string? code = null, string? message = null)
    {
        context.Response.StatusCode = status;
        return Create(status, code ?? CodeFor(status), message ?? MessageFor(status)).ExecuteAsync(context);
    }

    private static string CodeFor(int status) => status switch
    {
        400 => BadArgument,
        401 => Unauthorized,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        413 => PayloadTooLarge,
        429 => TooManyRequests,
        _ when status >= 500 => ServiceError,
        _ => BadArgument,
    };

    private static string MessageFor(int status) => status switch
    {
        400 => "The request is not valid.",
        401 => "A valid Direct Line token is required (Authorization: Bearer ...).",
        403 => "This token may not do that.",
        404 => "There is no such Direct Line resource.",
        405 => "This Direct Line resource does not accept that HTTP method.",
        413 => "The request body is too large.",
        429 => "Too many requests; please wait a moment.",
        _ when status >= 500 => "Something went wrong on our side; your last message may not have been saved. Please try again. In an emergency call 911, or call or text 988.",
        _ => "The request could not be handled.",
    };
}

/// <summary>
/// Runs for /v3/directline only: turns exceptions and empty framework error responses (unknown
/// route, wrong method, bad request) into Direct Line error bodies; a conversation erased while a request was
/// under way (the store refused the write) is "not found", as it would have been a moment earlier.
/// </summary>
public sealed partial class DirectLineErrorMiddleware(RequestDelegate next, ILogger<DirectLineErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            await DirectLineError.WriteAsync(context, ex.StatusCode);
            return;
        }
        catch (ConversationNotFoundException) when (!context.Response.HasStarted)
        {
            await DirectLineError.WriteConversationNotFoundAsync(context);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
        {
            LogFailed(logger, ex, context.Request.Method, context.GetEndpoint()?.DisplayName ?? "(no route)");
            await DirectLineError.WriteAsync(context, StatusCodes.Status500InternalServerError);
            return;
        }

        var response = context.Response;
        if (response.StatusCode >= 400 && !response.HasStarted && response.ContentLength is null or 0 && string.IsNullOrEmpty(response.ContentType))
        {
            await DirectLineError.WriteAsync(context, response.StatusCode);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Direct Line request {Method} {Route} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, string route);
}
