using SegWeb.Dicom.Series;

namespace SegWeb.Dicom.Segmentation;

/// <summary>
/// The UIDs a DICOM-SEG uses to reference its source series, with empty or invalid source UIDs replaced by
/// deterministic generated ones (TotalSegmentator's example_ct_dicom has empty Study/Series/SOP Instance/SOP Class
/// UIDs). Rule: an instance keeps its SOPInstanceUID, else its file meta MediaStorageSOPInstanceUID (what
/// <see cref="DicomSeriesScanner"/> already uses), else "2.25." from a hash of its source name; Study, Series and
/// Frame of Reference UIDs keep the source's value, else "2.25." from a hash of the series' SOP instance UIDs.
/// So the same input always gives the same UIDs, and <see cref="WriteFilledSeries"/> writes the source files with
/// exactly these UIDs: a SEG and that rewritten series form a consistent set.
/// </summary>
public sealed class DicomSourceUids
{
    private readonly Dictionary<string, (string SopInstanceUid, string SopClassUid)> _bySource;

    private DicomSourceUids(Dictionary<string, (string, string)> bySource, string study, string series, string frameOfReference, bool generated)
    {
        _bySource = bySource;
        StudyInstanceUid = study;
        SeriesInstanceUid = series;
        FrameOfReferenceUid = frameOfReference;
        AnyGenerated = generated;
    }

    public string StudyInstanceUid { get; }

    public string SeriesInstanceUid { get; }

    public string FrameOfReferenceUid { get; }

    /// <summary>True when at least one UID was generated (the source needs <see cref="WriteFilledSeries"/> to match a SEG).</summary>
    public bool AnyGenerated { get; }

    /// <summary>Source names (files or zip entries) of the series' instances.</summary>
    public IReadOnlyCollection<string> SourceNames => _bySource.Keys;

    /// <summary>The (possibly generated) SOP Instance UID of the instance read from <paramref name="sourceName"/>.</summary>
    public string SopInstanceUidOf(string sourceName) => Get(sourceName).SopInstanceUid;

    /// <summary>The SOP Class UID of that instance (from its header; else by modality: CT, MR, PET, else Secondary Capture).</summary>
    public string SopClassUidOf(string sourceName) => Get(sourceName).SopClassUid;

    /// <summary>Resolves the UIDs of a loaded series.</summary>
    public static DicomSourceUids Resolve(DicomSeriesVolume source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var instances = source.SeriesInfo.Instances;
        var bySource = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        bool generated = false;
        foreach (var instance in instances)
        {
            var ds = instance.Dataset;

            // The scanner put the file meta's MediaStorageSOPInstanceUID (or the source name) in the frame headers.
            var candidate = ds.GetUid(DicomTags.SopInstanceUid) ?? instance.Frames.FirstOrDefault()?.SopInstanceUid;
            if (!DicomUids.IsValid(candidate) || candidate != ds.GetUid(DicomTags.SopInstanceUid))
            {
                generated = true;
            }

            var sop = DicomUids.IsValid(candidate) ? candidate! : DicomUids.FromSeed("segweb-sop|" + instance.SourceName);
            var sopClass = ds.GetUid(DicomTags.SopClassUid);
            if (!DicomUids.IsValid(sopClass))
            {
                generated = true;
                sopClass = (ds.GetString(DicomTags.Modality) ?? string.Empty).ToUpperInvariant() switch
                {
                    "CT" => "1.2.840.10008.5.1.4.1.1.2",
                    "MR" => "1.2.840.10008.5.1.4.1.1.4",
                    "PT" => "1.2.840.10008.5.1.4.1.1.128",
                    _ => "1.2.840.10008.5.1.4.1.1.7",
                };
            }

            bySource[instance.SourceName] = (sop, sopClass!);
        }

        var seed = string.Join("|", bySource.Values.Select(v => v.Item1).Order(StringComparer.Ordinal));
        string Fill(string? uid, string kind)
        {
            if (DicomUids.IsValid(uid))
            {
                return uid!;
            }

            generated = true;
            return DicomUids.FromSeed($"segweb-{kind}|{seed}");
        }

        var first = source.SeriesInfo;
        return new DicomSourceUids(bySource, Fill(first.StudyInstanceUid, "study"), Fill(first.SeriesInstanceUid, "series"), Fill(first.FrameOfReferenceUid, "frame-of-reference"), generated);
    }

    /// <summary>
    /// Writes every instance of <paramref name="source"/> (read again from <paramref name="input"/>, pixel data as it is)
    /// into <paramref name="outputFolder"/> with the UIDs filled in, one file per instance named by its SOP Instance UID.
    /// </summary>
    /// <returns>The paths written.</returns>
    public IReadOnlyList<string> WriteFilledSeries(DicomInput input, string outputFolder)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(outputFolder);
        Directory.CreateDirectory(outputFolder);
        var written = new List<string>();
        var skipped = new List<DicomSkippedFile>();
        foreach (var file in input.Read(DicomReadOptions.Default, skipped, _bySource.ContainsKey))
        {
            if (!_bySource.TryGetValue(file.SourceName, out var uids))
            {
                continue;
            }

            var ds = file.Dataset;
            ds.SetString(DicomTags.SopInstanceUid, DicomVR.UI, uids.SopInstanceUid);
            ds.SetString(DicomTags.SopClassUid, DicomVR.UI, uids.SopClassUid);
            ds.SetString(DicomTags.StudyInstanceUid, DicomVR.UI, StudyInstanceUid);
            ds.SetString(DicomTags.SeriesInstanceUid, DicomVR.UI, SeriesInstanceUid);
            ds.SetString(DicomTags.FrameOfReferenceUid, DicomVR.UI, FrameOfReferenceUid);
            var path = Path.Combine(outputFolder, uids.SopInstanceUid + ".dcm");
            DicomWriter.Write(path, ds, new DicomWriteOptions { TransferSyntax = file.TransferSyntax.IsDeflated ? DicomTransferSyntax.ExplicitVRLittleEndian : file.TransferSyntax });
            written.Add(path);
        }

        if (written.Count != _bySource.Count)
        {
            var reason = skipped.Count > 0 ? $" ({skipped[0].Name}: {skipped[0].Reason})" : string.Empty;
            throw new DicomFormatException(input.Description, $"only {written.Count} of the series' {_bySource.Count} files could be read again{reason}");
        }

        return written;
    }

    private (string SopInstanceUid, string SopClassUid) Get(string sourceName) =>
        _bySource.TryGetValue(sourceName, out var v) ? v : throw new ArgumentException($"'{sourceName}' is not an instance of this series.", nameof(sourceName));
}
