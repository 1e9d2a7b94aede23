using System.Security.Claims;
using System.Security.Cryptography;
using FaqBot.Audit;
using FaqBot.Commands;
using FaqBot.Handoff;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FaqBot.Staff;

/// <summary>
/// Staff accounts in the console (admins): list, add, disable, re-enable, reset a password, change a role. The same
/// rules as the <c>staff</c> command (e-mail, a name of 1-60 characters, a password of at least 12), CSRF-checked like
/// every other staff POST, and each change recorded in the audit log. Disabling, a reset and a role change end the
/// account's sessions.
/// </summary>
public static class StaffAccountEndpoints
{
    public static RouteGroupBuilder MapStaffAccounts(this RouteGroupBuilder admin, Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> csrf)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapGet("/accounts", List);
        admin.MapPost("/accounts", Add).AddEndpointFilter(csrf);
        admin.MapPost("/accounts/{accountId}/disable", Disable).AddEndpointFilter(csrf);
        admin.MapPost("/accounts/{accountId}/enable", Enable).AddEndpointFilter(csrf);
        admin.MapPost("/accounts/{accountId}/password", ResetPassword).AddEndpointFilter(csrf);
        admin.MapPost("/accounts/{accountId}/role", ChangeRole).AddEndpointFilter(csrf);
        return admin;
    }

    public static async Task<Ok<IReadOnlyList<AccountView>>> List(IStaffDirectory directory, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<AccountView>>([.. (await directory.ListAsync(ct)).Select(View)]);

    public static async Task<Results<Created<AccountView>, ProblemHttpResult>> Add(
        AddAccountRequest? request, ClaimsPrincipal user, IStaffDirectory directory, StaffSignIn signIn, IAuditLog audit, TimeProvider time, CancellationToken ct)
    {
        var email = StaffSignIn.NormalizeEmail(request?.Email);
        var name = request?.Name?.Trim() ?? "";
        var role = request?.Role ?? StaffRoles.Staff;
        var problem = !StaffCommand.IsEmail(email) ? "The email must be an address such as sam@clinic.example."
            : name.Length is 0 or > 60 || name.Any(char.IsControl) ? "The name must have 1 to 60 characters (patients see it, e.g. \"Sam\")."
            : !StaffRoles.IsValid(role) ? "The role must be staff or admin."
            : StaffSignIn.CheckPassword(request?.Password);
        if (problem is not null)
        {
            return Invalid(problem);
        }

        var account = new StaffAccount($"st_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}", email, name, role, signIn.HashPassword(request!.Password!), false, 0, null, time.GetUtcNow());
        if (!await directory.AddAsync(account, ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: "An account with that email exists.");
        }

        await AuditAsync(audit, user, AuditActions.AccountAdded, $"{account.Id} ({role})", ct);
        return TypedResults.Created($"/api/staff/admin/accounts/{account.Id}", View(account));
    }

    public static Task<Results<Ok<AccountView>, ProblemHttpResult>> Disable(string accountId, ClaimsPrincipal user, IStaffDirectory directory, IAuditLog audit, CancellationToken ct) =>
        SetDisabledAsync(accountId, true, user, directory, audit, ct);

    public static Task<Results<Ok<AccountView>, ProblemHttpResult>> Enable(string accountId, ClaimsPrincipal user, IStaffDirectory directory, IAuditLog audit, CancellationToken ct) =>
        SetDisabledAsync(accountId, false, user, directory, audit, ct);

    public static async Task<Results<Ok<AccountView>, ProblemHttpResult>> ResetPassword(
        string accountId, PasswordRequest? request, ClaimsPrincipal user, IStaffDirectory directory, StaffSignIn signIn, IAuditLog audit, CancellationToken ct)
    {
        if (await directory.FindByIdAsync(accountId, ct) is not { } account)
        {
            return NotFound();
        }

        if (StaffSignIn.CheckPassword(request?.Password) is { } weak)
        {
            return Invalid(weak);
        }

        await directory.SetPasswordHashAsync(account.Id, signIn.HashPassword(request!.Password!), ct);
        await directory.ResetFailedSignInsAsync(account.Id, ct);
        await directory.EndSessionsAsync(account.Id, ct);
        await AuditAsync(audit, user, AuditActions.AccountPasswordReset, account.Id, ct);
        return TypedResults.Ok(View(account));
    }

    public static async Task<Results<Ok<AccountView>, ProblemHttpResult>> ChangeRole(
        string accountId, RoleRequest? request, ClaimsPrincipal user, IStaffDirectory directory, IAuditLog audit, CancellationToken ct)
    {
        if (await directory.FindByIdAsync(accountId, ct) is not { } account)
        {
            return NotFound();
        }

        if (!StaffRoles.IsValid(request?.Role))
        {
            return Invalid("The role must be staff or admin.");
        }

        if (account.Id == user.FindFirstValue(ClaimTypes.NameIdentifier) && request!.Role != StaffRoles.Admin)
        {
            return Invalid("You cannot take the admin role from yourself; ask another admin.");
        }

        await directory.SetRoleAsync(account.Id, request!.Role!, ct);
        await directory.EndSessionsAsync(account.Id, ct);
        await AuditAsync(audit, user, AuditActions.AccountRoleChanged, $"{account.Id} ({request.Role})", ct);
        return TypedResults.Ok(View(account with { Role = request.Role! }));
    }

    private static async Task<Results<Ok<AccountView>, ProblemHttpResult>> SetDisabledAsync(
        string accountId, bool disabled, ClaimsPrincipal user, IStaffDirectory directory, IAuditLog audit, CancellationToken ct)
    {
        if (await directory.FindByIdAsync(accountId, ct) is not { } account)
        {
            return NotFound();
        }

        if (disabled && account.Id == user.FindFirstValue(ClaimTypes.NameIdentifier))
        {
            return Invalid("You cannot disable your own account; ask another admin.");
        }

        await directory.SetDisabledAsync(account.Email, disabled, ct);
        await AuditAsync(audit, user, disabled ? AuditActions.AccountDisabled : AuditActions.AccountEnabled, account.Id, ct);
        return TypedResults.Ok(View(account with { Disabled = disabled }));
    }

    private static AccountView View(StaffAccount a) => new(a.Id, a.Email, a.Name, a.Role, a.Disabled, a.CreatedAt);

    private static Task AuditAsync(IAuditLog audit, ClaimsPrincipal user, string action, string target, CancellationToken ct) =>
        audit.AppendAsync(new AuditRecord(user.FindFirstValue(ClaimTypes.NameIdentifier)!, action, "done", target), ct);

    private static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid request", detail: detail);

    private static ProblemHttpResult NotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No such account.");
}
