using System.Collections.Frozen;

namespace SegWeb.Dicom.Deidentification;

/// <summary>
/// The Basic Application Level Confidentiality Profile of DICOM PS3.15 Annex E (Table E.1-1, "Basic Profile" column)
/// for the attributes SegWeb meets: the identity, date/time, institution, physician and UID attributes of CT/MR
/// images and SEG objects, as listed in the standard.
/// <para>
/// Combined codes leave a choice to the de-identifier depending on whether the IOD needs the attribute. SegWeb takes
/// the most conservative choice that the code allows, the first letter: X/Z, X/D, X/Z/D and X/Z/U* remove; Z/D
/// empties. C (clean) is treated as X, since SegWeb cannot judge free text. The CT, MR and SEG IODs SegWeb writes need
/// none of the removed attributes (they are Type 3 there); the dciodvfy check in the tests guards that.
/// </para>
/// </summary>
public static class BasicProfile
{
    /// <summary>The attributes with their Table E.1-1 code, e.g. "X/Z/D".</summary>
    public static FrozenDictionary<DicomTag, string> Codes { get; } = new Dictionary<DicomTag, string>
    {
        [T(0x0008, 0x0012)] = "X/D", // Instance Creation Date
        [T(0x0008, 0x0013)] = "X/Z/D", // Instance Creation Time
        [T(0x0008, 0x0014)] = "U", // Instance Creator UID
        [T(0x0008, 0x0015)] = "X", // Instance Coercion DateTime
        [T(0x0008, 0x0018)] = "U", // SOP Instance UID
        [T(0x0008, 0x0020)] = "Z", // Study Date
        [T(0x0008, 0x0021)] = "X/D", // Series Date
        [T(0x0008, 0x0022)] = "X/Z", // Acquisition Date
        [T(0x0008, 0x0023)] = "Z/D", // Content Date
        [T(0x0008, 0x0024)] = "X", // Overlay Date
        [T(0x0008, 0x0025)] = "X", // Curve Date
        [T(0x0008, 0x002A)] = "X/Z/D", // Acquisition DateTime
        [T(0x0008, 0x0030)] = "Z", // Study Time
        [T(0x0008, 0x0031)] = "X/D", // Series Time
        [T(0x0008, 0x0032)] = "X/Z", // Acquisition Time
        [T(0x0008, 0x0033)] = "Z/D", // Content Time
        [T(0x0008, 0x0034)] = "X", // Overlay Time
        [T(0x0008, 0x0035)] = "X", // Curve Time
        [T(0x0008, 0x0050)] = "Z", // Accession Number
        [T(0x0008, 0x0051)] = "X", // Issuer of Accession Number Sequence
        [T(0x0008, 0x0058)] = "U", // Failed SOP Instance UID List
        [T(0x0008, 0x0080)] = "X/Z/D", // Institution Name
        [T(0x0008, 0x0081)] = "X", // Institution Address
        [T(0x0008, 0x0082)] = "X/Z/D", // Institution Code Sequence
        [T(0x0008, 0x0090)] = "Z", // Referring Physician's Name
        [T(0x0008, 0x0092)] = "X", // Referring Physician's Address
        [T(0x0008, 0x0094)] = "X", // Referring Physician's Telephone Numbers
        [T(0x0008, 0x0096)] = "X", // Referring Physician Identification Sequence
        [T(0x0008, 0x009C)] = "Z", // Consulting Physician's Name
        [T(0x0008, 0x009D)] = "X", // Consulting Physician Identification Sequence
        [T(0x0008, 0x0201)] = "X", // Timezone Offset From UTC
        [T(0x0008, 0x1010)] = "X/Z/D", // Station Name
        [T(0x0008, 0x1030)] = "X", // Study Description
        [T(0x0008, 0x103E)] = "X", // Series Description
        [T(0x0008, 0x1040)] = "X", // Institutional Department Name
        [T(0x0008, 0x1048)] = "X", // Physician(s) of Record
        [T(0x0008, 0x1049)] = "X", // Physician(s) of Record Identification Sequence
        [T(0x0008, 0x1050)] = "X", // Performing Physician's Name
        [T(0x0008, 0x1052)] = "X", // Performing Physician Identification Sequence
        [T(0x0008, 0x1060)] = "X", // Name of Physician(s) Reading Study
        [T(0x0008, 0x1062)] = "X", // Physician(s) Reading Study Identification Sequence
        [T(0x0008, 0x1070)] = "X/Z/D", // Operators' Name
        [T(0x0008, 0x1072)] = "X/D", // Operator Identification Sequence
        [T(0x0008, 0x1080)] = "X", // Admitting Diagnoses Description
        [T(0x0008, 0x1084)] = "X", // Admitting Diagnoses Code Sequence
        [T(0x0008, 0x1110)] = "X/Z", // Referenced Study Sequence
        [T(0x0008, 0x1111)] = "X/Z/D", // Referenced Performed Procedure Step Sequence
        [T(0x0008, 0x1120)] = "X", // Referenced Patient Sequence
        [T(0x0008, 0x1140)] = "X/Z/U*", // Referenced Image Sequence
        [T(0x0008, 0x1155)] = "U", // Referenced SOP Instance UID
        [T(0x0008, 0x1195)] = "U", // Transaction UID
        [T(0x0008, 0x2111)] = "X", // Derivation Description
        [T(0x0008, 0x2112)] = "X/Z/U*", // Source Image Sequence
        [T(0x0008, 0x4000)] = "X", // Identifying Comments
        [T(0x0010, 0x0010)] = "Z", // Patient's Name
        [T(0x0010, 0x0020)] = "Z", // Patient ID
        [T(0x0010, 0x0021)] = "X", // Issuer of Patient ID
        [T(0x0010, 0x0030)] = "Z", // Patient's Birth Date
        [T(0x0010, 0x0032)] = "X", // Patient's Birth Time
        [T(0x0010, 0x0040)] = "Z", // Patient's Sex
        [T(0x0010, 0x0050)] = "X", // Patient's Insurance Plan Code Sequence
        [T(0x0010, 0x0101)] = "X", // Patient's Primary Language Code Sequence
        [T(0x0010, 0x0102)] = "X", // Patient's Primary Language Modifier Code Sequence
        [T(0x0010, 0x1000)] = "X", // Other Patient IDs
        [T(0x0010, 0x1001)] = "X", // Other Patient Names
        [T(0x0010, 0x1002)] = "X", // Other Patient IDs Sequence
        [T(0x0010, 0x1005)] = "X", // Patient's Birth Name
        [T(0x0010, 0x1010)] = "X", // Patient's Age
        [T(0x0010, 0x1020)] = "X", // Patient's Size
        [T(0x0010, 0x1030)] = "X", // Patient's Weight
        [T(0x0010, 0x1040)] = "X", // Patient's Address
        [T(0x0010, 0x1050)] = "X", // Insurance Plan Identification
        [T(0x0010, 0x1060)] = "X", // Patient's Mother's Birth Name
        [T(0x0010, 0x1080)] = "X", // Military Rank
        [T(0x0010, 0x1081)] = "X", // Branch of Service
        [T(0x0010, 0x1090)] = "X", // Medical Record Locator
        [T(0x0010, 0x2000)] = "X", // Medical Alerts
        [T(0x0010, 0x2110)] = "X", // Allergies
        [T(0x0010, 0x2150)] = "X", // Country of Residence
        [T(0x0010, 0x2152)] = "X", // Region of Residence
        [T(0x0010, 0x2154)] = "X", // Patient's Telephone Numbers
        [T(0x0010, 0x2160)] = "X", // Ethnic Group
        [T(0x0010, 0x2180)] = "X", // Occupation
        [T(0x0010, 0x21A0)] = "X", // Smoking Status
        [T(0x0010, 0x21B0)] = "X", // Additional Patient History
        [T(0x0010, 0x21C0)] = "X", // Pregnancy Status
        [T(0x0010, 0x21D0)] = "X", // Last Menstrual Date
        [T(0x0010, 0x21F0)] = "X", // Patient's Religious Preference
        [T(0x0010, 0x2203)] = "X/Z", // Patient's Sex Neutered
        [T(0x0010, 0x4000)] = "X", // Patient Comments
        [T(0x0018, 0x0010)] = "Z/D", // Contrast/Bolus Agent
        [T(0x0018, 0x1000)] = "X/Z/D", // Device Serial Number
        [T(0x0018, 0x1002)] = "U", // Device UID
        [T(0x0018, 0x1004)] = "X", // Plate ID
        [T(0x0018, 0x1005)] = "X", // Generator ID
        [T(0x0018, 0x1007)] = "X", // Cassette ID
        [T(0x0018, 0x1008)] = "X", // Gantry ID
        [T(0x0018, 0x1030)] = "X/D", // Protocol Name
        [T(0x0018, 0x1400)] = "X/D", // Acquisition Device Processing Description
        [T(0x0018, 0x4000)] = "X", // Acquisition Comments
        [T(0x0018, 0x700A)] = "X/D", // Detector ID
        [T(0x0018, 0x9424)] = "X", // Acquisition Protocol Description
        [T(0x0020, 0x000D)] = "U", // Study Instance UID
        [T(0x0020, 0x000E)] = "U", // Series Instance UID
        [T(0x0020, 0x0010)] = "Z", // Study ID
        [T(0x0020, 0x0052)] = "U", // Frame of Reference UID
        [T(0x0020, 0x0200)] = "U", // Synchronization Frame of Reference UID
        [T(0x0020, 0x4000)] = "X", // Image Comments
        [T(0x0020, 0x9158)] = "X", // Frame Comments
        [T(0x0020, 0x9161)] = "U", // Concatenation UID
        [T(0x0020, 0x9164)] = "U", // Dimension Organization UID
        [T(0x0028, 0x1199)] = "U", // Palette Color Lookup Table UID
        [T(0x0028, 0x4000)] = "X", // Image Presentation Comments
        [T(0x0032, 0x0012)] = "X", // Study ID Issuer
        [T(0x0032, 0x1020)] = "X", // Scheduled Study Location
        [T(0x0032, 0x1021)] = "X", // Scheduled Study Location AE Title
        [T(0x0032, 0x1030)] = "X", // Reason for Study
        [T(0x0032, 0x1032)] = "X", // Requesting Physician
        [T(0x0032, 0x1033)] = "X", // Requesting Service
        [T(0x0032, 0x1060)] = "X/Z", // Requested Procedure Description
        [T(0x0032, 0x1070)] = "X", // Requested Contrast Agent
        [T(0x0032, 0x4000)] = "X", // Study Comments
        [T(0x0038, 0x0010)] = "X", // Admission ID
        [T(0x0038, 0x0011)] = "X", // Issuer of Admission ID
        [T(0x0038, 0x0300)] = "X", // Current Patient Location
        [T(0x0038, 0x0400)] = "X", // Patient's Institution Residence
        [T(0x0038, 0x0500)] = "X", // Patient State
        [T(0x0040, 0x0241)] = "X", // Performed Station AE Title
        [T(0x0040, 0x0242)] = "X", // Performed Station Name
        [T(0x0040, 0x0243)] = "X", // Performed Location
        [T(0x0040, 0x0244)] = "X", // Performed Procedure Step Start Date
        [T(0x0040, 0x0245)] = "X", // Performed Procedure Step Start Time
        [T(0x0040, 0x0250)] = "X", // Performed Procedure Step End Date
        [T(0x0040, 0x0251)] = "X", // Performed Procedure Step End Time
        [T(0x0040, 0x0253)] = "X", // Performed Procedure Step ID
        [T(0x0040, 0x0254)] = "X", // Performed Procedure Step Description
        [T(0x0040, 0x0275)] = "X", // Request Attributes Sequence
        [T(0x0040, 0x0280)] = "X", // Comments on the Performed Procedure Step
        [T(0x0040, 0x0555)] = "X", // Acquisition Context Sequence
        [T(0x0040, 0x1001)] = "X", // Requested Procedure ID
        [T(0x0040, 0x1004)] = "X", // Patient Transport Arrangements
        [T(0x0040, 0x1005)] = "X", // Requested Procedure Location
        [T(0x0040, 0x1010)] = "X", // Names of Intended Recipients of Results
        [T(0x0040, 0x1400)] = "X", // Requested Procedure Comments
        [T(0x0040, 0x2016)] = "Z", // Placer Order Number / Imaging Service Request
        [T(0x0040, 0x2017)] = "Z", // Filler Order Number / Imaging Service Request
        [T(0x0040, 0x2400)] = "X", // Imaging Service Request Comments
        [T(0x0040, 0xA073)] = "D", // Verifying Observer Sequence
        [T(0x0040, 0xA075)] = "D", // Verifying Observer Name
        [T(0x0040, 0xA088)] = "Z", // Verifying Observer Identification Code Sequence
        [T(0x0040, 0xA123)] = "D", // Person Name
        [T(0x0040, 0xA124)] = "U", // UID
        [T(0x0040, 0xA730)] = "X", // Content Sequence
        [T(0x0070, 0x0084)] = "Z/D", // Content Creator's Name
        [T(0x0070, 0x0086)] = "X", // Content Creator's Identification Code Sequence
        [T(0x0088, 0x0140)] = "U", // Storage Media File-set UID
        [T(0x3006, 0x0024)] = "U", // Referenced Frame of Reference UID
        [T(0x3006, 0x00C2)] = "U", // Related Frame of Reference UID
        [T(0x0400, 0x0561)] = "X", // Original Attributes Sequence
        [T(0x4000, 0x0010)] = "X", // Arbitrary
        [T(0x4000, 0x4000)] = "X", // Text Comments
        [T(0xFFFA, 0xFFFA)] = "X", // Digital Signatures Sequence
        [T(0xFFFC, 0xFFFC)] = "X", // Data Set Trailing Padding
    }.ToFrozenDictionary();

    /// <summary>The action SegWeb applies for a Table E.1-1 code: the first (most conservative) choice; C as X.</summary>
    public static DeidentificationAction ActionFor(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return code[0] switch
        {
            'X' or 'C' => DeidentificationAction.Remove,
            'Z' => DeidentificationAction.ZeroLength,
            'D' => DeidentificationAction.Dummy,
            'U' => DeidentificationAction.RemapUid,
            'K' => DeidentificationAction.Keep,
            _ => throw new ArgumentException($"not a Table E.1-1 action code: '{code}'", nameof(code)),
        };
    }

    /// <summary>
    /// The action for any tag: the table's; X for private attributes, curve data (50xx) and overlay data and
    /// comments (60xx,3000 / 60xx,4000) as the profile requires; K for everything else.
    /// </summary>
    public static DeidentificationAction ActionFor(DicomTag tag)
    {
        if (Codes.TryGetValue(tag, out var code))
        {
            return ActionFor(code);
        }

        bool overlay = (tag.Group & 0xFF00) == 0x6000 && tag.Element is 0x3000 or 0x4000;
        bool curve = (tag.Group & 0xFF00) == 0x5000;
        return tag.IsPrivate || overlay || curve ? DeidentificationAction.Remove : DeidentificationAction.Keep;
    }

    private static DicomTag T(ushort group, ushort element) => new(group, element);
}
