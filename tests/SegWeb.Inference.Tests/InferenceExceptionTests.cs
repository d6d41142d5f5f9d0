using SegWeb.Imaging;
using SegWeb.Inference;

namespace SegWeb.Inference.Tests;

public sealed class InferenceExceptionTests
{
    [Fact]
    public void Inference_errors_are_segweb_errors_so_the_cli_prints_one_line()
    {
        Exception e = new InferenceException("scan.nii.gz: smaller than one patch");
        Assert.IsAssignableFrom<SegWebException>(e);
        Assert.Equal("scan.nii.gz: smaller than one patch", e.Message);
    }
}
