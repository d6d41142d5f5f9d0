using System.Globalization;

namespace SegWeb.Inference.Preview;

/// <summary>An opaque 8-bit RGB colour.</summary>
/// <param name="R">Red, 0–255.</param>
/// <param name="G">Green, 0–255.</param>
/// <param name="B">Blue, 0–255.</param>
public readonly record struct PreviewColor(byte R, byte G, byte B)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"#{R:x2}{G:x2}{B:x2}");
}

/// <summary>
/// Colours per class for the preview: the colour a model package records for the class (TotalSegmentator's
/// DICOM colours, <c>ClassInfo.Color</c>) when it has one, otherwise one derived from the class id alone, so a class
/// keeps its colour across runs, scans and packages.
/// </summary>
public static class PreviewPalette
{
    // The golden angle spreads consecutive ids around the hue circle so neighbours never look alike; cycling the
    // saturation/value over three levels separates ids whose hues come close again after many steps.
    private const double GoldenAngle = 137.50776405003785;
    private static readonly (double S, double V)[] Levels = [(0.85, 0.95), (0.65, 0.80), (0.95, 0.70)];

    /// <summary>The generated colour of class <paramref name="id"/> (1–255): stable, bright, never grey.</summary>
    public static PreviewColor ForId(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(id);
        double hue = (id * GoldenAngle) % 360;
        var (s, v) = Levels[(id / 7) % Levels.Length];
        return FromHsv(hue, s, v);
    }

    /// <summary>
    /// One colour per class: <paramref name="recorded"/>[id] when present and valid (three 0–255 values), else <see cref="ForId"/>.
    /// </summary>
    public static IReadOnlyDictionary<int, PreviewColor> For(IEnumerable<int> classIds, IReadOnlyDictionary<int, int[]?>? recorded = null)
    {
        ArgumentNullException.ThrowIfNull(classIds);
        var colors = new Dictionary<int, PreviewColor>();
        foreach (int id in classIds)
        {
            colors[id] = recorded is not null && recorded.TryGetValue(id, out var rgb) && rgb is { Length: 3 } && rgb.All(c => c is >= 0 and <= 255)
                ? new PreviewColor((byte)rgb[0], (byte)rgb[1], (byte)rgb[2])
                : ForId(id);
        }

        return colors;
    }

    private static PreviewColor FromHsv(double hue, double s, double v)
    {
        double c = v * s;
        double h = hue / 60;
        double x = c * (1 - Math.Abs((h % 2) - 1));
        var (r, g, b) = (int)h switch
        {
            0 => (c, x, 0.0),
            1 => (x, c, 0.0),
            2 => (0.0, c, x),
            3 => (0.0, x, c),
            4 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        double m = v - c;
        return new PreviewColor(ToByte(r + m), ToByte(g + m), ToByte(b + m));
    }

    private static byte ToByte(double unit) => (byte)Math.Clamp(Math.Round(unit * 255), 0, 255);
}
