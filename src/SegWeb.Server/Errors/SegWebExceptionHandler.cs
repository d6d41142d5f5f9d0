using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using SegWeb.Imaging;
using SegWeb.Server.Inputs;

namespace SegWeb.Server.Errors;

/// <summary>
/// Maps SegWeb's typed exceptions to problem+json: a bad input (<see cref="ImageFormatException"/>) is 422 with the
/// message naming the file and the problem, an over-limit upload 413, any other <see cref="SegWebException"/> 400,
/// a broken request its own status. Anything else falls through to the generic 500 problem without details.
/// </summary>
internal sealed partial class SegWebExceptionHandler(IProblemDetailsService problems, ILogger<SegWebExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        (int status, string title) = exception switch
        {
            UploadTooLargeException => (StatusCodes.Status413PayloadTooLarge, "Upload too large"),
            ImageFormatException => (StatusCodes.Status422UnprocessableEntity, "Unusable input"),
            SegWebException => (StatusCodes.Status400BadRequest, "Bad request"),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request"),
            _ => (0, ""),
        };
        if (status == 0)
        {
            return false;
        }

        LogRejected(httpContext.Request.Method, httpContext.Request.Path, status, exception.Message);
        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = exception.Message },
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} rejected with {Status}: {Problem}")]
    private partial void LogRejected(string method, string path, int status, string problem);
}
