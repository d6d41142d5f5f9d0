using System.Globalization;
using System.Text;

namespace SegWeb.Imaging.Statistics;

/// <summary>
/// The text Python's <c>json.dump(obj, f, indent=4)</c> writes, for the few value kinds statistics need, so SegWeb's
/// statistics.json is byte-compatible in layout with TotalSegmentator's: floats as <c>repr(float)</c> (shortest
/// round-trip digits, always a ".0" or exponent, exponent from 1e16 and below 1e-4), ASCII-only strings with
/// lower-case <c>\uXXXX</c> escapes, ", " / ": " separators and no trailing newline.
/// </summary>
internal static class PythonJson
{
    /// <summary>Python's <c>repr(float)</c>, and json's NaN / Infinity / -Infinity.</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        bool negative = value < 0 || (value == 0 && double.IsNegative(value));
        if (value == 0)
        {
            return negative ? "-0.0" : "0.0";
        }

        // .NET's "R" gives the shortest round-trip digits too, only laid out differently ("1E-05", "1.5E+16").
        var r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int ePos = r.IndexOf('E', StringComparison.Ordinal);
        int exponent = ePos >= 0 ? int.Parse(r.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        var mantissa = ePos >= 0 ? r[..ePos] : r;
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot >= 0 ? mantissa.Remove(dot, 1) : mantissa;
        int pointAt = (dot >= 0 ? dot : mantissa.Length) + exponent; // value = 0.digits × 10^pointAt, before trimming
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..].TrimEnd('0');
        pointAt -= lead;

        var sb = new StringBuilder(24);
        if (negative)
        {
            sb.Append('-');
        }

        // CPython's float_repr_style 'short': scientific when the decimal point sits 16 places right of the first
        // digit or more than 4 places left of it.
        if (pointAt > 16 || pointAt <= -4)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            int e = pointAt - 1;
            sb.Append('e').Append(e < 0 ? '-' : '+').Append(Math.Abs(e).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (pointAt <= 0)
        {
            sb.Append("0.").Append('0', -pointAt).Append(digits);
        }
        else if (pointAt >= digits.Length)
        {
            sb.Append(digits).Append('0', pointAt - digits.Length).Append(".0");
        }
        else
        {
            sb.Append(digits, 0, pointAt).Append('.').Append(digits, pointAt, digits.Length - pointAt);
        }

        return sb.ToString();
    }

    /// <summary>A Python int.</summary>
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A JSON string as json.dumps with ensure_ascii=True writes it.</summary>
    public static string String(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        // UTF-16 units, so characters beyond the BMP come out as surrogate pairs, as Python writes them.
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
