using SegWeb.Dicom.Segmentation;

namespace SegWeb.Server.Segmentation;

/// <summary>
/// Display colours per class, stable across jobs and servers: the recommended colour TotalSegmentator's SNOMED table
/// gives the structure (the colour its DICOM-SEG carries), else TotalSegmentator's 12-colour cycle by label value (the
/// colour its multilabel NIfTI label table carries).
/// </summary>
public static class LabelColors
{
    // TotalSegmentator's nifti_ext_header colour cycle, indexed by label id modulo 12 (as MultilabelNifti writes it).
    private static readonly byte[][] Cycle =
    [
        [255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [255, 0, 255], [0, 255, 255],
        [255, 128, 0], [255, 0, 128], [128, 255, 128], [0, 128, 255], [128, 128, 128], [185, 170, 155],
    ];

    /// <summary>The colour of class <paramref name="name"/> with label value <paramref name="value"/>.</summary>
    public static byte[] For(int value, string name)
    {
        if (SnomedMapping.Embedded.Describe(value, name).Rgb is { } rgb)
        {
            return [rgb.R, rgb.G, rgb.B];
        }

        return (byte[])Cycle[((value % Cycle.Length) + Cycle.Length) % Cycle.Length].Clone();
    }
}
