using System.Diagnostics;
using SegWeb.Imaging.Geometry;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.Nifti;

/// <summary>Files SegWeb writes read back in nibabel identically: data, affine, codes, extensions, scaling; and gzip/pigz accept them.</summary>
public sealed class NiftiWriteAgainstNibabelTests(NibabelCasesFixture fixture) : IClassFixture<NibabelCasesFixture>
{
    private sealed record Written(string Path, Volume Volume, NiftiHeader? Template, NiftiHeader Expected);

    [SkippableFact]
    public void Every_case_written_by_SegWeb_reads_back_identically_in_nibabel()
    {
        using var dir = new TempDirectory("nifti-write");
        var written = new List<Written>();
        int n = 0;
        foreach (var c in fixture.Cases)
        {
            var image = NiftiReader.Read(c.Path);

            // With the file's header as template (codes, descrip, extensions kept), alternating .nii/.nii.gz and versions.
            string ext = n % 2 == 0 ? ".nii.gz" : ".nii";
            var options = new NiftiWriteOptions { Version = n % 3 == 0 ? NiftiVersion.Nifti2 : null, BlockSize = 4096 };
            var path = dir.File($"t{n}{ext}");
            NiftiWriter.Write(path, image.Volume, image.Header, options);
            written.Add(new Written(path, image.Volume, image.Header, NiftiWriter.BuildHeader(image.Volume, image.Header, options)));

            // Without a template: nibabel's new-image conventions.
            path = dir.File($"n{n}{(n % 2 == 0 ? ".nii" : ".nii.gz")}");
            NiftiWriter.Write(path, image.Volume);
            written.Add(new Written(path, image.Volume, null, NiftiWriter.BuildHeader(image.Volume, null)));
            n++;
        }

        var dumped = NibabelReference.Dump(dir.Path, written.Select(w => w.Path));
        Assert.Equal(written.Count, dumped.Count);
        var failures = new List<string>();
        for (int i = 0; i < written.Count; i++)
        {
            var (w, c) = (written[i], dumped[i]);
            try
            {
                Assert.Equal(NibabelReference.Sha256Of(w.Volume), c.Sha256);
                Assert.Equal(NiftiReadAgainstNibabelTests.NpyDescr(w.Volume.VoxelType), c.Dtype);
                NiftiReadAgainstNibabelTests.AssertAffine(ToRows(w.Volume.Affine), AffineOf(c));
                Assert.Equal(w.Volume.Slope, c.Slope, 6);
                Assert.Equal(w.Volume.Intercept, c.Inter, 6);
                Assert.Equal((int)w.Expected.Version, c.Version);
                Assert.Equal(w.Expected.QformCode, c.QformCode);
                Assert.Equal(w.Expected.SformCode, c.SformCode);
                if (w.Template is null)
                {
                    Assert.Equal((0, 2), (c.QformCode, c.SformCode)); // a new nibabel image: sform aligned, qform unknown
                }
                else
                {
                    Assert.Equal(NiftiAffine.EffectiveCode(w.Template.QformCode), c.QformCode);
                    Assert.Equal(w.Template.Descrip, c.Descrip);
                    Assert.Equal(w.Template.XyztUnits, c.XyztUnits);
                    Assert.Equal(w.Template.Extensions.Select(e => (e.Code, Convert.ToHexString(e.Content))),
                        c.ExtensionList.Select(e => (e.Code, Convert.ToHexString(e.Content))));
                }

                // SegWeb reads its own file back identically too.
                var back = NiftiReader.Read(w.Path);
                Assert.Equal(NibabelReference.Sha256Of(w.Volume), NibabelReference.Sha256Of(back.Volume));
                Assert.True(back.Volume.Affine.MaxAbsDifference(w.Volume.Affine) < 1e-6);
            }
            catch (Xunit.Sdk.XunitException e)
            {
                failures.Add($"{Path.GetFileName(w.Path)} (from {Path.GetFileName(fixture.Cases[i / 2].Path)}): {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        AssertGzipToolsAccept(written.Select(w => w.Path).Where(p => p.EndsWith(".gz", StringComparison.Ordinal)));
    }

    [SkippableFact]
    public void A_sheared_affine_keeps_the_file_valid_and_the_sform_exact()
    {
        using var dir = new TempDirectory("nifti-shear");
        var sheared = new Affine([1.0, 0.4, 0.0, -5, 0.0, 2.0, 0.3, 7, 0.25, 0.0, -3.0, 9, 0, 0, 0, 1]);
        var volume = new Volume<float>(new VolumeShape(4, 5, 6), sheared, Enumerable.Range(0, 120).Select(i => (float)i).ToArray());
        var template = new NiftiHeader { QformCode = 1, SformCode = 1 };
        var path = dir.File("shear.nii.gz");
        NiftiWriter.Write(path, volume, template);
        var c = NibabelReference.Dump(dir.Path, [path]).Single();
        NiftiReadAgainstNibabelTests.AssertAffine(ToRows(sheared), AffineOf(c));
        Assert.Equal((1, 1), (c.QformCode, c.SformCode));

        // The qform holds the closest shear-free transform: orthogonal columns, the affine's zooms.
        var h = NiftiReader.ReadHeader(path);
        var q = NiftiAffine.QformAffine(h);
        Assert.Equal(sheared.ColumnNorm(0), q.ColumnNorm(0), 5);
        Assert.Equal(sheared.ColumnNorm(2), q.ColumnNorm(2), 5);
        double dot = (q[0, 0] * q[0, 1]) + (q[1, 0] * q[1, 1]) + (q[2, 0] * q[2, 1]);
        Assert.True(Math.Abs(dot) < 1e-5, $"qform columns not orthogonal: {dot}");
    }

    [SkippableFact]
    public void A_template_with_only_a_qform_gains_an_aligned_sform_when_the_qform_cannot_carry_the_affine()
    {
        using var dir = new TempDirectory("nifti-qonly");
        var template = new NiftiHeader { QformCode = 1, SformCode = 0 };
        var oblique = new Affine([0.0, -0.9, 0.0, 10, 1.2, 0.0, 0.0, -3, 0.0, 0.0, 2.5, 4, 0, 0, 0, 1]);
        var volume = new Volume<short>(new VolumeShape(3, 4, 5), oblique, new short[60]);
        var path = dir.File("q.nii");
        NiftiWriter.Write(path, volume, template);
        var sheared = new Affine([1.0, 0.5, 0.0, 0, 0.0, 1.0, 0.0, 0, 0.0, 0.0, 1.0, 0, 0, 0, 0, 1]);
        var path2 = dir.File("q2.nii");
        NiftiWriter.Write(path2, volume.WithAffine(sheared), template);
        var dumped = NibabelReference.Dump(dir.Path, [path, path2]);
        Assert.Equal((1, 0), (dumped[0].QformCode, dumped[0].SformCode)); // the rotation fits the qform: kept as is
        NiftiReadAgainstNibabelTests.AssertAffine(ToRows(oblique), AffineOf(dumped[0]));
        Assert.Equal((1, 2), (dumped[1].QformCode, dumped[1].SformCode)); // shear: sform needed
        NiftiReadAgainstNibabelTests.AssertAffine(ToRows(sheared), AffineOf(dumped[1]));
    }

    internal static void AssertGzipToolsAccept(IEnumerable<string> files)
    {
        foreach (var tool in new[] { "gzip", "pigz" })
        {
            var exe = $"/usr/bin/{tool}";
            Skip.IfNot(File.Exists(exe), $"{exe} not installed");
            var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-t");
            foreach (var f in files)
            {
                psi.ArgumentList.Add(f);
            }

            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"{tool} -t failed: {err}");
        }
    }

    private static double[][] ToRows(Affine a) => [.. Enumerable.Range(0, 4).Select(r => Enumerable.Range(0, 4).Select(col => a[r, col]).ToArray())];

    private static Affine AffineOf(NibabelCase c) => new([.. c.Affine.SelectMany(r => r)]);
}
