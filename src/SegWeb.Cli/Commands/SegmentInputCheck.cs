using System.Globalization;
using SegWeb.Imaging;
using SegWeb.Imaging.Nifti;

namespace SegWeb.Cli.Commands;

/// <summary>
/// Checks every input of `segweb segment` from its header alone, before the model loads and before any voxel is
/// read, so that a bad scan among several fails the call at once with one line naming the file (and nothing is
/// written): not NIfTI, 2D, 4D, absurd voxel sizes, too big for memory. What only the voxels or a DICOM series can tell
/// (all-zero images, a series' spacing) is left to the pipeline, which checks the same limits again.
/// </summary>
internal static class SegmentInputCheck
{
    /// <summary>
    /// Bytes per input voxel the pipeline holds besides the stored image, as its own check counts them: the float32
    /// canonical image (normalised in place) and the labels on the input grid. Arrays on the model's grid come on top
    /// and are checked by the pipeline once the target spacing is known.
    /// </summary>
    private const int WorkingBytesPerVoxel = 5;

    // The pipeline's own limits (SegWeb.Inference's PipelineInput.MinSpacing/MaxSpacing), applied here from the header
    // so that with several inputs a broken affine fails the call before the first scan is segmented.
    private const double MinSpacing = 0.01;
    private const double MaxSpacing = 50;

    /// <summary>Throws <see cref="ImageFormatException"/> (naming <paramref name="path"/>) when the input cannot be segmented.</summary>
    /// <param name="path">A NIfTI file, a DICOM folder or a .zip (DICOM input is checked by its loader later).</param>
    /// <param name="memoryLimitBytes">The pipeline's memory limit.</param>
    public static void Check(string path, long memoryLimitBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path) || path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (!File.Exists(path))
        {
            throw new ImageFormatException(path, "no such file or folder");
        }

        // ReadHeader refuses non-NIfTI content ("not a NIfTI file") with the file's name.
        var header = NiftiReader.ReadHeader(path);
        var dim = header.Dim;
        int rank = (int)dim[0];
        long[] sizes = [.. Enumerable.Range(1, Math.Clamp(rank, 1, 7)).Select(i => dim[i])];
        string shape = string.Join("×", sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        if (sizes.Skip(3).Any(s => s > 1))
        {
            // TotalSegmentator takes the first volume with a warning; SegWeb refuses rather than guess which one is meant.
            throw new ImageFormatException(path, $"the image is {shape}, a {rank}D image; segment needs one 3D volume (extract the volume to segment first)");
        }

        long x = Size(sizes, 0), y = Size(sizes, 1), z = Size(sizes, 2);
        if (x < 2 || y < 2 || z < 2)
        {
            throw new ImageFormatException(path, $"the image is {x}×{y}×{z}, a 2D image; the model segments 3D volumes");
        }

        var (sx, sy, sz) = NiftiAffine.BestAffine(header).Spacing;
        foreach (double size in new[] { sx, sy, sz })
        {
            if (!double.IsFinite(size) || size < MinSpacing || size > MaxSpacing)
            {
                throw new ImageFormatException(path, string.Create(CultureInfo.InvariantCulture,
                    $"voxel size {sx:G6} × {sy:G6} × {sz:G6} mm is outside {MinSpacing}–{MaxSpacing} mm; the image's affine is unusable for segmentation"));
            }
        }

        // Saturating arithmetic in double: a forged header must not overflow into a small number.
        double voxels = (double)x * y * z;
        double bytes = voxels * ((Math.Max(8, (int)header.Bitpix) / 8) + WorkingBytesPerVoxel);
        if (voxels > Array.MaxLength || bytes > memoryLimitBytes)
        {
            throw new ImageFormatException(path, string.Create(CultureInfo.InvariantCulture,
                $"the image is {x}×{y}×{z} voxels; segmenting it needs at least {bytes / (1L << 30):F1} GiB, over the {memoryLimitBytes / (double)(1L << 30):F1} GiB limit"));
        }
    }

    private static long Size(long[] sizes, int axis) => axis < sizes.Length ? sizes[axis] : 1;
}
