using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;
using SegWeb.Server.Components.Services;
using SegWeb.Server.Components.SignIn;

namespace SegWeb.Server.Components;

/// <summary>
/// Registers and maps the web UI: Blazor (static SSR for sign-in, interactive server rendering for the rest) with
/// MudBlazor. <see cref="ServerApplication"/> calls <see cref="AddSegWebUi"/> and <see cref="MapSegWebUi"/> once each,
/// so everything the UI needs lives in this folder.
/// </summary>
public static class ComponentsSetup
{
    /// <summary>The sign-in page's path; unauthenticated page requests are redirected here.</summary>
    public const string SignInPath = "/signin";

    /// <summary>
    /// The server assembly's static assets manifest, named explicitly: the default name follows the host's
    /// application name, which is "testhost" when a test builds the server directly.
    /// </summary>
    private static readonly string StaticAssetsManifest = $"{typeof(ComponentsSetup).Assembly.GetName().Name}.staticwebassets.endpoints.json";

    /// <summary>Razor components, MudBlazor, the UI's data services, and a login redirect for pages (the API keeps its 401).</summary>
    public static IServiceCollection AddSegWebUi(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();
        services.AddAntiforgery();
        services.AddScoped<IJobSource, DatabaseJobSource>();
        services.AddScoped<IJobActions, JobActions>();
        services.AddScoped<AccountActions>();
        services.AddSingleton<TaskChoices>();
        services.AddSingleton<ModelInstallService>();
        services.TryAddSingleton(TimeProvider.System);

        // ServerApplication makes the cookie answer 401 (right for the API); a browser navigating to a page should
        // be sent to the sign-in page instead. PostConfigure runs after its Configure, so the API behaviour is kept.
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, o =>
        {
            var apiRedirect = o.Events.OnRedirectToLogin;
            o.LoginPath = SignInPath;
            o.Events.OnRedirectToLogin = c =>
            {
                if (IsPageRequest(c.Request))
                {
                    c.Response.Redirect(c.RedirectUri);
                    return Task.CompletedTask;
                }

                return apiRedirect(c);
            };
        });
        return services;
    }

    /// <summary>Antiforgery, the UI's CSP, static assets (anonymous: the sign-in page needs them), sign-in endpoints and the pages.</summary>
    public static WebApplication MapSegWebUi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Environment.IsDevelopment())
        {
            // Packages' static files (MudBlazor's CSS/JS, Blazor's script) live in the NuGet cache for a built (not
            // published) server; ASP.NET Core maps them only in Development. This maps them for any environment
            // (the test host, `dotnet run` in Production) and does nothing for a published server, which has them
            // in wwwroot.
            StaticWebAssetsLoader.UseStaticWebAssets(app.Environment, app.Configuration);
        }

        app.Use(UiSecurityHeaders.Apply);
        app.UseAntiforgery();
        app.MapStaticAssets(StaticAssetsManifest).AllowAnonymous();
        app.MapSignInEndpoints();
        app.MapRazorComponents<App>()
            .WithStaticAssets(StaticAssetsManifest)
            .AddInteractiveServerRenderMode(o =>
                // Blazor adds its own "frame-ancestors 'self'" CSP header; the UI's policy already says 'none'.
                o.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }

    /// <summary>
    /// A browser navigating to a page: a GET that accepts HTML, outside the API. Scripts and API clients (no
    /// text/html in Accept) keep the plain 401 the rest of the server promises.
    /// </summary>
    private static bool IsPageRequest(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && !request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && !request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase)
        && !request.Path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase)
        && request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);
}
