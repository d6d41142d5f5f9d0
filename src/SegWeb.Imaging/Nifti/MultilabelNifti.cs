using System.Globalization;
using System.Text;
using System.Xml;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Nifti;

/// <summary>
/// Multilabel segmentations with their label names stored the way TotalSegmentator stores them
/// (totalsegmentator/nifti_ext_header.py): the first header extension, code 0, holds CIFTI/Caret-style XML
/// <c>&lt;CaretExtension&gt;…&lt;LabelTable&gt;&lt;Label Key="5" Red=… Alpha="1"&gt;&lt;![CDATA[liver]]&gt;&lt;/Label&gt;</c>.
/// TotalSegmentator's <c>load_multilabel_nifti</c> parses <c>extensions[0]</c>, so the table is written first.
/// </summary>
public static class MultilabelNifti
{
    private const string XmlPre = "<?xml version=\"1.0\" encoding=\"UTF-8\"?> <CaretExtension>  <Date><![CDATA[2013-07-14T05:45:09]]></Date>   <VolumeInformation Index=\"0\">   <LabelTable>";
    private const string XmlPost = "  </LabelTable>  <StudyMetaDataLinkSet>  </StudyMetaDataLinkSet>  <VolumeType><![CDATA[Label]]></VolumeType>   </VolumeInformation></CaretExtension>";

    // TotalSegmentator's 12-colour cycle, indexed by label id modulo 12.
    private static readonly int[][] Colors =
    [
        [255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [255, 0, 255], [0, 255, 255],
        [255, 128, 0], [255, 0, 128], [128, 255, 128], [0, 128, 255], [128, 128, 128], [185, 170, 155],
    ];

    /// <summary>Writes a label map with its names. Other template extensions are kept after the label table; an older label table in the template is replaced.</summary>
    /// <param name="path">Target .nii or .nii.gz.</param>
    /// <param name="labels">The label map (an integer voxel type).</param>
    /// <param name="names">Label id → name (the ids need not all occur in the volume).</param>
    /// <param name="template">Optional header template (e.g. the input image's header).</param>
    /// <exception cref="ArgumentException">The volume is not integer, or a name cannot be stored (contains "]]&gt;" or characters XML forbids).</exception>
    public static void Write(string path, Volume labels, IReadOnlyDictionary<int, string> names, NiftiHeader? template = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(names);
        if (labels.VoxelType.IsFloatingPoint())
        {
            throw new ArgumentException($"A label map needs an integer voxel type, not {labels.VoxelType}.", nameof(labels));
        }

        var header = template?.Clone() ?? new NiftiHeader { XyztUnits = 2 };
        var table = new NiftiExtension(0, Encoding.UTF8.GetBytes(BuildLabelXml(names)));
        header.Extensions = [table, .. header.Extensions.Where(e => !IsLabelTable(e))];
        NiftiWriter.Write(path, labels, header);
    }

    /// <summary>Reads a multilabel file and its label names (empty when it has no label table).</summary>
    /// <exception cref="ImageFormatException">The file is not a readable NIfTI, or its label table is malformed.</exception>
    public static (NiftiImage Image, IReadOnlyDictionary<int, string> Names) Read(string path, NiftiReadOptions? options = null)
    {
        var image = NiftiReader.Read(path, options);
        try
        {
            return (image, ReadLabelNames(image.Header));
        }
        catch (ImageFormatException e)
        {
            throw new ImageFormatException(path, e.Message, e);
        }
    }

    /// <summary>
    /// The label names in a header: from the first code-0 extension holding a Caret label table (what
    /// TotalSegmentator writes, always as the first extension). Empty when there is none.
    /// </summary>
    /// <exception cref="ImageFormatException">The label table is not well-formed XML or has a bad key.</exception>
    public static IReadOnlyDictionary<int, string> ReadLabelNames(NiftiHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var ext = header.Extensions.FirstOrDefault(IsLabelTable);
        return ext is null ? new Dictionary<int, string>() : ParseLabelXml(ext.Content);
    }

    /// <summary>The XML TotalSegmentator's add_label_map_to_nifti writes for these names, byte for byte.</summary>
    public static string BuildLabelXml(IReadOnlyDictionary<int, string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var body = new StringBuilder();
        foreach (var (id, name) in names)
        {
            ArgumentNullException.ThrowIfNull(name, nameof(names));
            if (name.Contains("]]>", StringComparison.Ordinal) || name.Any(c => XmlConvert.IsXmlChar(c) is false && !char.IsSurrogate(c)))
            {
                throw new ArgumentException($"Label {id} name \"{name}\" cannot be stored in a CDATA section.", nameof(names));
            }

            var rgb = Colors[((id % Colors.Length) + Colors.Length) % Colors.Length];
            body.Append(CultureInfo.InvariantCulture,
                $"<Label Key=\"{id}\" Red=\"{PythonFloat(rgb[0] / 255.0)}\" Green=\"{PythonFloat(rgb[1] / 255.0)}\" Blue=\"{PythonFloat(rgb[2] / 255.0)}\" Alpha=\"1\"><![CDATA[{name}]]></Label>\n");
        }

        return XmlPre + "\n" + body + "\n" + XmlPost + "\n              ";
    }

    private static bool IsLabelTable(NiftiExtension e) =>
        e.Code == 0 && e.Content.AsSpan().IndexOf("<CaretExtension"u8) >= 0;

    // Python's str(float): shortest round-trip digits, always with a decimal point ("0.0", "1.0", "0.5019607843137255").
    private static string PythonFloat(double v)
    {
        var s = v.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.', StringComparison.Ordinal) || s.Contains('E', StringComparison.Ordinal) ? s : s + ".0";
    }

    private static Dictionary<int, string> ParseLabelXml(byte[] content)
    {
        var names = new Dictionary<int, string>();
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(content, writable: false), settings);
            // ReadElementContentAsString already advances past the element, so only other nodes call Read().
            while (!reader.EOF)
            {
                if (reader.NodeType != XmlNodeType.Element || reader.Name != "Label")
                {
                    reader.Read();
                    continue;
                }

                var keyText = reader.GetAttribute("Key");
                if (!int.TryParse(keyText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int key))
                {
                    throw new ImageFormatException($"label table: Label Key \"{keyText}\" is not an integer");
                }

                names[key] = reader.ReadElementContentAsString();
            }
        }
        catch (XmlException e)
        {
            throw new ImageFormatException($"label table is not well-formed XML: {e.Message}", e);
        }

        return names;
    }
}
