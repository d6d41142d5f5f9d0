using SegWeb.Imaging;
using SegWeb.Server.Jobs;

namespace SegWeb.Server.Tests.JobExecution;

/// <summary>Which failures a job retries: the input's own problems never, the machine's and the process's (stopping) yes.</summary>
public sealed class JobFailuresTests
{
    [Fact]
    public void A_session_released_under_the_job_is_retried_and_a_bad_input_is_not()
    {
        Assert.True(JobFailures.IsTransient(new ObjectDisposedException("fold_0.onnx", "the model's ONNX Runtime session was released")));
        Assert.True(JobFailures.IsTransient(new IOException("disk full")));
        Assert.False(JobFailures.IsTransient(new ImageFormatException("ct.nii.gz: truncated")));
        Assert.False(JobFailures.IsTransient(new InvalidOperationException("a bug")));
    }
}
