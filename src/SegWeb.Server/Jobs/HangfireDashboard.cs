using Hangfire;
using Hangfire.Dashboard;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SegWeb.Server.Accounts;

namespace SegWeb.Server.Jobs;

/// <summary>The Hangfire dashboard at /hangfire, for administrators only (the Admin policy; 401 anonymous, 403 users).</summary>
public static class HangfireDashboard
{
    /// <summary>Where the dashboard answers.</summary>
    public const string Path = "/hangfire";

    /// <summary>
    /// The services Hangfire's dashboard endpoint looks up. The global configuration object is only registered (the
    /// dashboard checks it is there), never configured: storage, filters and activator come from DI, not from statics.
    /// </summary>
    internal static IServiceCollection AddHangfireDashboardServices(this IServiceCollection services)
    {
        services.TryAddSingleton<IGlobalConfiguration>(_ => GlobalConfiguration.Configuration);
        services.TryAddSingleton(_ => DashboardRoutes.Routes);
        return services;
    }

    /// <summary>Maps the dashboard on the server's own job storage behind the Admin policy.</summary>
    public static IEndpointRouteBuilder MapHangfireDashboardForAdmins(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var storage = app.ServiceProvider.GetRequiredService<JobStorage>();
        app.MapHangfireDashboardWithAuthorizationPolicy(Roles.Admin, Path, new DashboardOptions { DisplayStorageConnectionString = false }, storage);
        return app;
    }
}
