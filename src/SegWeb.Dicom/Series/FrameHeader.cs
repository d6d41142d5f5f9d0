using System.Globalization;

namespace SegWeb.Dicom.Series;

/// <summary>
/// The geometry and rescaling of one frame: a classic single-frame image, or one frame of an enhanced
/// multi-frame object (its per-frame functional groups, falling back to the shared ones).
/// </summary>
internal sealed record FrameHeader(
    string SourceName,
    string SopInstanceUid,
    int FrameIndex,
    Vec3 Position,
    Vec3 Row,
    Vec3 Column,
    double RowSpacing,
    double ColumnSpacing,
    int Rows,
    int Columns,
    double Slope,
    double Intercept,
    int InstanceNumber,
    bool IsLocalizer)
{
    /// <summary>Orientation and size as a grouping key (cosines rounded to 1e-4).</summary>
    public string OrientationKey => string.Create(CultureInfo.InvariantCulture,
        $"{Row.X:F4}\\{Row.Y:F4}\\{Row.Z:F4}\\{Column.X:F4}\\{Column.Y:F4}\\{Column.Z:F4}|{Rows}x{Columns}|{RowSpacing:F4}\\{ColumnSpacing:F4}");

    /// <summary>All frames of one object; an object without usable geometry gives a problem string instead.</summary>
    public static (List<FrameHeader> Frames, string? Problem) FromDataset(DicomDataset ds, string sopInstanceUid)
    {
        var frames = new List<FrameHeader>();
        int rows = ds.GetInt(DicomTags.Rows) ?? 0;
        int columns = ds.GetInt(DicomTags.Columns) ?? 0;
        int count = ds.GetInt(DicomTags.NumberOfFrames) ?? 1;
        bool localizer = ds.GetStrings(DicomTags.ImageType).Contains("LOCALIZER");
        int instance = ds.GetInt(DicomTags.InstanceNumber) ?? 0;
        var shared = ds.GetFirstItem(DicomTags.SharedFunctionalGroupsSequence);
        var perFrame = ds.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence);
        if (perFrame.Count > 0 || shared is not null)
        {
            if (perFrame.Count != count)
            {
                return (frames, $"the enhanced object lists {perFrame.Count} per-frame groups for {count} frames");
            }

            for (int f = 0; f < count; f++)
            {
                DicomDataset? Group(DicomTag sequence) => perFrame[f].GetFirstItem(sequence) ?? shared?.GetFirstItem(sequence);
                var position = Group(DicomTags.PlanePositionSequence)?.GetDoubles(DicomTags.ImagePositionPatient) ?? [];
                var orientation = Group(DicomTags.PlaneOrientationSequence)?.GetDoubles(DicomTags.ImageOrientationPatient) ?? [];
                var spacing = Group(DicomTags.PixelMeasuresSequence)?.GetDoubles(DicomTags.PixelSpacing) ?? [];
                var transform = Group(DicomTags.PixelValueTransformationSequence);
                var frame = Make(ds.SourceName, sopInstanceUid, f, position, orientation, spacing, rows, columns,
                    transform?.GetDouble(DicomTags.RescaleSlope) ?? ds.GetDouble(DicomTags.RescaleSlope) ?? 1,
                    transform?.GetDouble(DicomTags.RescaleIntercept) ?? ds.GetDouble(DicomTags.RescaleIntercept) ?? 0,
                    instance, localizer, out var problem);
                if (frame is null)
                {
                    return (frames, $"frame {f + 1}: {problem}");
                }

                frames.Add(frame);
            }

            return (frames, null);
        }

        if (count != 1)
        {
            return (frames, $"a multi-frame object ({count} frames) without per-frame geometry is not a volume SegWeb can stack");
        }

        var single = Make(ds.SourceName, sopInstanceUid, 0, ds.GetDoubles(DicomTags.ImagePositionPatient), ds.GetDoubles(DicomTags.ImageOrientationPatient),
            ds.GetDoubles(DicomTags.PixelSpacing), rows, columns, ds.GetDouble(DicomTags.RescaleSlope) ?? 1, ds.GetDouble(DicomTags.RescaleIntercept) ?? 0,
            instance, localizer, out var singleProblem);
        if (single is null)
        {
            return (frames, singleProblem);
        }

        frames.Add(single);
        return (frames, null);
    }

    private static FrameHeader? Make(string source, string uid, int frame, double[] position, double[] orientation, double[] spacing,
        int rows, int columns, double slope, double intercept, int instance, bool localizer, out string? problem)
    {
        problem = null;
        if (position.Length < 3)
        {
            problem = "no ImagePositionPatient";
            return null;
        }

        if (orientation.Length < 6)
        {
            problem = "no ImageOrientationPatient";
            return null;
        }

        if (spacing.Length < 2 || !(spacing[0] > 0) || !(spacing[1] > 0))
        {
            problem = "no valid PixelSpacing";
            return null;
        }

        // Hostile or corrupt numbers ("NaN", "1e300") would otherwise reach sorting and grid sizing: positions must be
        // within a kilometre, spacings within (0, 1000] mm, rescaling finite.
        if (!position.Take(3).All(v => double.IsFinite(v) && Math.Abs(v) <= 1e6) || !orientation.Take(6).All(double.IsFinite))
        {
            problem = "ImagePositionPatient or ImageOrientationPatient holds a non-finite or absurd value";
            return null;
        }

        if (spacing[0] > 1000 || spacing[1] > 1000 || !double.IsFinite(slope) || !double.IsFinite(intercept))
        {
            problem = "PixelSpacing or the rescale values are absurd";
            return null;
        }

        if (rows <= 0 || columns <= 0)
        {
            problem = "no Rows or Columns";
            return null;
        }

        var row = Vec3.From(orientation);
        var column = Vec3.From(orientation, 3);
        if (Math.Abs(row.Length - 1) > 0.01 || Math.Abs(column.Length - 1) > 0.01 || Math.Abs(row.Dot(column)) > 0.01)
        {
            problem = "ImageOrientationPatient is not two orthogonal unit vectors";
            return null;
        }

        if (slope == 0)
        {
            problem = "RescaleSlope is 0";
            return null;
        }

        // PixelSpacing is (between rows, between columns): the first value is the step along the column direction.
        return new FrameHeader(source, uid, frame, Vec3.From(position), row.Normalized(), column.Normalized(), spacing[0], spacing[1],
            rows, columns, slope, intercept, instance, localizer);
    }
}
