namespace SegWeb.Server.Jobs;

/// <summary>
/// /api/v1/jobs: the segmentation pipeline (SegWeb.Inference) is not wired into the server yet, so every job route
/// answers 503 problem+json saying so, rather than pretending to segment.
/// </summary>
public static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/jobs").WithTags("Jobs");
        group.MapMethods("", [HttpMethods.Get, HttpMethods.Post], NotConfigured);
        group.MapMethods("/{id:guid}", [HttpMethods.Get, HttpMethods.Delete], NotConfigured);
        return app;
    }

    private static IResult NotConfigured() =>
        TypedResults.Problem("no segmentation pipeline configured: this server stores and validates inputs; jobs come with the pipeline", statusCode: StatusCodes.Status503ServiceUnavailable);
}
