using SegWeb.Imaging;
namespace SegWeb.Server.Jobs;

/// <summary>Which failures a retry may fix.</summary>
public static class JobFailures
{
    /// <summary>
    /// Transient: I/O errors (a full or busy disk, a dropped network share), timeouts and memory exhaustion, which may
    /// pass. Everything else, above all <see cref="SegWebException"/> (a corrupt or unsupported input), fails at once:
    /// running it again gives the same answer.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        SegWebException => false,
        IOException => true,
        TimeoutException => true,
        OutOfMemoryException => true,

        // The model's session was released under the job (the container disposed the runner as the process stops,
        // before the job's shutdown token was cancelled): another attempt, after the restart if need be, will run.
        ObjectDisposedException => true,
        _ => false,
    };

    /// <summary>The message stored on the job: a SegWebException's own message (it names the file and the problem), else the type too.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        null => throw new ArgumentNullException(nameof(exception)),
        SegWebException => exception.Message,
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };
}
