using System.Security.Cryptography;
using System.Text.Json;
using SegWeb.Imaging.Compression;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Tests.Nifti;

/// <summary>What nibabel says about one NIfTI file (see <see cref="NibabelReference.DumpScript"/>).</summary>
public sealed record NibabelCase(
    string Path, int Version, string Dtype, int[] Shape, double[][] Affine, int QformCode, int SformCode,
    double Slope, double Inter, string Descrip, int XyztUnits, JsonElement[][] Extensions, string Sha256, bool BigEndian)
{
    public IEnumerable<(int Code, byte[] Content)> ExtensionList =>
        Extensions.Select(e => (e[0].GetInt32(), Convert.FromHexString(e[1].GetString()!)));
}

/// <summary>
/// Runs Debian's nibabel as the independent reference: one script makes the synthetic cases (every
/// geometry/datatype/version/compression/byte-order combination), one dumps what nibabel reads from any
/// list of files. Each is a single Python start for the whole batch.
/// </summary>
public static class NibabelReference
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Makes the synthetic cases in <paramref name="dir"/> and dumps them (and <paramref name="extraFiles"/>) with arrays.</summary>
    public static List<NibabelCase> Generate(string dir, params string[] extraFiles)
    {
        ReferencePython.Require("nibabel", "numpy");
        ReferencePython.Run(GenerateScript + "\n" + DumpScript + "\ndump(cases, out, True)\n", [dir, .. extraFiles]);
        return Load(dir);
    }

    /// <summary>Dumps what nibabel reads from <paramref name="files"/> into <paramref name="dir"/>/cases.json (no arrays, just hashes).</summary>
    public static List<NibabelCase> Dump(string dir, IEnumerable<string> files)
    {
        ReferencePython.Require("nibabel", "numpy");
        ReferencePython.Run(DumpScript + "\ndump(sys.argv[2:], sys.argv[1], False)\n", [dir, .. files]);
        return Load(dir);
    }

    /// <summary>SHA-256 of a volume's stored voxels, little-endian, X fastest (what the dump script hashes).</summary>
    public static string Sha256Of(Volume volume)
    {
        long bytes = volume.Shape.VoxelCount * volume.VoxelType.SizeInBytes();
        return Convert.ToHexStringLower(SHA256.HashData(ParallelGzipWriter.BytesOf(volume.RawData, 0, (int)bytes)));
    }

    private static List<NibabelCase> Load(string dir) =>
        JsonSerializer.Deserialize<List<NibabelCase>>(File.ReadAllText(System.IO.Path.Combine(dir, "cases.json")), Json)!;

    public const string GenerateScript = """
import sys, os, json, gzip, hashlib
import numpy as np
import nibabel as nib

out = sys.argv[1]
rng = np.random.default_rng(1234)
DTYPES = ['u1', 'i1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'f4', 'f8']

def rot(ax, ang):
    c, s = np.cos(ang), np.sin(ang)
    m = np.eye(3)
    i, j = [(1, 2), (0, 2), (0, 1)][ax]
    m[i, i] = c; m[j, j] = c; m[i, j] = -s; m[j, i] = s
    return m

def aff(R, zooms, origin):
    a = np.eye(4); a[:3, :3] = R @ np.diag(zooms); a[:3, 3] = origin; return a

RAS = aff(np.eye(3), [1.5, 0.8, 3.0], [-90.5, 12.25, -40.0])
LPS = aff(np.diag([-1.0, -1.0, 1.0]), [0.7, 0.7, 2.5], [120.0, 140.0, -300.0])
OBL = aff(rot(0, 0.3) @ rot(2, -0.7), [0.9, 1.1, 2.2], [10.0, -20.0, 30.0])
FLIP = aff(rot(1, 0.2), [1.2, 1.0, -3.0], [5.0, 6.0, 7.0])          # det < 0: qfac = -1
SHEAR = np.array([[1.0, 0.3, 0.0, 1.0], [0.0, 2.0, 0.1, 2.0], [0.2, 0.0, 3.0, 3.0], [0, 0, 0, 1]])
GEOMS = [
    ('ras_sform_only', None, 0, RAS, 1, (7, 6, 5), None),
    ('lps_both_agree', LPS, 1, LPS, 1, (9, 4, 3), None),
    ('oblique_qform_only', OBL, 1, None, 0, (5, 8, 6), None),
    ('both_disagree', OBL, 1, RAS, 2, (6, 5, 4), None),
    ('neither', None, 0, None, 0, (5, 6, 7), [2.0, 3.0, 4.0]),
    ('flipped_qfac', FLIP, 1, None, 0, (4, 5, 6), None),
    ('sheared_sform', FLIP, 1, SHEAR, 2, (3, 5, 7), None),
    ('one_voxel_thick', LPS, 2, None, 0, (11, 13, 1), None),
    ('odd_sizes', None, 0, OBL, 4, (17, 1, 9), None),
    ('bad_qfac_zero', OBL, 1, None, 0, (3, 4, 5), 'qfac0'),
    ('negative_pixdim_base', None, 0, None, 0, (4, 3, 2), [-2.0, 0.0, 5.0]),
    ('dim4_is_one', RAS, 1, RAS, 1, (4, 5, 6, 1), None),
]

def make_data(dt, shape):
    d = np.dtype(dt)
    if d.kind == 'f':
        return (rng.standard_normal(shape) * 1000).astype(d)
    info = np.iinfo(d)
    lo, hi = max(info.min, -2**40), min(info.max, 2**40)
    return rng.integers(lo, hi, size=shape, endpoint=True, dtype=np.int64 if d.kind == 'i' or hi < 2**63 else np.uint64).astype(d)

def write_raw(path, hdr, data):
    # nibabel writes the header and extensions itself; the raw payload goes at vox_offset. This keeps
    # every field (codes, scaling, qfac) exactly as set, which nib.save would normalise.
    hdr.set_data_shape(data.shape)
    off = hdr.single_vox_offset + sum(e.get_sizeondisk() for e in hdr.extensions)
    hdr['vox_offset'] = off
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'wb') as f:
        hdr.write_to(f)
        assert f.tell() == off, (f.tell(), off)
        f.write(np.asarray(data, dtype=hdr.get_data_dtype()).tobytes(order='F'))

cases = []
i = 0
for gname, qa, qc, sa, sc, shape, extra in GEOMS:
    for ver in (1, 2):
        for gz in (False, True):
            dt = DTYPES[i % len(DTYPES)]
            big = (i % 5 == 0)
            name = f'{gname}_v{ver}_{dt}{"_be" if big else ""}'
            H = nib.Nifti1Header if ver == 1 else nib.Nifti2Header
            hdr = H(endianness='>' if big else '<')
            hdr.set_data_dtype(np.dtype(dt))
            hdr.set_data_shape(shape)
            hdr.set_zooms([1.0] * len(shape))
            if qa is not None: hdr.set_qform(qa, qc)
            if sa is not None: hdr.set_sform(sa, sc)
            hdr['qform_code'] = qc; hdr['sform_code'] = sc
            if isinstance(extra, list): hdr['pixdim'][1:4] = extra
            if extra == 'qfac0': hdr['pixdim'][0] = 0
            # scaling on some integer cases; slope 0 / nan (meaning none) on others
            if i % 3 == 0 and dt in ('i2', 'u1', 'i4'): hdr['scl_slope'] = 0.5; hdr['scl_inter'] = -1024
            elif i % 3 == 1 and dt == 'f4': hdr['scl_slope'] = 2.0; hdr['scl_inter'] = 0.25
            elif i % 4 == 2: hdr['scl_slope'] = 0; hdr['scl_inter'] = 7
            else: hdr['scl_slope'] = np.nan; hdr['scl_inter'] = np.nan
            hdr['descrip'] = f'case {name}'.encode()
            hdr['xyzt_units'] = 10
            if i % 4 == 1:
                hdr.extensions.append(nib.nifti1.Nifti1Extension(6, b'a comment of odd length'))
                hdr.extensions.append(nib.nifti1.Nifti1Extension(40, bytes(range(1, 40))))
            data = make_data(dt, shape)
            path = os.path.join(out, name + ('.nii.gz' if gz else '.nii'))
            write_raw(path, hdr, data)
            cases.append(path)
            i += 1

# nib.save paths too: nibabel's own default writer (single-member gzip, its own header choices)
for ver, dt, big in ((1, 'i2', False), (2, 'f4', False), (1, '>i2', True)):
    data = make_data(np.dtype(dt).newbyteorder('=').str, (6, 7, 8)).astype(dt)
    cls = nib.Nifti1Image if ver == 1 else nib.Nifti2Image
    hdr = (nib.Nifti1Header if ver == 1 else nib.Nifti2Header)(endianness='>' if big else '<')
    hdr.set_data_dtype(np.dtype(dt))
    img = cls(data, OBL, header=hdr)
    path = os.path.join(out, f'nibsave_v{ver}_{dt.replace(">", "be")}.nii.gz')
    nib.save(img, path)
    cases.append(path)

cases += sys.argv[2:]
"""; 

    public const string DumpScript = """
import sys, os, json, hashlib
import numpy as np
import nibabel as nib

def dump(paths, out, arrays):
    result = []
    for k, p in enumerate(paths):
        img = nib.load(p)
        h = img.header
        raw = np.asanyarray(img.dataobj.get_unscaled())
        raw = raw.reshape(raw.shape[:3]) if raw.ndim > 3 else raw
        le = raw.astype(raw.dtype.newbyteorder('<'))
        slope, inter = img.dataobj.slope, img.dataobj.inter
        entry = dict(path=p, version=2 if isinstance(h, nib.Nifti2Header) else 1,
                     dtype=le.dtype.str, shape=list(le.shape), affine=img.affine.tolist(),
                     qform_code=int(h['qform_code']), sform_code=int(h['sform_code']),
                     slope=None if slope is None else float(slope), inter=None if inter is None else float(inter),
                     descrip=h['descrip'].item().decode('latin1'), xyzt_units=int(h['xyzt_units']),
                     extensions=[[int(e.get_code()), e.get_content().hex()] for e in h.extensions],
                     sha256=hashlib.sha256(le.tobytes(order='F')).hexdigest(),
                     big_endian=h.endianness == '>')
        if arrays:
            np.save(os.path.join(out, f'{k}_raw.npy'), np.asfortranarray(le))
            np.save(os.path.join(out, f'{k}_scaled.npy'), np.asfortranarray(np.asanyarray(img.dataobj).reshape(le.shape).astype(np.float64)))
        result.append(entry)
    with open(os.path.join(out, 'cases.json'), 'w') as f:
        json.dump(result, f)
""";
}
