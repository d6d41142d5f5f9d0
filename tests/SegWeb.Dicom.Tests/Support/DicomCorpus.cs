namespace SegWeb.Dicom.Tests.Support;

/// <summary>Where the real DICOM test files live: the shared data and Debian's python3-pydicom test corpus.</summary>
internal static class DicomCorpus
{
    private static readonly Lazy<string?> PydicomFolder = new(FindPydicomTestFiles);

    /// <summary>pydicom's data/test_files folder (skips the test with the reason when python3-pydicom is absent).</summary>
    public static string RequirePydicomTestFiles()
    {
        ReferencePython.Require("pydicom");
        var folder = PydicomFolder.Value;
        Skip.If(folder is null || !Directory.Exists(folder), "pydicom's test_files folder not found (apt-get install python3-pydicom)");
        return folder!;
    }

    /// <summary>Every *.dcm file of pydicom's test corpus, sorted.</summary>
    public static string[] PydicomFiles() =>
        Directory.GetFiles(RequirePydicomTestFiles(), "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Every DICOM file (not the .nrrd/.json/licence files beside them) of the shared data's dicom folder and example series.</summary>
    public static string[] SharedDicomFiles()
    {
        string[] roots = [TestData.Require("dicom"), TestData.Require("totalsegmentator/example_ct_dicom")];
        return roots.SelectMany(r => Directory.GetFiles(r, "*", SearchOption.AllDirectories))
            .Where(f => Path.GetExtension(f) is ".dcm" or "" && !Path.GetFileName(f).StartsWith("LICENSE", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("README", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();
    }

    private static string? FindPydicomTestFiles()
    {
        var dir = ReferencePython.Run("import pydicom.data, os\nprint(os.path.join(os.path.dirname(pydicom.data.__file__), 'test_files'))").Trim();
        return dir.Length > 0 ? dir : null;
    }
}
