using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace FaqBot.Staff;

/// <summary>Authenticates staff API calls by the session cookie. No cookie or a dead session: 401, never a redirect.</summary>
public sealed class StaffAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    StaffSignIn signIn,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "StaffSession";
    public const string Policy = "Staff";
    public const string AdminPolicy = "StaffAdmin";
    public const string CsrfClaim = "csrf";
    public const string SessionClaim = "session";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (await signIn.FindSessionAsync(Request.Cookies[StaffSignIn.CookieName], Context.RequestAborted) is not { } found)
        {
            return AuthenticateResult.NoResult();
        }

        var (session, account) = found;
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, account.Id),
                new Claim(ClaimTypes.Name, account.Name),
                new Claim(ClaimTypes.Role, account.Role),
                new Claim(CsrfClaim, session.CsrfToken),
                new Claim(SessionClaim, session.TokenHash),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteAsync(StatusCodes.Status401Unauthorized, "Sign-in required", "Sign in to the staff console first.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteAsync(StatusCodes.Status403Forbidden, "Forbidden", "Your account may not do this.");

    private async Task WriteAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
