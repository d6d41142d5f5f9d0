using System.Net;
using System.Text.RegularExpressions;
using SegWeb.Server.Components.SignIn;

namespace SegWeb.Server.Tests.Ui;

/// <summary>The UI over plain HTTP: redirects to sign-in for pages (401 stays for the API), the antiforgery-protected
/// sign-in form, the UI's CSP, and anonymous static assets.</summary>
public sealed partial class UiHttpTests : IDisposable
{
    private readonly SegWebServer _server = new();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    public void Dispose() => _server.Dispose();

    /// <summary>
    /// A plain HttpClient over real HTTP that never follows redirects (the factory's client follows them here even
    /// when told not to, hiding the 302 this class is about).
    /// </summary>
    private HttpClient Browserless(bool cookies) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = cookies }) { BaseAddress = _server.Address };

    [Fact]
    public async Task A_browser_without_a_cookie_is_redirected_to_sign_in_while_scripts_and_the_API_get_401()
    {
        using var client = Browserless(cookies: false);
        using var navigation = new HttpRequestMessage(HttpMethod.Get, "/jobs");
        navigation.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        var page = await client.SendAsync(navigation);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/signin", page.Headers.Location!.AbsolutePath);
        Assert.Contains("ReturnUrl=%2Fjobs", page.Headers.Location.Query, StringComparison.Ordinal);

        // Not a browser navigation (no text/html accepted): the 401 the server promises elsewhere.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/jobs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/hangfire")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/jobs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/v1/inputs", null)).StatusCode);
    }

    [Fact]
    public async Task Sign_in_needs_the_antiforgery_token_and_the_right_password_then_opens_the_pages()
    {
        using var client = Browserless(cookies: true);
        var form = await client.GetStringAsync("/signin?returnUrl=%2Fjobs");
        string token = TokenField().Match(form).Groups[1].Value;
        Assert.NotEmpty(token);

        // No token: refused before any password check.
        var noToken = await client.PostAsync(SignInEndpoints.SignInAction, Form(SegWebServer.AdminEmail, SegWebServer.AdminPassword, "/jobs", null));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);

        var wrong = await client.PostAsync(SignInEndpoints.SignInAction, Form(SegWebServer.AdminEmail, "not-the-password", "/jobs", token));
        Assert.Equal(HttpStatusCode.Redirect, wrong.StatusCode);
        Assert.StartsWith("/signin?error=wrong", wrong.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/jobs")).StatusCode);

        var right = await client.PostAsync(SignInEndpoints.SignInAction, Form(SegWebServer.AdminEmail, SegWebServer.AdminPassword, "/jobs", token));
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/jobs", right.Headers.Location!.OriginalString);
        var jobs = await client.GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        Assert.Contains("<h1", await jobs.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/jobs", "/jobs")]
    [InlineData("//evil.example/x", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("", "/")]
    [InlineData(null, "/")]
    public void The_return_url_is_only_ever_a_local_path(string? given, string expected) =>
        Assert.Equal(expected, SignInEndpoints.SafeReturnUrl(given));

    [Fact]
    public async Task Pages_carry_the_widened_CSP_with_a_strict_script_source_and_the_API_keeps_default_src_self()
    {
        using var client = _server.Anonymous();
        var page = await client.GetAsync("/signin");
        string csp = string.Join(" | ", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("style-src 'self' 'unsafe-inline'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", csp, StringComparison.Ordinal);

        var api = await client.GetAsync("/api/v1/jobs");
        Assert.Equal("default-src 'self'; frame-ancestors 'none'", string.Join(" | ", api.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task Blazor_and_MudBlazor_static_files_load_without_a_cookie_for_the_sign_in_page()
    {
        using var client = _server.Anonymous();
        foreach (var path in new[] { "/_framework/blazor.web.js", "/_content/MudBlazor/MudBlazor.min.css", "/_content/MudBlazor/MudBlazor.min.js", "/css/segweb.css" })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        }
    }

    private static FormUrlEncodedContent Form(string email, string password, string returnUrl, string? token)
    {
        var fields = new Dictionary<string, string> { ["Email"] = email, ["Password"] = password, ["ReturnUrl"] = returnUrl };
        if (token is not null)
        {
            fields["__RequestVerificationToken"] = token;
        }

        return new FormUrlEncodedContent(fields);
    }
}
