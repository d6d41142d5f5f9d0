using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SegWeb.Server.Accounts;
using SegWeb.Server.ApiReference;
using SegWeb.Server.Audit;
using SegWeb.Server.Components;
using SegWeb.Server.Errors;
using SegWeb.Server.Health;
using SegWeb.Server.Inputs;
using SegWeb.Server.Jobs;
using SegWeb.Server.Options;
using SegWeb.Server.Retention;
using SegWeb.Server.Segmentation;
using SegWeb.Server.Storage;
using SegWeb.Server.Uploads;

namespace SegWeb.Server;

/// <summary>Builds the server: services, middleware order and the feature route groups.</summary>
public static class ServerApplication
{
    private const string CookieOrKey = "CookieOrApiKey";

    /// <summary>Builds the application from appsettings.json, environment variables (SegWeb__DataFolder=…) and the command line (--SegWeb:DataFolder=…).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        AddServices(builder.Services);
        builder.Services.AddSegWebSegmentation(builder.Configuration);
        var app = builder.Build();
        UsePipeline(app);
        return app;
    }

    private static void AddServices(IServiceCollection services)
    {
        services.AddOptions<ServerOptions>().BindConfiguration(ServerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();

        services.AddDbContext<SegWebDbContext>((sp, db) =>
            db.UseSqlite($"Data Source={sp.GetRequiredService<FileStore>().DatabasePath}"));
        services.AddSingleton<FileStore>();
        services.AddSingleton<UploadLocks>();
        services.AddScoped<InputService>();
        services.AddSegWebJobs();
        services.AddSegWebAudit();
        services.AddSegWebRetention();
        services.AddSingleton<StorageInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageInitializer>());

        services.AddProblemDetails();
        services.AddExceptionHandler<SegWebExceptionHandler>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: [HealthEndpoints.ReadyTag]);
        services.AddOpenApi();
        services.AddRateLimiter(RateLimits.Configure);
        services.AddSegWebUi();

        services.AddIdentityCore<SegWebUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Lockout.MaxFailedAccessAttempts = 10;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<SegWebDbContext>()
            .AddSignInManager();

        // One default scheme that picks the API key handler for "Authorization: Bearer" and the Identity cookie otherwise.
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieOrKey;
                o.DefaultChallengeScheme = CookieOrKey;
            })
            .AddPolicyScheme(CookieOrKey, "Identity cookie or API key", o => o.ForwardDefaultSelector = http =>
                ApiKeyAuthenticationHandler.KeyOf(http.Request) is not null ? ApiKeyAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "segweb";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);

            // An API answers 401/403, it does not redirect to a login page.
            o.Events.OnRedirectToLogin = c =>
            {
                c.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            };
            o.Events.OnRedirectToAccessDenied = c =>
            {
                c.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });

        // Everything needs a signed-in user unless it says AllowAnonymous (login and health only).
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Roles.Admin, p => p.RequireRole(Roles.Admin));
    }

    private static void UsePipeline(WebApplication app)
    {
        app.Use(SecurityHeaders);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapHealthEndpoints();
        app.MapOpenApi();
        app.MapAccountEndpoints();
        app.MapInputEndpoints();
        app.MapTusEndpoints();
        app.MapJobEndpoints();
        app.MapJobResultEndpoints();
        app.MapJobHub();
        app.MapAuditEndpoints();
        app.MapApiReference();
        app.MapHangfireDashboardForAdmins();
        app.MapSegWebUi();
    }

    private static Task SecurityHeaders(HttpContext http, RequestDelegate next)
    {
        var h = http.Response.Headers;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        h.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'";
        return next(http);
    }
}
