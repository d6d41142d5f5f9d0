namespace SegWeb.Dicom.Series;

/// <summary>Finds the image series in an input from headers only (pixel data is never read).</summary>
public static class DicomSeriesScanner
{
    /// <summary>Scans a folder, a zip or a single file.</summary>
    public static DicomScanResult Scan(string path) => Scan(DicomInput.FromPath(path));

    /// <summary>
    /// Groups the input's images by SeriesInstanceUID, or, where that is empty, by frame of reference,
    /// orientation and size. Files that are not DICOM or hold no pixel data are listed in
    /// <see cref="DicomScanResult.Skipped"/>.
    /// </summary>
    public static DicomScanResult Scan(DicomInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var skipped = new List<DicomSkippedFile>();
        var groups = new Dictionary<string, List<InstanceHeader>>(StringComparer.Ordinal);
        foreach (var file in input.Read(DicomReadOptions.HeaderOnly, skipped))
        {
            var ds = file.Dataset;
            if (!file.PixelDataSkipped && !ds.Contains(DicomTags.PixelData))
            {
                skipped.Add(new DicomSkippedFile(file.SourceName, $"no pixel data (SOP class {ds.GetUid(DicomTags.SopClassUid) ?? "unknown"})"));
                continue;
            }

            InstanceHeader header;
            string key;
            try
            {
                string uid = ds.GetUid(DicomTags.SopInstanceUid) ?? file.FileMetaInformation.GetUid(DicomTags.MediaStorageSopInstanceUid) ?? file.SourceName;
                var (frames, problem) = FrameHeader.FromDataset(ds, uid);
                header = new InstanceHeader(file.SourceName, ds, file.TransferSyntax, frames, problem, file.PixelDataBytesInFile, file.SourcePath is null ? -1 : file.PixelDataOffset);
                key = KeyOf(header);
            }
            catch (DicomFormatException e)
            {
                skipped.Add(new DicomSkippedFile(file.SourceName, e.Problem ?? e.Message));
                continue;
            }

            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }

            list.Add(header);
        }

        var series = groups.Select(g => new DicomSeriesInfo(g.Key, g.Value))
            .OrderBy(s => s.SeriesNumber ?? int.MaxValue).ThenBy(s => s.Key, StringComparer.Ordinal).ToList();
        return new DicomScanResult(series, skipped);
    }

    private static string KeyOf(InstanceHeader header)
    {
        if (header.Dataset.GetUid(DicomTags.SeriesInstanceUid) is { } uid)
        {
            return uid;
        }

        // Anonymised series without UIDs (TotalSegmentator's example): what makes one stack is the frame of
        // reference, the orientation and the image size.
        var frame = header.Frames.Count > 0 ? header.Frames[0].OrientationKey : $"{header.Dataset.GetInt(DicomTags.Rows)}x{header.Dataset.GetInt(DicomTags.Columns)}";
        return $"noseries:{header.Dataset.GetUid(DicomTags.FrameOfReferenceUid)}|{frame}";
    }
}
