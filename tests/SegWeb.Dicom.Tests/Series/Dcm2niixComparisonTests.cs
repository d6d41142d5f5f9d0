using System.Runtime.InteropServices;
using SegWeb.Dicom.Series;
using SegWeb.Dicom.Tests.Support;

namespace SegWeb.Dicom.Tests.Series;

/// <summary>
/// SegWeb's volume of each shared series equals dcm2niix's NIfTI voxel for voxel (same layout: dcm2niix's row
/// flip is SegWeb's documented layout, so no reorientation is needed) with the affine within 1e-3 mm.
/// </summary>
public sealed class Dcm2niixComparisonTests
{
    public static TheoryData<string> RegularSeries => ["ct-3slice", "CT_small", "highdicom_ct", "693_UNCI", "693_UNCR", "693_J2KR", "eCT_Supplemental", "example_ct_dicom"];

    [SkippableTheory]
    [MemberData(nameof(RegularSeries))]
    public void Volume_equals_dcm2niix_values_and_affine(string name)
    {
        var reference = Dcm2niixReference.For(name);
        Assert.Single(reference);
        var expected = reference.Values.Single();
        var loaded = DicomSeriesLoader.Load(Path.Combine(TestData.Root, Dcm2niixReference.Cases[name]));
        var volume = loaded.Volume;
        Console.WriteLine($"{name}: {volume.Shape} {volume.VoxelType}, warnings: {string.Join("; ", loaded.Warnings)}\nSegWeb affine:\n{volume.Affine}\ndcm2niix affine:\n{expected.Affine}");
        Assert.Equal(expected.Shape, new[] { volume.Shape.X, volume.Shape.Y, volume.Shape.Z });
        Assert.True(volume.Affine.MaxAbsDifference(expected.Affine) < 1e-3, $"affines differ by {volume.Affine.MaxAbsDifference(expected.Affine)}");
        AssertSameValues(expected.NpyPath, volume);
        Assert.False(loaded.Resampled);
        Assert.Equal(volume.Shape.Z, loaded.SourceInstances.Count);
    }

    internal static void AssertSameValues(string npyPath, SegWeb.Imaging.Volumes.Volume volume)
    {
        var reference = MemoryMarshal.Cast<byte, double>(Npy.Read(npyPath).Data);
        Assert.Equal(volume.Shape.VoxelCount, reference.Length);
        for (long i = 0; i < reference.Length; i++)
        {
            if (volume.GetValue(i) != reference[(int)i])
            {
                var (x, y, z) = (i % volume.Shape.X, i / volume.Shape.X % volume.Shape.Y, i / volume.Shape.X / volume.Shape.Y);
                Assert.Fail($"voxel ({x},{y},{z}) is {volume.GetValue(i)}, dcm2niix has {reference[(int)i]}");
            }
        }
    }
}
