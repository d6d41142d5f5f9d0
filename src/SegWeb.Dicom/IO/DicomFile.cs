namespace SegWeb.Dicom;

/// <summary>A parsed DICOM file: file meta information (group 0002, possibly empty), the dataset and its transfer syntax.</summary>
public sealed class DicomFile
{
    internal DicomFile(string sourceName, DicomDataset meta, DicomDataset dataset, DicomTransferSyntax syntax, bool pixelDataSkipped)
    {
        SourceName = sourceName;
        FileMetaInformation = meta;
        Dataset = dataset;
        TransferSyntax = syntax;
        PixelDataSkipped = pixelDataSkipped;
    }

    /// <summary>The file path, or "archive.zip!entry", used in every message about this file.</summary>
    public string SourceName { get; }

    /// <summary>Group 0002 (empty for a file without a Part 10 header).</summary>
    public DicomDataset FileMetaInformation { get; }

    public DicomDataset Dataset { get; }

    public DicomTransferSyntax TransferSyntax { get; }

    /// <summary>True when the file was read header-only and it has pixel data that was not loaded.</summary>
    public bool PixelDataSkipped { get; }

    /// <summary>
    /// For a header-only read that stopped at PixelData: the bytes from there to the end of the file, an upper bound
    /// on the pixel payload that lets a loader refuse absurd image sizes before allocating anything.
    /// </summary>
    internal long PixelDataBytesInFile { get; init; }

    /// <summary>For a header-only read of an undeflated stream: where the top-level PixelData element starts, else −1.</summary>
    internal long PixelDataOffset { get; init; } = -1;

    /// <summary>The file on disk it was read from, if any (GDCM decodes from a file).</summary>
    public string? SourcePath { get; internal set; }

    /// <summary>The bytes it was read from when they came from memory (a zip entry), for GDCM.</summary>
    internal byte[]? SourceBytes { get; set; }

    /// <summary>Reads a file from disk.</summary>
    /// <exception cref="DicomFormatException">The file is not DICOM, is truncated or corrupt.</exception>
    public static DicomFile Open(string path, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, (options?.StopAtPixelData ?? false) ? 8192 : 65536, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DicomFormatException(path, $"cannot open: {e.Message}", e);
        }

        using (stream)
        {
            var file = new DicomParser(stream, path, options ?? DicomReadOptions.Default).ReadFile();
            file.SourcePath = Path.GetFullPath(path);
            return file;
        }
    }

    /// <summary>Reads a file held in memory (e.g. a zip entry); <paramref name="sourceName"/> names it in messages.</summary>
    public static DicomFile Read(byte[] bytes, string sourceName, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(sourceName);
        using var stream = new MemoryStream(bytes, writable: false);
        var file = new DicomParser(stream, sourceName, options ?? DicomReadOptions.Default).ReadFile();
        file.SourceBytes = bytes;
        return file;
    }
}
