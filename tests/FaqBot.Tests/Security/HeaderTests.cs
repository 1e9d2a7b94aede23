using System.Net;
using FaqBot.Hosting;
using FaqBot.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace FaqBot.Tests.Security;

/// <summary>One middleware sets the security headers of every response; HTTPS brings HSTS and the redirect.</summary>
public sealed class HeaderTests
{
    [Fact]
    public async Task Every_surface_has_nosniff_no_referrer_no_framing_and_its_own_content_security_policy()
    {
        await using var server = new FaqBotServer();
        using var http = server.CreateHttpClient();
        foreach (var (path, expected) in new[]
        {
            ("/", "script-src 'self'"),
            ("/staff", "default-src 'none'; script-src 'self'; style-src 'self'"),
            ("/staff/index.html", "default-src 'none'; script-src 'self'; style-src 'self'"),
            ("/staff/staff.js", "default-src 'none'; script-src 'self'; style-src 'self'"),
            ("/js/chat.js", "script-src 'self'"),
            ("/api/site", "default-src 'none'"),
            ("/healthz", "default-src 'none'"),
            ("/v3/directline/conversations/x/activities", "default-src 'none'"),
            ("/no-such-page", "script-src 'self'"),
        })
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains(expected, csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
            if (path.StartsWith("/staff", StringComparison.Ordinal))
            {
                Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
            }

            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
            Assert.False(response.Headers.Contains("Strict-Transport-Security"), path); // plain HTTP, no certificate configured
        }
    }

    [Fact]
    public void Hsts_and_the_https_redirect_switch_on_exactly_when_kestrel_has_an_https_endpoint()
    {
        static IConfiguration Config(params (string Key, string Value)[] pairs) =>
            new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

        Assert.False(SecurityHeaders.HttpsConfigured(Config()));
        Assert.False(SecurityHeaders.HttpsConfigured(Config(("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:8080"))));
        Assert.True(SecurityHeaders.HttpsConfigured(Config(
            ("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:8080"),
            ("Kestrel:Endpoints:Https:Url", "https://0.0.0.0:8443"),
            ("Kestrel:Endpoints:Https:Certificate:Path", "/etc/faqbot/clinic.pfx"))));
    }
}
