namespace SegWeb.Imaging.Tests.ResamplingTests;

/// <summary>Python shared by the test scripts that reimplement nnU-Net's resampling (numpy imported as np).</summary>
internal static class NnUNetPythonReference
{
    /// <summary>nnU-Net v2's get_do_separate_z/get_lowres_axis decision: the separate axis, or None (also for ties).</summary>
    public const string Decide =
        """

        def decide(cur, new, thr=3):
            cur, new = np.array(cur), np.array(new)
            lowres = lambda sp: np.where(max(sp) / sp == 1)[0]
            if cur.max() / cur.min() > thr:
                axis = lowres(cur)
            elif new.max() / new.min() > thr:
                axis = lowres(new)
            else:
                return None
            return int(axis[0]) if len(axis) == 1 else None

        """;
}
