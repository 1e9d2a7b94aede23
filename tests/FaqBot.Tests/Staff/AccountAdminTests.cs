using System.Net;
using System.Net.Http.Json;
using FaqBot.Audit;
using FaqBot.Handoff;
using FaqBot.Staff;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FaqBot.Tests.Staff;

/// <summary>Admins manage staff accounts in the console; every action is audited; the audit log cannot be changed through the API.</summary>
public sealed class AccountAdminTests
{
    [Fact]
    public async Task Admins_add_disable_re_enable_reset_and_change_roles_with_the_same_rules_as_the_command()
    {
        await using var server = new FaqBotServer();
        var adaAccount = await StaffKit.AddStaffAsync(server, "ada@clinic.example", "Ada", StaffRoles.Admin);
        await StaffKit.AddStaffAsync(server, "sam@clinic.example", "Sam");
        using var ada = await StaffKit.SignInAsync(server, "ada@clinic.example");
        using var sam = await StaffKit.SignInAsync(server, "sam@clinic.example");

        // Only admins, only with the CSRF token, only with the password rules.
        using (var byStaff = await sam.PostAsync("/api/staff/admin/accounts", new { email = "kim@clinic.example", name = "Kim", role = "staff", password = StaffKit.Password }))
        using (var listByStaff = await sam.Http.GetAsync(new Uri("/api/staff/admin/accounts", UriKind.Relative)))
        using (var noCsrf = await ada.PostAsync("/api/staff/admin/accounts", new { email = "kim@clinic.example", name = "Kim", role = "staff", password = StaffKit.Password }, csrf: "x"))
        using (var weak = await ada.PostAsync("/api/staff/admin/accounts", new { email = "kim@clinic.example", name = "Kim", role = "staff", password = "short" }))
        using (var badEmail = await ada.PostAsync("/api/staff/admin/accounts", new { email = "kim", name = "Kim", role = "staff", password = StaffKit.Password }))
        using (var badRole = await ada.PostAsync("/api/staff/admin/accounts", new { email = "kim@clinic.example", name = "Kim", role = "root", password = StaffKit.Password }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, byStaff.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, listByStaff.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, noCsrf.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
            Assert.Contains("at least 12", (await weak.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.BadRequest, badEmail.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        }

        using var added = await ada.PostAsync("/api/staff/admin/accounts", new { email = " Kim@Clinic.example ", name = "Kim", role = "staff", password = StaffKit.Password });
        using var duplicate = await ada.PostAsync("/api/staff/admin/accounts", new { email = "kim@clinic.example", name = "Kim", role = "staff", password = StaffKit.Password });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        var kim = (await added.Content.ReadFromJsonAsync<AccountView>())!;
        Assert.Equal(("kim@clinic.example", "staff", false), (kim.Email, kim.Role, kim.Disabled));
        using (var kimClient = await StaffKit.SignInAsync(server, "kim@clinic.example"))
        {
            // Disabling ends Kim's session at once; re-enabling lets Kim sign in again.
            using var disabled = await ada.PostAsync($"/api/staff/admin/accounts/{kim.Id}/disable");
            Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
            using var after = await kimClient.Http.GetAsync(new Uri("/api/staff/me", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        }

        using (var failed = await server.CreateHttpClient().PostAsJsonAsync("/api/staff/login", new { email = "kim@clinic.example", password = StaffKit.Password }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await ada.PostAsync($"/api/staff/admin/accounts/{kim.Id}/enable")).StatusCode);
        using (var again = await StaffKit.SignInAsync(server, "kim@clinic.example"))
        {
            // A reset: the old password stops working, the new one works, open sessions end.
            using var weakReset = await ada.PostAsync($"/api/staff/admin/accounts/{kim.Id}/password", new { password = "too short" });
            using var reset = await ada.PostAsync($"/api/staff/admin/accounts/{kim.Id}/password", new { password = "a brand new long passphrase" });
            Assert.Equal(HttpStatusCode.BadRequest, weakReset.StatusCode);
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await again.Http.GetAsync(new Uri("/api/staff/me", UriKind.Relative))).StatusCode);
        }

        using (var old = await server.CreateHttpClient().PostAsJsonAsync("/api/staff/login", new { email = "kim@clinic.example", password = StaffKit.Password }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        }

        using (var promoted = await ada.PostAsync($"/api/staff/admin/accounts/{kim.Id}/role", new { role = "admin" }))
        using (var badRole = await ada.PostAsync($"/api/staff/admin/accounts/{kim.Id}/role", new { role = "owner" }))
        using (var selfDemote = await ada.PostAsync($"/api/staff/admin/accounts/{adaAccount.Id}/role", new { role = "staff" }))
        using (var selfDisable = await ada.PostAsync($"/api/staff/admin/accounts/{adaAccount.Id}/disable"))
        using (var unknown = await ada.PostAsync("/api/staff/admin/accounts/st_nobody/disable"))
        {
            Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, selfDemote.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, selfDisable.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using var kimAdmin = await StaffKit.SignInAsync(server, "kim@clinic.example", "a brand new long passphrase");
        Assert.Equal("admin", kimAdmin.Me.Role);
        var accounts = await ada.GetAsync<IReadOnlyList<AccountView>>("/api/staff/admin/accounts");
        Assert.Equal(["ada@clinic.example", "kim@clinic.example", "sam@clinic.example"], accounts.Select(a => a.Email));

        // Every signed-in staff member can list names and ids (the history's staff filter), never e-mails.
        using (var members = await sam.Http.GetAsync(new Uri("/api/staff/members", UriKind.Relative)))
        {
            var json = await members.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, members.StatusCode);
            Assert.DoesNotContain("@clinic.example", json, StringComparison.Ordinal);
            var listed = System.Text.Json.JsonSerializer.Deserialize<List<ColleagueView>>(json, System.Text.Json.JsonSerializerOptions.Web)!;
            Assert.Equal(["Ada", "Kim", "Sam"], listed.Select(m => m.Name));
            Assert.True(listed.Single(m => m.Name == "Sam").Me);
        }

        var audit = await server.Services.GetRequiredService<IAuditLog>().ListAsync();
        foreach (var action in new[] { AuditActions.AccountAdded, AuditActions.AccountDisabled, AuditActions.AccountEnabled, AuditActions.AccountPasswordReset, AuditActions.AccountRoleChanged })
        {
            Assert.Contains(audit, e => e.Action == action && e.Actor == adaAccount.Id && e.Target!.StartsWith(kim.Id, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(audit, e => e.Target?.Contains("passphrase", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Staff_actions_are_audited_and_the_audit_log_cannot_be_changed_through_the_api()
    {
        await using var server = new FaqBotServer();
        var ada = await StaffKit.AddStaffAsync(server, "ada@clinic.example", "Ada", StaffRoles.Admin);
        using var admin = await StaffKit.SignInAsync(server, "ada@clinic.example");
        var id = await StaffKit.QueueAsync(server);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/staff/conversations/{id}/claim")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/staff/conversations/{id}/messages", new { text = "Hello, I'm Ada." })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/staff/conversations/{id}/handback")).StatusCode);
        var before = await admin.GetAsync<IReadOnlyList<AuditEntry>>("/api/staff/admin/audit");

        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch, HttpMethod.Post })
        {
            foreach (var path in new[] { "/api/staff/admin/audit", $"/api/staff/admin/audit/{before[0].Id}" })
            {
                using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(new { action = "nothing happened" }) };
                request.Headers.Add(StaffEndpoints.CsrfHeader, admin.Me.CsrfToken);
                using var response = await admin.Http.SendAsync(request);
                Assert.Contains(response.StatusCode, new[] { HttpStatusCode.MethodNotAllowed, HttpStatusCode.NotFound });
            }
        }

        var after = await admin.GetAsync<IReadOnlyList<AuditEntry>>("/api/staff/admin/audit");
        Assert.Equal(before, after);
        Assert.Equal(
            [AuditActions.SignIn, AuditActions.Claim, AuditActions.Reply, AuditActions.HandBack],
            after.Where(e => e.Actor == ada.Id || e.Target == "ada@clinic.example").Select(e => e.Action).Reverse());
        Assert.All(after.Where(e => e.Action == AuditActions.Reply), e => Assert.Equal(id, e.Target)); // which conversation, never the text
        Assert.DoesNotContain(after, e => e.Target?.Contains("Hello", StringComparison.Ordinal) == true || e.Outcome.Contains("Hello", StringComparison.Ordinal));
    }
}
