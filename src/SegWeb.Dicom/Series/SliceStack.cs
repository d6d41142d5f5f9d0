namespace SegWeb.Dicom.Series;

/// <summary>
/// The frames of one stack sorted along the slice normal, and what their positions say: the step between
/// slices, whether the spacing is even and whether the slices drift in-plane (gantry tilt).
/// </summary>
internal sealed class SliceStack
{
    public SliceStack(IReadOnlyList<FrameHeader> frames, List<string> warnings)
    {
        var first = frames[0];
        Row = first.Row;
        Column = first.Column;
        Normal = Row.Cross(Column).Normalized();
        var origin = first.Position;

        // Sort along the normal (row × column cosines) by the projection of ImagePositionPatient.
        var sorted = frames.OrderBy(f => f.Position.Dot(Normal)).ThenBy(f => f.InstanceNumber).ToList();
        var kept = new List<FrameHeader>();
        foreach (var f in sorted)
        {
            if (kept.Count > 0 && Math.Abs((f.Position - kept[^1].Position).Dot(Normal)) < 1e-3)
            {
                warnings.Add($"two frames at the same slice position {f.Position.Dot(Normal):0.###} mm ({kept[^1].SourceName} and {f.SourceName}); kept the first");
                continue;
            }

            kept.Add(f);
        }

        Frames = kept;
        Heights = kept.Select(f => (f.Position - origin).Dot(Normal)).ToArray();
        InPlane = kept.Select(f => (U: (f.Position - kept[0].Position).Dot(Row), V: (f.Position - kept[0].Position).Dot(Column))).ToArray();
        int n = kept.Count;
        if (n >= 2)
        {
            double mean = (Heights[^1] - Heights[0]) / (n - 1);
            double worst = 0;
            for (int k = 0; k + 1 < n; k++)
            {
                worst = Math.Max(worst, Math.Abs(Heights[k + 1] - Heights[k] - mean));
            }

            IsUneven = worst > Math.Max(0.05, 0.01 * mean);
            double drift = InPlane.Max(p => Math.Sqrt((p.U * p.U) + (p.V * p.V)));
            TiltDegrees = Math.Atan2(Math.Sqrt((InPlane[^1].U * InPlane[^1].U) + (InPlane[^1].V * InPlane[^1].V)), Heights[^1] - Heights[0]) * 180 / Math.PI;
            IsTilted = drift > 0.5 * Math.Min(first.RowSpacing, first.ColumnSpacing);
            MeanGap = mean;
        }
    }

    public IReadOnlyList<FrameHeader> Frames { get; }

    public Vec3 Row { get; }

    public Vec3 Column { get; }

    public Vec3 Normal { get; }

    /// <summary>Each frame's position along the normal, relative to the first frame's position.</summary>
    public double[] Heights { get; }

    /// <summary>Each frame's in-plane offset (along row, along column) from the first frame, mm.</summary>
    public (double U, double V)[] InPlane { get; }

    public bool IsUneven { get; }

    public bool IsTilted { get; }

    public double TiltDegrees { get; }

    public double MeanGap { get; }

    public int Rows => Frames[0].Rows;

    public int Columns => Frames[0].Columns;

    /// <summary>Step between pixel centres along a row (the row direction): PixelSpacing[1].</summary>
    public double Dx => Frames[0].ColumnSpacing;

    /// <summary>Step between rows (the column direction): PixelSpacing[0].</summary>
    public double Dy => Frames[0].RowSpacing;

    /// <summary>The smallest gap between neighbouring slices along the normal.</summary>
    public double MinGap => Enumerable.Range(0, Heights.Length - 1).Min(k => Heights[k + 1] - Heights[k]);

    /// <summary>The median gap between neighbouring slices along the normal.</summary>
    public double MedianGap
    {
        get
        {
            var gaps = Enumerable.Range(0, Heights.Length - 1).Select(k => Heights[k + 1] - Heights[k]).Order().ToArray();
            return gaps[gaps.Length / 2];
        }
    }
}
