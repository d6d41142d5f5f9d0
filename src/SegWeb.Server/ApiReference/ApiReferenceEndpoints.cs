using Scalar.AspNetCore;

namespace SegWeb.Server.ApiReference;

/// <summary>
/// A browsable API reference at /api/reference (Scalar, served from the package's own bundled script: no CDN, no
/// telemetry, no web fonts) rendering /openapi/v1.json. The page is an empty shell, so it is open to everyone; the
/// document it loads still needs a signed-in user (the browser sends the cookie), as every other route does.
/// </summary>
public static class ApiReferenceEndpoints
{
    /// <summary>Where the page is.</summary>
    public const string Path = "/api/reference";

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        app.MapScalarApiReference(Path, o => o
                .WithTitle("SegWeb API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .WithNonce())
            .AllowAnonymous()
            .AddEndpointFilter(async (context, next) =>
            {
                // The server's CSP forbids inline scripts; Scalar's page has one, marked with a fresh nonce per request.
                var http = context.HttpContext;
                http.Response.OnStarting(() =>
                {
                    if (http.Items.TryGetValue(ScalarOptions.NonceHttpContextItemKey, out var nonce) && nonce is string n)
                    {
                        http.Response.Headers.ContentSecurityPolicy =
                            $"default-src 'self'; script-src 'self' 'nonce-{n}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'";
                    }

                    return Task.CompletedTask;
                });
                return await next(context);
            });
        return app;
    }
}
