using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SegWeb.Server.Options;

namespace SegWeb.Server.Uploads;

/// <summary>Per-user limits on starting uploads (429 past them).</summary>
public static class RateLimits
{
    public const string Uploads = "uploads";

    internal static void Configure(RateLimiterOptions options)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.AddPolicy(Uploads, http =>
        {
            int perMinute = http.RequestServices.GetRequiredService<IOptions<ServerOptions>>().Value.UploadsPerMinute;
            string key = http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? http.Connection.RemoteIpAddress?.ToString() ?? "anonymous";
            return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = perMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
        });
    }
}
