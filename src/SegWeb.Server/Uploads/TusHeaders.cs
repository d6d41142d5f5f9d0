using System.Globalization;
using System.Text;

namespace SegWeb.Server.Uploads;

/// <summary>The tus 1.0.0 header names and the Upload-Metadata format ("key base64value" pairs separated by commas).</summary>
internal static class TusHeaders
{
    public const string Version = "1.0.0";
    public const string Resumable = "Tus-Resumable";
    public const string TusVersion = "Tus-Version";
    public const string Extension = "Tus-Extension";
    public const string MaxSize = "Tus-Max-Size";
    public const string UploadLength = "Upload-Length";
    public const string UploadDeferLength = "Upload-Defer-Length";
    public const string UploadOffset = "Upload-Offset";
    public const string UploadMetadata = "Upload-Metadata";
    public const string OffsetContentType = "application/offset+octet-stream";

    /// <summary>The extensions this server implements.</summary>
    public const string Extensions = "creation,termination";

    /// <summary>A non-negative integer header, or null when missing or malformed.</summary>
    public static long? ReadLength(HttpRequest request, string name)
    {
        string? value = request.Headers[name];
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : null;
    }

    /// <summary>Parses Upload-Metadata; null when malformed (a key without valid base64).</summary>
    public static Dictionary<string, string>? ParseMetadata(string? header)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header))
        {
            return result;
        }

        foreach (var pair in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is < 1 or > 2 || parts[0].Length == 0)
            {
                return null;
            }

            string value = "";
            if (parts.Length == 2)
            {
                try
                {
                    value = Encoding.UTF8.GetString(Convert.FromBase64String(parts[1]));
                }
                catch (FormatException)
                {
                    return null;
                }
            }

            result[parts[0]] = value;
        }

        return result;
    }
}
