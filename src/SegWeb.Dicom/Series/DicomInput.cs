using System.IO.Compression;

namespace SegWeb.Dicom.Series;

/// <summary>
/// Where DICOM files come from: a folder (searched recursively), a zip archive (entries streamed one at a time,
/// nothing extracted to disk) or a list of files. Each is read lazily, one file in memory at a time.
/// </summary>
public sealed class DicomInput
{
    private readonly string? _zipPath;
    private readonly IReadOnlyList<string> _files;
    private IReadOnlyList<KeyValuePair<string, byte[]>>? _memory;

    private DicomInput(string description, string? zipPath, IReadOnlyList<string> files, DicomArchiveLimits limits)
    {
        Description = description;
        _zipPath = zipPath;
        _files = files;
        Limits = limits;
    }

    /// <summary>True when every object is a file on disk (not a zip entry or memory), so it can be re-read by offset.</summary>
    internal bool IsFileSystem => _zipPath is null && _memory is null;

    /// <summary>What the input is, for messages.</summary>
    public string Description { get; }

    public DicomArchiveLimits Limits { get; }

    /// <summary>A folder (recursive), a .zip archive, or one file.</summary>
    /// <exception cref="DicomFormatException">The path does not exist.</exception>
    public static DicomInput FromPath(string path, DicomArchiveLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        limits ??= DicomArchiveLimits.Default;
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden })
                .Order(StringComparer.Ordinal).ToList();
            return new DicomInput(path, null, files, limits);
        }

        if (!File.Exists(path))
        {
            throw new DicomFormatException(path, "no such file or folder");
        }

        return IsZip(path) ? new DicomInput(path, path, [], limits) : new DicomInput(path, null, [path], limits);
    }

    /// <summary>An explicit list of files.</summary>
    public static DicomInput FromFiles(IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var list = files.ToList();
        return new DicomInput($"{list.Count} files", null, list, DicomArchiveLimits.Default);
    }

    /// <summary>Objects already in memory (an upload, a test), each with the name used in messages.</summary>
    public static DicomInput FromMemory(IEnumerable<KeyValuePair<string, byte[]>> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var list = files.ToList();
        return new DicomInput($"{list.Count} objects in memory", null, [], DicomArchiveLimits.Default) { _memory = list };
    }

    /// <summary>
    /// Parses every file (or the ones <paramref name="wanted"/> names), one at a time. Files that are not DICOM
    /// or fail to parse go to <paramref name="skipped"/> with the reason; archive-level problems (unsafe entry
    /// names, a bomb) throw <see cref="DicomFormatException"/>.
    /// </summary>
    internal IEnumerable<DicomFile> Read(DicomReadOptions options, ICollection<DicomSkippedFile> skipped, Func<string, bool>? wanted = null)
    {
        if (_zipPath is not null)
        {
            foreach (var file in ReadZip(_zipPath, options, skipped, wanted))
            {
                yield return file;
            }

            yield break;
        }

        foreach (var (name, bytes) in _memory ?? [])
        {
            if (wanted is not null && !wanted(name))
            {
                continue;
            }

            DicomFile? file = null;
            try
            {
                file = DicomFile.Read(bytes, name, options);
            }
            catch (DicomFormatException e)
            {
                skipped.Add(new DicomSkippedFile(name, e.Problem ?? e.Message));
            }

            if (file is not null)
            {
                yield return file;
            }
        }

        foreach (var path in _files)
        {
            if (wanted is not null && !wanted(path))
            {
                continue;
            }

            DicomFile? file = null;
            try
            {
                file = DicomFile.Open(path, options);
            }
            catch (DicomFormatException e)
            {
                skipped.Add(new DicomSkippedFile(path, e.Problem ?? e.Message));
            }

            if (file is not null)
            {
                yield return file;
            }
        }
    }

    private IEnumerable<DicomFile> ReadZip(string zipPath, DicomReadOptions options, ICollection<DicomSkippedFile> skipped, Func<string, bool>? wanted)
    {
        using var archive = OpenArchive(zipPath);
        if (archive.Entries.Count > Limits.MaxEntries)
        {
            throw new DicomFormatException(zipPath, $"the archive lists {archive.Entries.Count} entries, more than the limit of {Limits.MaxEntries}");
        }

        foreach (var entry in archive.Entries)
        {
            CheckEntryName(zipPath, entry.FullName);
        }

        long total = 0;
        foreach (var entry in archive.Entries)
        {
            if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\'))
            {
                continue; // a folder
            }

            string name = $"{zipPath}!{entry.FullName}";
            if (wanted is not null && !wanted(name))
            {
                continue;
            }

            var bytes = ReadEntry(zipPath, entry, ref total);
            DicomFile? file = null;
            try
            {
                file = DicomFile.Read(bytes, name, options);
            }
            catch (DicomFormatException e)
            {
                skipped.Add(new DicomSkippedFile(name, e.Problem ?? e.Message));
            }

            if (file is not null)
            {
                yield return file;
            }
        }
    }

    private static ZipArchive OpenArchive(string zipPath)
    {
        try
        {
            return ZipFile.OpenRead(zipPath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new DicomFormatException(zipPath, $"not a readable zip archive: {e.Message}", e);
        }
    }

    /// <summary>SegWeb never extracts, but an archive naming entries outside itself is hostile or broken: refuse it.</summary>
    private static void CheckEntryName(string zipPath, string name)
    {
        var parts = name.Split('/', '\\');
        if (name.StartsWith('/') || name.StartsWith('\\') || name.Contains(':', StringComparison.Ordinal) || parts.Contains(".."))
        {
            throw new DicomFormatException(zipPath, $"the archive entry '{name}' has an unsafe name (absolute or containing '..')");
        }
    }

    /// <summary>Reads one entry into memory, counting the bytes that really inflate (declared sizes can lie).</summary>
    private byte[] ReadEntry(string zipPath, ZipArchiveEntry entry, ref long total)
    {
        long declared = entry.Length;
        long compressed = Math.Max(1, entry.CompressedLength);
        if (declared > Limits.MaxEntryBytes)
        {
            throw new DicomFormatException(zipPath, $"the archive entry '{entry.FullName}' declares {declared} bytes, more than the limit of {Limits.MaxEntryBytes}");
        }

        if (declared > (1 << 20) && declared / (double)compressed > Limits.MaxCompressionRatio)
        {
            throw new DicomFormatException(zipPath, $"the archive entry '{entry.FullName}' inflates {declared / (double)compressed:0}-fold, beyond the limit of {Limits.MaxCompressionRatio} (a zip bomb?)");
        }

        if (total + declared > Limits.MaxTotalBytes)
        {
            throw new DicomFormatException(zipPath, $"the archive inflates to more than the limit of {Limits.MaxTotalBytes} bytes");
        }

        try
        {
            using var stream = entry.Open();
            var buffer = new byte[declared];
            int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read < declared)
            {
                throw new DicomFormatException(zipPath, $"the archive entry '{entry.FullName}' holds {read} bytes but declares {declared}");
            }

            if (stream.ReadByte() >= 0)
            {
                throw new DicomFormatException(zipPath, $"the archive entry '{entry.FullName}' inflates past its declared {declared} bytes");
            }

            total += declared;
            return buffer;
        }
        catch (InvalidDataException e)
        {
            throw new DicomFormatException(zipPath, $"the archive entry '{entry.FullName}' is corrupt: {e.Message}", e);
        }
    }

    private static bool IsZip(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var s = File.OpenRead(path);
        return s.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("PK\u0003\u0004"u8);
    }
}
