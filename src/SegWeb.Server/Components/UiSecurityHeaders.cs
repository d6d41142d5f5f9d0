namespace SegWeb.Server.Components;

/// <summary>
/// The Content-Security-Policy the pages need. The server's own header is <c>default-src 'self'</c>; this middleware
/// runs after it (it is mapped later) and replaces it with the smallest widening Blazor and MudBlazor require.
/// </summary>
internal static class UiSecurityHeaders
{
    /// <summary>
    /// Each addition to <c>default-src 'self'</c>, and why:
    /// <list type="bullet">
    /// <item><c>style-src 'self' 'unsafe-inline'</c>: MudBlazor sets <c>style="…"</c> attributes on its components
    /// (popover positions, progress bar widths, theme variables) and Blazor's reconnect dialog injects a style
    /// element; neither can carry a nonce. Scripts stay strict: no inline script, no eval.</item>
    /// <item><c>connect-src 'self'</c> (already implied by default-src, written out because it is load-bearing): the
    /// Blazor circuit's WebSocket to the same host (CSP Level 3 browsers match ws:/wss: of the page's own origin
    /// with 'self') and the tus uploads' fetch/XHR.</item>
    /// <item><c>img-src 'self' data: blob:</c>: MudBlazor's checkbox/select glyphs include data: SVG images; Cornerstone3D's
    /// crosshairs cursor is a blob: image made in the page.</item>
    /// <item><c>frame-ancestors 'none'</c>, <c>base-uri 'self'</c>, <c>form-action 'self'</c>: kept strict.</item>
    /// </list>
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; " +
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Replaces the CSP on everything but the API (JSON needs no widening).</summary>
    public static Task Apply(HttpContext http, RequestDelegate next)
    {
        if (!http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        }

        return next(http);
    }
}
