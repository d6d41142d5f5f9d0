using System.Buffers.Binary;
using System.Globalization;
using SegWeb.Dicom.Series;
using SegWeb.Imaging;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Dicom.Segmentation;

/// <summary>
/// Writes a label map as a DICOM Segmentation (PS3.3 A.51): BINARY, one bit per pixel packed across frame
/// boundaries, explicit VR little endian, one segment per label value that occurs, one frame per (segment, source
/// slice on which it occurs) — empty frames are left out. Geometry comes from the source instances each frame
/// derives from; identity (patient, study, frame of reference) is copied from the source with empty UIDs filled as
/// <see cref="DicomSourceUids"/> describes. The file is written to a temporary name and renamed.
/// </summary>
public static class DicomSegWriter
{
    private static readonly CodedConcept SegmentationDerivation = new("113076", "DCM", "Segmentation");
    private static readonly CodedConcept SourceImagePurpose = new("121322", "DCM", "Source image for image processing operation");

    /// <summary>Writes <paramref name="labels"/> (on <paramref name="source"/>'s grid) as a SEG at <paramref name="outPath"/>.</summary>
    /// <param name="outPath">The .dcm to write.</param>
    /// <param name="labels">Integer label map with the source volume's shape and affine.</param>
    /// <param name="source">The series the labels were computed on (from <see cref="DicomSeriesLoader"/>).</param>
    /// <param name="segments">Descriptions per label value (e.g. <see cref="SnomedMapping.Describe(IReadOnlyDictionary{int, string})"/>).
    /// Values present in the map without a description are written as "label N" (SCT Tissue) with a warning.</param>
    /// <param name="algorithm">The algorithm that made the labels.</param>
    /// <param name="options">Names, UIDs and descriptive values.</param>
    /// <exception cref="SegWebException">The labels are not on the source grid, the source was resampled, or no voxel is labelled.</exception>
    public static DicomSegWriteResult Write(string outPath, Volume labels, DicomSeriesVolume source, IReadOnlyList<SegmentDescription> segments,
        AlgorithmIdentification algorithm, DicomSegWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(outPath);
        var (dataset, result) = Build(labels, source, segments, algorithm, options);
        DicomWriter.Write(outPath, dataset);
        return result;
    }

    /// <summary>Builds the SEG dataset without writing it.</summary>
    public static (DicomDataset Dataset, DicomSegWriteResult Result) Build(Volume labels, DicomSeriesVolume source, IReadOnlyList<SegmentDescription> segments,
        AlgorithmIdentification algorithm, DicomSegWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(algorithm);
        options ??= DicomSegWriteOptions.Default;
        var sourceName = options.SourceName ?? source.SeriesInfo.Key;
        if (labels.IsScaled)
        {
            throw new SegWebException($"{options.LabelsName}: a label map must store its labels unscaled (slope {labels.Slope}, intercept {labels.Intercept})");
        }

        var slices = MatchGrid(labels, source, options, sourceName);

        var frames = LabelFramesFactory.For(labels);
        var occurrences = frames.Occurrences(options.LabelsName);
        if (occurrences.Count == 0)
        {
            throw new SegWebException($"{options.LabelsName}: no voxel is labelled, and a DICOM-SEG needs at least one segment");
        }

        var warnings = new List<string>();
        var byValue = new Dictionary<int, SegmentDescription>();
        foreach (var s in segments)
        {
            byValue[s.LabelValue] = s;
        }

        var written = new List<SegmentDescription>();
        foreach (var label in occurrences.Keys)
        {
            if (!byValue.TryGetValue(label, out var description))
            {
                description = new SegmentDescription(label, $"label {label}", CodedConcept.Tissue, CodedConcept.Tissue);
                warnings.Add($"label value {label} has no class name; written as segment '{description.Label}'");
            }

            written.Add(description);
        }

        var uids = DicomSourceUids.Resolve(source);
        var first = source.SeriesInfo.Instances[0];
        var ds = new DicomDataset("segmentation", first.Dataset.TextEncoding);
        var sopInstanceUid = options.SopInstanceUid ?? DicomUids.New();
        var seriesInstanceUid = options.SeriesInstanceUid ?? DicomUids.New();
        var now = options.ContentDateTime ?? DateTime.UtcNow;

        CopyIdentity(first.Dataset, ds);
        ds.SetString(DicomTags.SopClassUid, DicomVR.UI, DicomUids.SegmentationStorage);
        ds.SetString(DicomTags.SopInstanceUid, DicomVR.UI, sopInstanceUid);
        ds.SetString(DicomTags.StudyInstanceUid, DicomVR.UI, uids.StudyInstanceUid);
        ds.SetString(DicomTags.SeriesInstanceUid, DicomVR.UI, seriesInstanceUid);
        ds.SetString(DicomTags.FrameOfReferenceUid, DicomVR.UI, uids.FrameOfReferenceUid);
        ds.SetString(DicomTags.Modality, DicomVR.CS, "SEG");
        ds.SetString(DicomTags.SeriesNumber, DicomVR.IS, options.SeriesNumber.ToString(CultureInfo.InvariantCulture));
        ds.SetString(DicomTags.SeriesDescription, DicomVR.LO, options.SeriesDescription);
        ds.SetString(DicomTags.InstanceNumber, DicomVR.IS, "1");
        ds.SetString(DicomTags.ContentDate, DicomVR.DA, now.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        ds.SetString(DicomTags.ContentTime, DicomVR.TM, now.ToString("HHmmss.ffffff", CultureInfo.InvariantCulture));
        ds.SetString(DicomTags.InstanceCreationDate, DicomVR.DA, now.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        ds.SetString(DicomTags.InstanceCreationTime, DicomVR.TM, now.ToString("HHmmss.ffffff", CultureInfo.InvariantCulture));

        // General and Enhanced General Equipment: the device is SegWeb itself.
        ds.SetString(DicomTags.Manufacturer, DicomVR.LO, "SegWeb");
        ds.SetString(DicomTags.ManufacturerModelName, DicomVR.LO, "SegWeb");
        ds.SetString(SegmentationTags.DeviceSerialNumber, DicomVR.LO, "1");
        ds.SetString(DicomTags.SoftwareVersions, DicomVR.LO, options.SoftwareVersion);

        // Segmentation Image module.
        ds.SetString(DicomTags.ImageType, DicomVR.CS, "DERIVED\\PRIMARY");
        ds.SetString(SegmentationTags.ContentLabel, DicomVR.CS, options.ContentLabel);
        ds.SetString(SegmentationTags.ContentDescription, DicomVR.LO, options.ContentDescription);
        ds.SetString(SegmentationTags.ContentCreatorName, DicomVR.PN, string.Empty);
        ds.SetString(SegmentationTags.SegmentationType, DicomVR.CS, "BINARY");
        ds.SetString(SegmentationTags.SegmentsOverlap, DicomVR.CS, "NO");
        ds.Set(UShorts(DicomTags.SamplesPerPixel, 1));
        ds.SetString(DicomTags.PhotometricInterpretation, DicomVR.CS, "MONOCHROME2");
        ds.Set(UShorts(DicomTags.BitsAllocated, 1));
        ds.Set(UShorts(DicomTags.BitsStored, 1));
        ds.Set(UShorts(DicomTags.HighBit, 0));
        ds.Set(UShorts(DicomTags.PixelRepresentation, 0));
        ds.SetString(DicomTags.LossyImageCompression, DicomVR.CS, first.Dataset.GetString(DicomTags.LossyImageCompression) == "01" ? "01" : "00");
        int nx = labels.Shape.X, ny = labels.Shape.Y;
        ds.Set(UShorts(DicomTags.Rows, (ushort)ny));
        ds.Set(UShorts(DicomTags.Columns, (ushort)nx));
        ds.Set(new DicomSequence(SegmentationTags.SegmentSequence, written.Select((s, i) => SegmentItem(s, i + 1, algorithm)).ToList()));

        // Frames: segment-major, then along the slice normal.
        var frameList = new List<(int Segment, int Label, int K)>();
        for (int s = 0; s < written.Count; s++)
        {
            foreach (var k in occurrences[written[s].LabelValue])
            {
                frameList.Add((s + 1, written[s].LabelValue, k));
            }
        }

        long bitsPerFrame = (long)nx * ny;
        long totalBytes = ((frameList.Count * bitsPerFrame) + 7) / 8;
        if (totalBytes + 1 > Array.MaxLength)
        {
            throw new SegWebException($"{options.LabelsName}: {frameList.Count} frames of {nx}×{ny} are too many for one DICOM-SEG");
        }

        // Even length: PS3.5 7.1.1 asks for it; the pad byte is zero.
        var bits = new byte[totalBytes + (totalBytes & 1)];
        if (bitsPerFrame % 8 == 0)
        {
            Parallel.For(0, frameList.Count, f => frames.Pack(frameList[f].Label, frameList[f].K, f, bits));
        }
        else
        {
            for (int f = 0; f < frameList.Count; f++)
            {
                frames.Pack(frameList[f].Label, frameList[f].K, f, bits); // frames share bytes: no parallel writes
            }
        }

        ds.SetString(DicomTags.NumberOfFrames, DicomVR.IS, frameList.Count.ToString(CultureInfo.InvariantCulture));
        ds.Set(new DicomSequence(DicomTags.SharedFunctionalGroupsSequence, [SharedGroups(source, first)]));
        ds.Set(new DicomSequence(DicomTags.PerFrameFunctionalGroupsSequence,
            frameList.Select(f => PerFrameGroups(f.Segment, f.K, slices[f.K], uids, source)).ToList()));
        AddDimensions(ds);
        ds.Set(new DicomSequence(DicomTags.ReferencedSeriesSequence, [ReferencedSeries(source, uids)]));
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, bits));

        var result = new DicomSegWriteResult(sopInstanceUid, seriesInstanceUid, written, frameList.Count, uids, warnings);
        return (ds, result);
    }

    /// <summary>
    /// Checks that the labels lie on the source grid and maps each label slice k to the source frame at its position
    /// (matched along the slice normal, not by index, so a reordered series cannot shift frames).
    /// </summary>
    private static DicomSliceInstance[] MatchGrid(Volume labels, DicomSeriesVolume source, DicomSegWriteOptions options, string sourceName)
    {
        if (source.Resampled)
        {
            throw new SegWebException($"{sourceName}: the series was resampled while loading (gantry tilt or uneven slice spacing), so its voxels are not its DICOM frames; a DICOM-SEG for {options.LabelsName} cannot reference them");
        }

        var grid = source.Volume;
        if (labels.Shape != grid.Shape)
        {
            throw new SegWebException($"{options.LabelsName}: shape {Dims(labels.Shape)} does not match the DICOM series {sourceName} ({Dims(grid.Shape)})");
        }

        var (sx, sy, sz) = grid.Spacing;
        double tolerance = options.GridTolerance * Math.Min(sx, Math.Min(sy, sz));
        int[] xs = [0, grid.Shape.X - 1], ys = [0, grid.Shape.Y - 1], zs = [0, grid.Shape.Z - 1];
        foreach (var x in xs)
        {
            foreach (var y in ys)
            {
                foreach (var z in zs)
                {
                    var a = labels.Affine.Apply(x, y, z);
                    var b = grid.Affine.Apply(x, y, z);
                    double d = Math.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)) + ((a.Z - b.Z) * (a.Z - b.Z)));
                    if (d > tolerance)
                    {
                        throw new SegWebException(string.Create(CultureInfo.InvariantCulture,
                            $"{options.LabelsName}: its affine does not match the grid of the DICOM series {sourceName} (voxel ({x},{y},{z}) lies {d:0.###} mm away; tolerance {tolerance:0.###} mm)"));
                    }
                }
            }
        }

        var slices = new DicomSliceInstance[grid.Shape.Z];
        int ny = grid.Shape.Y;
        // The grid's row and column cosines in LPS (the RAS affine with x and y negated back).
        var row = new Vec3(-grid.Affine[0, 0], -grid.Affine[1, 0], grid.Affine[2, 0]);
        var column = new Vec3(grid.Affine[0, 1], grid.Affine[1, 1], -grid.Affine[2, 1]);
        var normal = row.Cross(column).Normalized();
        foreach (var instance in source.SourceInstances)
        {
            // Where the slice's first transmitted pixel (row 0, column 0 = voxel (0, ny−1, k)) lies along the normal.
            var p = instance.PositionLps;
            double height = new Vec3(p.X, p.Y, p.Z).Dot(normal);
            int match = -1;
            for (int k = 0; k < grid.Shape.Z; k++)
            {
                var w = grid.Affine.Apply(0, ny - 1, k);
                if (Math.Abs(new Vec3(-w.X, -w.Y, w.Z).Dot(normal) - height) <= Math.Max(tolerance, 0.1 * sz))
                {
                    match = k;
                    break;
                }
            }

            if (match >= 0)
            {
                slices[match] = instance;
            }
        }

        int missing = Array.IndexOf(slices, null);
        if (missing >= 0)
        {
            throw new SegWebException($"{sourceName}: no source frame lies at slice {missing} of {options.LabelsName}");
        }

        return slices;
    }

    private static void CopyIdentity(DicomDataset from, DicomDataset to)
    {
        // Type 2 attributes of the Patient, General Study and Frame of Reference modules are written even when empty.
        DicomTag[] type2 =
        [
            DicomTags.PatientName, DicomTags.PatientId, DicomTags.PatientBirthDate, DicomTags.PatientSex, DicomTags.StudyDate,
            DicomTags.StudyTime, DicomTags.ReferringPhysicianName, DicomTags.StudyId, DicomTags.AccessionNumber, SegmentationTags.PositionReferenceIndicator,
        ];
        DicomTag[] optional = [DicomTags.SpecificCharacterSet, DicomTags.PatientAge, DicomTags.StudyDescription, DicomTags.BodyPartExamined];
        foreach (var tag in type2.Concat(optional))
        {
            if (from[tag] is { } element && element is not DicomSequence && element.Value.Length > 0)
            {
                to.Set(new DicomElement(tag, VROf(tag, element.VR), element.Value));
            }
            else if (type2.Contains(tag))
            {
                to.Set(new DicomElement(tag, VROf(tag, DicomVR.UN), []));
            }
        }
    }

    // Implicit VR sources give UN for tags missing from the dictionary; the SEG must carry the real VR.
    private static DicomVR VROf(DicomTag tag, DicomVR read) => read != DicomVR.UN ? read : DicomDictionary.VROf(tag) is var vr && vr != DicomVR.UN ? vr : DicomVR.LO;

    private static DicomDataset SegmentItem(SegmentDescription s, int number, AlgorithmIdentification algorithm)
    {
        var item = new DicomDataset("segment");
        item.Set(UShorts(SegmentationTags.SegmentNumber, (ushort)number));
        item.SetString(SegmentationTags.SegmentLabel, DicomVR.LO, Clip(s.Label, 64));
        item.SetString(SegmentationTags.SegmentAlgorithmType, DicomVR.CS, "AUTOMATIC");
        item.SetString(SegmentationTags.SegmentAlgorithmName, DicomVR.LO, Clip(algorithm.Name, 64));
        var algo = new DicomDataset("algorithm");
        algo.Set(new DicomSequence(SegmentationTags.AlgorithmFamilyCodeSequence, [algorithm.FamilyOrDefault.ToItem()]));
        algo.SetString(SegmentationTags.AlgorithmName, DicomVR.LO, Clip(algorithm.Name, 64));
        algo.SetString(SegmentationTags.AlgorithmVersion, DicomVR.LO, Clip(algorithm.Version, 64));
        item.Set(new DicomSequence(SegmentationTags.SegmentationAlgorithmIdentificationSequence, [algo]));
        item.Set(new DicomSequence(SegmentationTags.SegmentedPropertyCategoryCodeSequence, [s.Category.ToItem()]));
        var type = s.Type.ToItem();
        if (s.TypeModifier is { } modifier)
        {
            // PS3.3 C.8.20.2 (Segment Description Macro): the modifier sits inside the type code's item.
            type.Set(new DicomSequence(SegmentationTags.SegmentedPropertyTypeModifierCodeSequence, [modifier.ToItem()]));
        }

        item.Set(new DicomSequence(SegmentationTags.SegmentedPropertyTypeCodeSequence, [type]));
        if (s.AnatomicRegion is { } region)
        {
            item.Set(new DicomSequence(SegmentationTags.AnatomicRegionSequence, [region.ToItem()]));
        }

        if (s.Rgb is { } rgb)
        {
            var (l, a, b) = CieLab.ToDicom(rgb.R, rgb.G, rgb.B);
            item.Set(UShorts(SegmentationTags.RecommendedDisplayCieLabValue, l, a, b));
        }

        return item;
    }

    private static DicomDataset SharedGroups(DicomSeriesVolume source, InstanceHeader first)
    {
        var frame = first.Frames[0];
        var groups = new DicomDataset("shared");
        var orientation = new DicomDataset("orientation");
        orientation.SetString(DicomTags.ImageOrientationPatient, DicomVR.DS, Ds(frame.Row.X, frame.Row.Y, frame.Row.Z, frame.Column.X, frame.Column.Y, frame.Column.Z));
        groups.Set(new DicomSequence(DicomTags.PlaneOrientationSequence, [orientation]));
        var measures = new DicomDataset("measures");
        double step = source.Volume.Spacing.Z;
        double thickness = SafeDouble(first.Dataset, DicomTags.SliceThickness) is double t && t > 0 ? t : step;
        measures.SetString(DicomTags.PixelSpacing, DicomVR.DS, Ds(frame.RowSpacing, frame.ColumnSpacing));
        measures.SetString(DicomTags.SliceThickness, DicomVR.DS, Ds(thickness));
        measures.SetString(DicomTags.SpacingBetweenSlices, DicomVR.DS, Ds(step));
        groups.Set(new DicomSequence(DicomTags.PixelMeasuresSequence, [measures]));
        return groups;
    }

    private static DicomDataset PerFrameGroups(int segment, int k, DicomSliceInstance instance, DicomSourceUids uids, DicomSeriesVolume source)
    {
        var groups = new DicomDataset("frame");
        var reference = new DicomDataset("source image");
        reference.SetString(DicomTags.ReferencedSopClassUid, DicomVR.UI, uids.SopClassUidOf(instance.SourceName));
        reference.SetString(DicomTags.ReferencedSopInstanceUid, DicomVR.UI, uids.SopInstanceUidOf(instance.SourceName));
        if (IsMultiFrame(source, instance.SourceName))
        {
            reference.SetString(SegmentationTags.ReferencedFrameNumber, DicomVR.IS, instance.FrameNumber.ToString(CultureInfo.InvariantCulture));
        }

        reference.Set(new DicomSequence(SegmentationTags.PurposeOfReferenceCodeSequence, [SourceImagePurpose.ToItem()]));
        reference.SetString(SegmentationTags.SpatialLocationsPreserved, DicomVR.CS, "YES");
        var derivation = new DicomDataset("derivation");
        derivation.Set(new DicomSequence(SegmentationTags.DerivationCodeSequence, [SegmentationDerivation.ToItem()]));
        derivation.Set(new DicomSequence(SegmentationTags.SourceImageSequence, [reference]));
        groups.Set(new DicomSequence(SegmentationTags.DerivationImageSequence, [derivation]));

        var content = new DicomDataset("frame content");
        content.Set(UInts(DicomTags.DimensionIndexValues, (uint)segment, (uint)(k + 1)));
        groups.Set(new DicomSequence(DicomTags.FrameContentSequence, [content]));
        var position = new DicomDataset("position");
        position.SetString(DicomTags.ImagePositionPatient, DicomVR.DS, Ds(instance.PositionLps.X, instance.PositionLps.Y, instance.PositionLps.Z));
        groups.Set(new DicomSequence(DicomTags.PlanePositionSequence, [position]));
        var identification = new DicomDataset("segment identification");
        identification.Set(UShorts(SegmentationTags.ReferencedSegmentNumber, (ushort)segment));
        groups.Set(new DicomSequence(SegmentationTags.SegmentIdentificationSequence, [identification]));
        return groups;
    }

    private static void AddDimensions(DicomDataset ds)
    {
        var organization = DicomUids.New();
        var org = new DicomDataset("organization");
        org.SetString(SegmentationTags.DimensionOrganizationUid, DicomVR.UI, organization);
        ds.Set(new DicomSequence(SegmentationTags.DimensionOrganizationSequence, [org]));
        DicomDataset Index(DicomTag pointer, DicomTag group, string label)
        {
            var item = new DicomDataset("dimension");
            item.SetString(SegmentationTags.DimensionOrganizationUid, DicomVR.UI, organization);
            item.Set(Tags(SegmentationTags.DimensionIndexPointer, pointer));
            item.Set(Tags(SegmentationTags.FunctionalGroupPointer, group));
            item.SetString(SegmentationTags.DimensionDescriptionLabel, DicomVR.LO, label);
            return item;
        }

        ds.Set(new DicomSequence(SegmentationTags.DimensionIndexSequence,
        [
            Index(SegmentationTags.ReferencedSegmentNumber, SegmentationTags.SegmentIdentificationSequence, "Segment Number"),
            Index(DicomTags.ImagePositionPatient, DicomTags.PlanePositionSequence, "Image Position Patient"),
        ]));
    }

    private static DicomDataset ReferencedSeries(DicomSeriesVolume source, DicomSourceUids uids)
    {
        var instances = source.SourceInstances.Select(i => i.SourceName).Distinct(StringComparer.Ordinal).Select(name =>
        {
            var item = new DicomDataset("instance");
            item.SetString(DicomTags.ReferencedSopClassUid, DicomVR.UI, uids.SopClassUidOf(name));
            item.SetString(DicomTags.ReferencedSopInstanceUid, DicomVR.UI, uids.SopInstanceUidOf(name));
            return item;
        }).ToList();
        var series = new DicomDataset("series");
        series.Set(new DicomSequence(SegmentationTags.ReferencedInstanceSequence, instances));
        series.SetString(DicomTags.SeriesInstanceUid, DicomVR.UI, uids.SeriesInstanceUid);
        return series;
    }

    private static bool IsMultiFrame(DicomSeriesVolume source, string sourceName) =>
        source.SeriesInfo.Instances.FirstOrDefault(i => i.SourceName == sourceName)?.Frames.Count > 1;

    private static double? SafeDouble(DicomDataset ds, DicomTag tag)
    {
        try
        {
            return ds.GetDouble(tag);
        }
        catch (DicomFormatException)
        {
            return null; // a malformed optional attribute falls back to the slice step
        }
    }

    /// <summary>Decimal strings of at most 16 characters (PS3.5 DS), as precise as that allows.</summary>
    internal static string Ds(params double[] values) => string.Join('\\', values.Select(DsOne));

    private static string DsOne(double v)
    {
        if (Math.Abs(v) < 1e-12)
        {
            return "0";
        }

        for (int digits = 15; digits > 1; digits--)
        {
            var text = v.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (text.Length <= 16)
            {
                return text;
            }
        }

        return v.ToString("E6", CultureInfo.InvariantCulture);
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];

    private static string Dims(VolumeShape s) => $"{s.X}×{s.Y}×{s.Z}";

    private static DicomElement UShorts(DicomTag tag, params ushort[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), values[i]);
        }

        return new DicomElement(tag, DicomVR.US, bytes);
    }

    private static DicomElement UInts(DicomTag tag, params uint[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return new DicomElement(tag, DicomVR.UL, bytes);
    }

    private static DicomElement Tags(DicomTag tag, DicomTag value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value.Group);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), value.Element);
        return new DicomElement(tag, DicomVR.AT, bytes);
    }
}
