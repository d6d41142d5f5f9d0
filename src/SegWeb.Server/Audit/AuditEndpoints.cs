using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SegWeb.Server.Accounts;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Audit;

/// <summary>GET /api/v1/admin/audit?skip=&amp;take=: the audit log, newest first, for administrators.</summary>
public static class AuditEndpoints
{
    /// <summary>One audit event as the API returns it.</summary>
    public sealed record AuditView(long Id, DateTime Time, string? UserId, string Action, string? TargetKind, string? TargetId, string? ClientIp);

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/admin").WithTags("Admin").RequireAuthorization(Roles.Admin)
            .MapGet("/audit", List);
        return app;
    }

    private static async Task<Ok<List<AuditView>>> List(SegWebDbContext db, CancellationToken ct, int skip = 0, int take = 100)
    {
        var rows = await db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Id)
            .Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 1000)).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(e => new AuditView(
            e.Id, DateTime.SpecifyKind(e.Time, DateTimeKind.Utc), e.UserId, e.Action, e.TargetKind, e.TargetId, e.ClientIp)).ToList());
    }
}
