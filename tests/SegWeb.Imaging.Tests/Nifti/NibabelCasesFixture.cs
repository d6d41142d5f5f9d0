namespace SegWeb.Imaging.Tests.Nifti;

/// <summary>The synthetic nibabel-written cases plus the real example files, made once per test class.</summary>
public sealed class NibabelCasesFixture : IDisposable
{
    private readonly Lazy<List<NibabelCase>> _cases;

    public NibabelCasesFixture()
    {
        _cases = new Lazy<List<NibabelCase>>(() =>
        {
            var real = new[] { "totalsegmentator/example_ct_sm.nii.gz", "totalsegmentator/example_seg.nii.gz", "totalsegmentator/example_mr_sm.nii.gz" }
                .Select(p => System.IO.Path.Combine(TestData.Root, p)).Where(File.Exists).ToArray();
            return NibabelReference.Generate(Directory.Path, real);
        });
    }

    public TempDirectory Directory { get; } = new("nifti-cases");

    /// <summary>The cases; skips (through ReferencePython.Require) when nibabel is unavailable.</summary>
    public List<NibabelCase> Cases
    {
        get
        {
            ReferencePython.Require("nibabel", "numpy");
            return _cases.Value;
        }
    }

    public void Dispose() => Directory.Dispose();
}
