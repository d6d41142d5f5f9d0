using System.Net;
using System.Text.RegularExpressions;

namespace SegWeb.Server.Tests;

/// <summary>The browsable API reference: a shell page served locally under a per-request CSP nonce; the document stays private.</summary>
public sealed partial class ApiReferenceTests(SegWebServer server) : IClassFixture<SegWebServer>
{
    [GeneratedRegex("<script[^>]*nonce=\"([^\"]+)\"")]
    private static partial Regex ScriptNonce();

    [Fact]
    public async Task The_reference_page_loads_its_scripts_from_this_server_under_a_fresh_nonce()
    {
        using var anonymous = server.Anonymous();
        var nonces = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            using var page = await anonymous.GetAsync("/api/reference/");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            string html = await page.Content.ReadAsStringAsync();
            var scripts = ScriptNonce().Matches(html).Select(m => m.Groups[1].Value).Distinct().ToList();
            string nonce = Assert.Single(scripts);
            string csp = page.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains($"script-src 'self' 'nonce-{nonce}'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
            nonces.Add(nonce);
        }

        Assert.NotEqual(nonces[0], nonces[1]);
        using var script = await anonymous.GetAsync("/api/reference/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000);

        // The page is a shell: the document it renders still needs a signed-in user.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        using var admin = await server.AdminCookieClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/openapi/v1.json")).StatusCode);
    }
}
