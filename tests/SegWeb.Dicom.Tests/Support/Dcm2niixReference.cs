using System.Text.Json;
using SegWeb.Imaging.Geometry;

namespace SegWeb.Dicom.Tests.Support;

/// <summary>
/// dcm2niix's conversion of the shared DICOM series, read back with nibabel: one batched Python run converts every
/// case (into a temp folder kept for the test run) and writes each NIfTI's data (float64, Fortran order (X,Y,Z))
/// and affine.
/// </summary>
internal static class Dcm2niixReference
{
    /// <summary>Test series: name → path under the shared data (a folder, or a single file).</summary>
    public static readonly IReadOnlyDictionary<string, string> Cases = new Dictionary<string, string>
    {
        ["ct-3slice"] = "dicom/dcmqi/ct-3slice",
        ["CT2"] = "dicom/pydicom/CT2",
        ["CT_small"] = "dicom/pydicom/CT_small.dcm",
        ["highdicom_ct"] = "dicom/highdicom/ct_image.dcm",
        ["693_UNCI"] = "dicom/pydicom/693_UNCI.dcm",
        ["693_UNCR"] = "dicom/pydicom/693_UNCR.dcm",
        ["693_J2KR"] = "dicom/pydicom/693_J2KR.dcm",
        ["eCT_Supplemental"] = "dicom/pydicom/eCT_Supplemental.dcm",
        ["GE_tilt"] = "dicom/dcm_qa_ct/GE",
        ["example_ct_dicom"] = "totalsegmentator/example_ct_dicom",
    };

    private const string Script = """
        import sys, os, json, shutil, subprocess, glob
        import numpy as np, nibabel as nib
        out = sys.argv[1]
        args = sys.argv[2:]
        for name, path in zip(args[0::2], args[1::2]):
            src = path
            if os.path.isfile(path):
                src = os.path.join(out, name + '_in')
                os.makedirs(src, exist_ok=True)
                shutil.copy(path, src)
            dst = os.path.join(out, name)
            os.makedirs(dst, exist_ok=True)
            subprocess.run(['dcm2niix', '-z', 'n', '-f', 'ref', '-o', dst, src], check=True, capture_output=True)
            result = {}
            for nii in sorted(glob.glob(os.path.join(dst, '*.nii'))):
                img = nib.load(nii)
                data = np.asanyarray(img.dataobj).astype(np.float64)
                if data.ndim == 4 and data.shape[3] == 1:
                    data = data[..., 0]
                if data.ndim == 2:
                    data = data[..., None]
                key = os.path.basename(nii)[:-4]
                np.save(os.path.join(dst, key + '.npy'), np.asfortranarray(data))
                result[key] = {'affine': img.affine.ravel().tolist(), 'shape': list(data.shape)}
            print(name + '\t' + json.dumps(result))
        """;

    private static readonly Lock Gate = new();
    private static Dictionary<string, Dictionary<string, Output>>? _outputs;
    private static TempDirectory? _folder;

    public sealed record Output(string NpyPath, Affine Affine, int[] Shape);

    /// <summary>dcm2niix's outputs for a case (file stem → data and affine); skips when the tools are absent.</summary>
    public static IReadOnlyDictionary<string, Output> For(string name)
    {
        ReferencePython.Require("nibabel", "numpy");
        Skip.IfNot(File.Exists("/usr/bin/dcm2niix"), "dcm2niix is not installed (apt-get install dcm2niix)");
        foreach (var c in Cases.Values)
        {
            TestData.Require(c);
        }

        lock (Gate)
        {
            if (_outputs is null)
            {
                _folder = new TempDirectory("dcm2niix");
                var args = Cases.SelectMany(c => new[] { c.Key, Path.Combine(TestData.Root, c.Value) }).ToArray();
                var lines = ReferencePython.Run(Script, [_folder.Path, .. args]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                _outputs = [];
                foreach (var line in lines)
                {
                    var parts = line.Split('\t', 2);
                    var outputs = new Dictionary<string, Output>(StringComparer.Ordinal);
                    using var doc = JsonDocument.Parse(parts[1]);
                    foreach (var p in doc.RootElement.EnumerateObject())
                    {
                        var affine = p.Value.GetProperty("affine").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                        var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                        outputs[p.Name] = new Output(Path.Combine(_folder.Path, parts[0], p.Name + ".npy"), new Affine(affine), shape);
                    }

                    _outputs[parts[0]] = outputs;
                }
            }

            return _outputs[name];
        }
    }
}
