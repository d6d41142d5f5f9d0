using System.Security.Claims;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Audit;

/// <summary>
/// Writes audit events, each in its own DbContext (so that recording never saves an endpoint's unsaved changes, and an
/// endpoint's failure after the action cannot roll the record back). The user and client address come from the current
/// request unless given.
/// </summary>
public sealed partial class AuditLog(IServiceScopeFactory scopes, IHttpContextAccessor http, ILogger<AuditLog> logger)
{
    /// <summary>Records <paramref name="action"/> on a target. Never throws: a failed audit write is logged, the action stands.</summary>
    public async Task RecordAsync(string action, string? targetKind, string? targetId, string? userId = null)
    {
        var context = http.HttpContext;
        var entry = new AuditEvent
        {
            Time = DateTime.UtcNow,
            UserId = userId ?? context?.User.FindFirstValue(ClaimTypes.NameIdentifier),
            Action = action,
            TargetKind = targetKind,
            TargetId = targetId,
            ClientIp = context?.Connection.RemoteIpAddress?.ToString(),
        };
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
            db.AuditEvents.Add(entry);
            await db.SaveChangesAsync(CancellationToken.None);
        }
#pragma warning disable CA1031 // The audited action already happened; losing its record must not turn it into a 500.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(ex, action, targetKind, targetId);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write the audit event {Action} {TargetKind} {TargetId}")]
    private partial void LogFailed(Exception ex, string action, string? targetKind, string? targetId);
}

/// <summary>Registers the audit log.</summary>
public static class AuditServices
{
    public static IServiceCollection AddSegWebAudit(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<AuditLog>();
        return services;
    }
}
