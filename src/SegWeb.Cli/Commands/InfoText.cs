using System.Text;

namespace SegWeb.Cli.Commands;

/// <summary>The human-readable form of <see cref="VolumeInfo"/>.</summary>
internal static class VolumeInfoText
{
    public static string Format(VolumeInfo i)
    {
        var o = new StringBuilder();
        o.AppendLine($"file:        {i.File}");
        o.AppendLine($"format:      {i.Format}");
        o.AppendLine($"datatype:    {i.Datatype}");
        o.AppendLine($"shape:       {string.Join(" × ", i.Shape)}");
        o.AppendLine($"spacing:     {string.Join(" × ", i.Spacing.Select(InfoCommand.Format))} mm");
        o.AppendLine($"orientation: {i.Orientation}");
        for (int r = 0; r < 4; r++)
        {
            o.AppendLine($"{(r == 0 ? "affine:" : ""),-12} [{string.Join(", ", i.Affine[r].Select(v => InfoCommand.Format(v).PadLeft(10)))}]");
        }

        if (i.Slope != 1 || i.Intercept != 0)
        {
            o.AppendLine($"scaling:     × {InfoCommand.Format(i.Slope)} + {InfoCommand.Format(i.Intercept)}");
        }

        o.Append($"value range: {InfoCommand.Format(i.Min)} .. {InfoCommand.Format(i.Max)}");
        if (i.Labels is not null)
        {
            o.AppendLine();
            o.Append($"labels:      {i.Labels.Count} names");
            foreach (var (key, name) in i.Labels)
            {
                o.AppendLine();
                o.Append($"  {key,5}  {name}");
            }
        }

        return o.ToString();
    }
}

/// <summary>The human-readable form of <see cref="DicomInfo"/>.</summary>
internal static class DicomInfoText
{
    public static string Format(DicomInfo info)
    {
        var o = new StringBuilder();
        o.Append($"{info.Input}: {info.Series.Count} series");
        if (info.Skipped.Count > 0)
        {
            o.Append($", {info.Skipped.Count} files skipped");
        }

        foreach (var s in info.Series)
        {
            o.AppendLine();
            o.AppendLine($"series {s.Key}");
            o.AppendLine($"  uid:          {s.SeriesInstanceUid ?? "(empty)"}");
            o.AppendLine($"  modality:     {s.Modality} '{s.Description}' #{s.SeriesNumber}");
            o.AppendLine($"  patient:      {s.PatientId}, study date {s.StudyDate}");
            o.AppendLine($"  frames:       {s.Frames} of {s.Columns}×{s.Rows} in {s.Files} files{(s.EnhancedMultiFrame ? " (enhanced multi-frame)" : "")}");
            o.Append($"  transfer:     {string.Join(", ", s.TransferSyntaxes)}");
        }

        foreach (var k in info.Skipped)
        {
            o.AppendLine();
            o.Append($"skipped {k.Name}: {k.Reason}");
        }

        return o.ToString();
    }
}
