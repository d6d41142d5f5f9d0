using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Pipeline;

namespace SegWeb.Inference.Tests.Pipeline;

/// <summary>
/// The pipeline normalises its float copy of the scan in place to save memory; the image it hands back (which the
/// statistics measure HU on) must still hold the scan's own values, whether or not reorienting or cropping copied it.
/// </summary>
public sealed class PipelineInputUntouchedTests(DemoPackageFixture demo) : IClassFixture<DemoPackageFixture>
{
    private const string Ct = "totalsegmentator/example_ct_sm.nii.gz";

    [SkippableTheory]
    [InlineData("RAS")] // float32, already canonical: the float copy is the image's only if ToFloat32 stopped allocating
    [InlineData("LPS")] // reoriented copy: normalised in place, the image untouched
    public void The_result_image_keeps_the_scans_values(string orientation)
    {
        var ctPath = TestData.Require(Ct);
        using var temp = new TempDirectory("untouched");
        var ct = NiftiReader.Read(ctPath).Volume.ToFloat32();
        var oriented = (Volume<float>)Reorientation.ToOrientation(ct, orientation).Volume;
        var path = temp.File($"ct_{orientation}.nii.gz");
        NiftiWriter.Write(path, oriented);
        var stored = (Volume<float>)NiftiReader.Read(path).Volume;

        var result = SegmentationPipeline.Run(path, demo.Package, new PipelineOptions { Threads = 2 });

        var image = Assert.IsType<Volume<float>>(result.Image);
        Assert.Equal(stored.Data, image.Data);
        Assert.Contains(result.Labels.Data, v => v != 0);
    }
}
