using System.Globalization;
using SegWeb.Dicom.Series;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Inference.Pipeline;

/// <summary>Reads a scan for the pipeline and refuses what no 3D model can segment.</summary>
internal static class PipelineInput
{
    /// <summary>Smallest voxel size accepted (mm); below it the affine is almost surely wrong (or in metres).</summary>
    public const double MinSpacing = 0.01;

    /// <summary>Largest voxel size accepted (mm); 1000 mm voxels are a broken header, not a scan.</summary>
    public const double MaxSpacing = 50;

    /// <summary>
    /// A NIfTI file (.nii, .nii.gz: recognised by content), or a DICOM folder or zip. Errors are typed
    /// (<see cref="Imaging.ImageFormatException"/> / <see cref="Dicom.DicomFormatException"/>) and name the path.
    /// </summary>
    public static (Volume Volume, NiftiHeader? Header, IReadOnlyList<string> Warnings) Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path) || path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            var series = DicomSeriesLoader.Load(path);
            return (series.Volume, null, series.Warnings);
        }

        var image = NiftiReader.Read(path);
        return (image.Volume, image.Header, []);
    }

    /// <summary>Refuses 2D images and absurd voxel sizes with an <see cref="InferenceException"/> naming the input.</summary>
    public static void Validate(string path, Volume volume)
    {
        var shape = volume.Shape;
        if (shape.X < 2 || shape.Y < 2 || shape.Z < 2)
        {
            throw new InferenceException($"{path}: the image is {shape.X}×{shape.Y}×{shape.Z}, a 2D image; the model segments 3D volumes");
        }

        var (sx, sy, sz) = volume.Spacing;
        foreach (double s in new[] { sx, sy, sz })
        {
            if (!double.IsFinite(s) || s < MinSpacing || s > MaxSpacing)
            {
                throw new InferenceException(string.Create(CultureInfo.InvariantCulture,
                    $"{path}: voxel size {sx:G6} × {sy:G6} × {sz:G6} mm is outside {MinSpacing}–{MaxSpacing} mm; the image's affine is unusable for segmentation"));
            }
        }
    }

    /// <summary>True when every voxel of the float image is the same value (nothing to segment).</summary>
    public static bool IsConstant(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return true;
        }

        float first = values[0];
        return values.IndexOfAnyExcept(first) < 0;
    }
}
