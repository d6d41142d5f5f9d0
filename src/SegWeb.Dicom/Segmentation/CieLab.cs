namespace SegWeb.Dicom.Segmentation;

/// <summary>
/// sRGB → CIELab (D65) → the unsigned 16-bit triple of RecommendedDisplayCIELabValue (PS3.3 C.10.7.1.1: L* 0..100
/// and a*, b* −128..127 scaled linearly onto 0..65535).
/// </summary>
public static class CieLab
{
    // D65 reference white (CIE 1931 2°), the white point of sRGB.
    private const double Xn = 0.95047, Yn = 1.0, Zn = 1.08883;

    /// <summary>CIELab (L*, a*, b*) of an sRGB colour given as 0–255 components.</summary>
    public static (double L, double A, double B) FromSrgb(byte r, byte g, byte b)
    {
        double rl = Linear(r), gl = Linear(g), bl = Linear(b);

        // IEC 61966-2-1 sRGB → XYZ matrix.
        double x = (0.4124564 * rl) + (0.3575761 * gl) + (0.1804375 * bl);
        double y = (0.2126729 * rl) + (0.7151522 * gl) + (0.0721750 * bl);
        double z = (0.0193339 * rl) + (0.1191920 * gl) + (0.9503041 * bl);
        double fx = F(x / Xn), fy = F(y / Yn), fz = F(z / Zn);
        return ((116 * fy) - 16, 500 * (fx - fy), 200 * (fy - fz));
    }

    /// <summary>The DICOM-scaled triple for an sRGB colour.</summary>
    public static (ushort L, ushort A, ushort B) ToDicom(byte r, byte g, byte b)
    {
        var (l, a, bb) = FromSrgb(r, g, b);
        return (Scale(l / 100), Scale((a + 128) / 255), Scale((bb + 128) / 255));
    }

    /// <summary>Back from the DICOM triple to L*, a*, b* (for reading segment colours).</summary>
    public static (double L, double A, double B) FromDicom(ushort l, ushort a, ushort b) =>
        (l * 100.0 / 65535, (a * 255.0 / 65535) - 128, (b * 255.0 / 65535) - 128);

    private static ushort Scale(double unit) => (ushort)Math.Round(Math.Clamp(unit, 0, 1) * 65535);

    private static double Linear(byte c)
    {
        double v = c / 255.0;
        return v <= 0.04045 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4);
    }

    private static double F(double t) => t > 216.0 / 24389 ? Math.Cbrt(t) : ((24389.0 / 27 * t) + 16) / 116;
}
