using SegWeb.Models.Packages;

namespace SegWeb.Inference.Tests.Pipeline;

/// <summary>The committed demo model imported once (through the real importer) into a temporary package folder.</summary>
public sealed class DemoPackageFixture : IDisposable
{
    private readonly TempDirectory _temp = new("pipeline-demo");

    public DemoPackageFixture()
    {
        Package = NnUNetImporter.Import(ResultsFolder, _temp.File("segweb-demo"));
    }

    /// <summary>models/segweb-demo-nnunet (an nnU-Net v2 results folder).</summary>
    public static string ResultsFolder => Path.Combine(RepoPaths.Root, "models", "segweb-demo-nnunet");

    /// <summary>PyTorch's sliding-window prediction of example_ct_sm (uniform tile weights, step 0.5).</summary>
    public static string ReferencePrediction => Path.Combine(ResultsFolder, "reference", "example_ct_sm_demo_prediction.nii.gz");

    public ModelPackage Package { get; }

    public void Dispose() => _temp.Dispose();
}
