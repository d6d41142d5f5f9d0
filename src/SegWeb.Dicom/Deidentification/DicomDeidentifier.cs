using System.Globalization;
using SegWeb.Dicom.Series;

namespace SegWeb.Dicom.Deidentification;

/// <summary>Choices for <see cref="DicomDeidentifier"/>.</summary>
public sealed record DicomDeidentificationOptions
{
    /// <summary>The UID map (shared across files and, by keeping it or its key, across runs). Default: a fresh map per deidentifier.</summary>
    public DicomUidMap? UidMap { get; init; }

    /// <summary>Text written to DeidentificationMethod (0012,0063), an LO: at most 64 characters are kept.</summary>
    public string MethodDescription { get; init; } = "SegWeb PS3.15 Basic Application Confidentiality Profile";
}

/// <summary>
/// De-identifies datasets with the Basic Application Level Confidentiality Profile (<see cref="BasicProfile"/>):
/// each listed attribute gets its action at every nesting level, private attributes are removed, UIDs are remapped
/// through a <see cref="DicomUidMap"/>, and the result records PatientIdentityRemoved = YES, the method, and the code
/// 113100 (DCM, "Basic Application Confidentiality Profile"). Pixel data is copied unchanged (no burned-in text
/// detection: the Clean Pixel Data Option is not claimed).
/// </summary>
public sealed class DicomDeidentifier
{
    private static readonly DicomTag PatientIdentityRemoved = new(0x0012, 0x0062);
    private static readonly DicomTag DeidentificationMethod = new(0x0012, 0x0063);
    private static readonly DicomTag DeidentificationMethodCodeSequence = new(0x0012, 0x0064);
    private static readonly DicomTag LongitudinalTemporalInformationModified = new(0x0028, 0x0303);
    private static readonly DicomTag CodeValue = new(0x0008, 0x0100);
    private static readonly DicomTag CodingSchemeDesignator = new(0x0008, 0x0102);
    private static readonly DicomTag CodeMeaning = new(0x0008, 0x0104);

    private readonly DicomDeidentificationOptions _options;

    public DicomDeidentifier(DicomDeidentificationOptions? options = null)
    {
        _options = options ?? new DicomDeidentificationOptions();
        UidMap = _options.UidMap ?? new DicomUidMap();
    }

    /// <summary>The map used for UIDs (keep it to de-identify more files of the same study consistently).</summary>
    public DicomUidMap UidMap { get; }

    /// <summary>A de-identified copy of <paramref name="dataset"/> (the input is not changed).</summary>
    public DicomDataset Deidentify(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var result = Clean(dataset);
        result.SetString(PatientIdentityRemoved, DicomVR.CS, "YES");
        result.SetString(DeidentificationMethod, DicomVR.LO, _options.MethodDescription.Length > 64 ? _options.MethodDescription[..64] : _options.MethodDescription);
        var code = new DicomDataset(dataset.SourceName, dataset.TextEncoding);
        code.SetString(CodeValue, DicomVR.SH, "113100");
        code.SetString(CodingSchemeDesignator, DicomVR.SH, "DCM");
        code.SetString(CodeMeaning, DicomVR.LO, "Basic Application Confidentiality Profile");
        result.Set(new DicomSequence(DeidentificationMethodCodeSequence, [code]));

        // Dates and times were removed or emptied, not shifted.
        result.SetString(LongitudinalTemporalInformationModified, DicomVR.CS, "REMOVED");
        return result;
    }

    /// <summary>
    /// De-identifies every DICOM object of <paramref name="input"/> (folder, zip or files) into
    /// <paramref name="outputFolder"/>, one file per object named by its new SOP Instance UID (the original names may
    /// carry identity), each written atomically. Objects keep their transfer syntax when it is encapsulated and are
    /// otherwise written explicit VR little endian. Files that are not DICOM are skipped and listed.
    /// </summary>
    /// <exception cref="DicomFormatException">The input itself is unreadable or hostile (e.g. a zip with unsafe names).</exception>
    public DicomDeidentificationResult DeidentifyInput(DicomInput input, string outputFolder)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(outputFolder);
        Directory.CreateDirectory(outputFolder);
        var skipped = new List<DicomSkippedFile>();
        var written = new List<string>();
        foreach (var file in input.Read(DicomReadOptions.Default, skipped))
        {
            var clean = Deidentify(file.Dataset);
            string uid = clean.GetUid(DicomTags.SopInstanceUid)
                ?? UidMap.Map(file.FileMetaInformation.GetUid(DicomTags.MediaStorageSopInstanceUid) ?? file.SourceName);
            if (!clean.Contains(DicomTags.SopInstanceUid) || string.IsNullOrEmpty(clean.GetUid(DicomTags.SopInstanceUid)))
            {
                clean.SetString(DicomTags.SopInstanceUid, DicomVR.UI, uid); // the file meta needs one; take the remapped meta UID
            }

            if (string.IsNullOrEmpty(clean.GetUid(DicomTags.SopClassUid)) && file.FileMetaInformation.GetUid(DicomTags.MediaStorageSopClassUid) is { } sopClass)
            {
                clean.SetString(DicomTags.SopClassUid, DicomVR.UI, sopClass);
            }

            var syntax = file.TransferSyntax.IsEncapsulated ? file.TransferSyntax : DicomTransferSyntax.ExplicitVRLittleEndian;
            var path = Path.Combine(outputFolder, uid + ".dcm");
            DicomWriter.Write(path, clean, new DicomWriteOptions { TransferSyntax = syntax });
            written.Add(path);
        }

        return new DicomDeidentificationResult(written, skipped);
    }

    private DicomDataset Clean(DicomDataset source)
    {
        var target = new DicomDataset(source.SourceName, source.TextEncoding);
        foreach (var element in source.Elements)
        {
            if (element.Tag.Group == 0x0002)
            {
                continue; // file meta is rebuilt by the writer from the cleaned dataset
            }

            var action = BasicProfile.ActionFor(element.Tag);
            switch (action)
            {
                case DeidentificationAction.Remove:
                    break;
                case DeidentificationAction.ZeroLength:
                    target.Set(element is DicomSequence ? new DicomSequence(element.Tag, []) : new DicomElement(element.Tag, element.VR, []));
                    break;
                case DeidentificationAction.Dummy:
                    target.Set(Dummy(element, target));
                    break;
                case DeidentificationAction.RemapUid:
                    target.Set(Remap(element));
                    break;
                default:
                    target.Set(element is DicomSequence sequence ? new DicomSequence(sequence.Tag, sequence.Items.Select(Clean).ToList()) : element);
                    break;
            }
        }

        return target;
    }

    private DicomElement Remap(DicomElement element)
    {
        if (element is DicomSequence sequence)
        {
            return new DicomSequence(sequence.Tag, sequence.Items.Select(Clean).ToList());
        }

        var text = System.Text.Encoding.ASCII.GetString(element.Value).TrimEnd('\0', ' ');
        var mapped = string.Join('\\', text.Split('\\').Select(UidMap.Map));
        var bytes = System.Text.Encoding.ASCII.GetBytes(mapped);
        if (bytes.Length % 2 == 1)
        {
            Array.Resize(ref bytes, bytes.Length + 1); // UI pads with NUL
        }

        return new DicomElement(element.Tag, element.VR, bytes);
    }

    /// <summary>A value of the same VR that identifies nobody; a sequence keeps its items, cleaned.</summary>
    private DicomElement Dummy(DicomElement element, DicomDataset owner)
    {
        if (element is DicomSequence sequence)
        {
            return new DicomSequence(sequence.Tag, sequence.Items.Select(Clean).ToList());
        }

        string? text = element.VR switch
        {
            DicomVR.DA => "19000101",
            DicomVR.TM => "000000",
            DicomVR.DT => "19000101000000",
            DicomVR.AS => "000Y",
            DicomVR.IS or DicomVR.DS => "0",
            DicomVR.UI => null,
            DicomVR.PN or DicomVR.LO or DicomVR.SH or DicomVR.CS or DicomVR.AE or DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UC => "ANONYMIZED",
            _ => null,
        };
        if (element.VR == DicomVR.UI)
        {
            return Remap(element);
        }

        if (text is null)
        {
            return new DicomElement(element.Tag, element.VR, new byte[element.Value.Length]); // binary: zeros of the same size
        }

        var bytes = owner.TextEncoding.GetBytes(text);
        if (bytes.Length % 2 == 1)
        {
            Array.Resize(ref bytes, bytes.Length + 1);
            bytes[^1] = (byte)' ';
        }

        return new DicomElement(element.Tag, element.VR, bytes);
    }
}

/// <summary>What <see cref="DicomDeidentifier.DeidentifyInput"/> wrote and passed over.</summary>
public sealed record DicomDeidentificationResult(IReadOnlyList<string> WrittenFiles, IReadOnlyList<DicomSkippedFile> Skipped)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{WrittenFiles.Count} files written, {Skipped.Count} skipped");
}
