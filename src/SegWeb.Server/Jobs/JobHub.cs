using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using SegWeb.Server.Accounts;

namespace SegWeb.Server.Jobs;

/// <summary>
/// /hubs/jobs: pushes <c>jobUpdated</c> (<see cref="JobUpdate"/>) whenever a job record changes. A connection joins only
/// its user's group, so it hears about that user's jobs; an administrator's connection joins the group that hears every
/// job instead. Clients call nothing on the hub; they listen.
/// </summary>
[Authorize]
public sealed class JobHub : Hub
{
    /// <summary>The hub's path.</summary>
    public const string Path = "/hubs/jobs";

    /// <summary>The client method invoked with a <see cref="JobUpdate"/>.</summary>
    public const string JobUpdated = "jobUpdated";

    /// <summary>The group receiving every job's updates.</summary>
    internal const string AdminsGroup = "admins";

    /// <summary>The group receiving the updates of one user's jobs.</summary>
    internal static string UserGroup(string userId) => "user:" + userId;

    public override async Task OnConnectedAsync()
    {
        var user = Context.User ?? throw new HubException("not signed in");
        // One group per connection, so that no update arrives twice: an administrator hears every job, own ones included.
        await Groups.AddToGroupAsync(Context.ConnectionId, user.IsInRole(Roles.Admin) ? AdminsGroup : UserGroup(user.UserId()));

        await base.OnConnectedAsync();
    }
}

/// <summary>What <c>jobUpdated</c> carries (the fields of the events stream, plus the job's id).</summary>
/// <param name="Id">The job.</param>
/// <param name="State">queued, running, succeeded, failed, canceled, or deleted.</param>
/// <param name="Stage">The current stage.</param>
/// <param name="Progress">0 to 1.</param>
/// <param name="EtaSeconds">Estimated seconds left, once there is progress to extrapolate.</param>
/// <param name="Error">Why it failed.</param>
public sealed record JobUpdate(Guid Id, string State, string? Stage, double Progress, double? EtaSeconds, string? Error);

/// <summary>Maps the hub.</summary>
public static class JobHubEndpoints
{
    /// <summary>Maps <see cref="JobHub"/> at <see cref="JobHub.Path"/> (signed-in users only).</summary>
    public static IEndpointRouteBuilder MapJobHub(this IEndpointRouteBuilder app)
    {
        app.MapHub<JobHub>(JobHub.Path).RequireAuthorization();
        return app;
    }
}
