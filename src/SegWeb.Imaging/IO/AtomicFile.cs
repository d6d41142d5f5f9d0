namespace SegWeb.Imaging.IO;

/// <summary>
/// Writes a file through a temporary file beside it and a rename, so readers never see half a file and a failure
/// leaves nothing behind. The one mechanism every SegWeb writer (NIfTI, DICOM, statistics, CLI outputs) uses.
/// </summary>
/// <remarks>
/// The temporary name is <c>.{guid}.partial.{name}</c>: hidden, and it keeps the final suffix, so a writer that
/// decides by suffix (".nii.gz" → gzip) behaves the same on the temporary path. <see cref="TemporaryPattern"/> finds
/// leftovers.
/// </remarks>
public static class AtomicFile
{
    /// <summary>A <see cref="Directory.GetFiles(string, string)"/> pattern matching temporary files of this class.</summary>
    public const string TemporaryPattern = ".*.partial.*";

    /// <summary>Runs <paramref name="writeTemporary"/> on a temporary path beside <paramref name="path"/>, then renames it into place.</summary>
    /// <remarks>A name of its own, not a Write overload: a lambda such as <c>s =&gt; Write(s, …)</c> must never bind to the
    /// path form by accident (a writer that is itself atomic would then recurse into this method forever).</remarks>
    public static void WriteToTemporaryPath(string path, Action<string> writeTemporary)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(writeTemporary);
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Guid.NewGuid():N}.partial.{Path.GetFileName(full)}");
        try
        {
            writeTemporary(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Writes through a new stream on the temporary file (flushed to disk first when <paramref name="flushToDisk"/>).</summary>
    public static void Write(string path, Action<Stream> write, int bufferSize = 4096, bool flushToDisk = false)
    {
        ArgumentNullException.ThrowIfNull(write);
        WriteToTemporaryPath(path, temporary =>
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize);
            write(stream);
            if (flushToDisk)
            {
                stream.Flush(flushToDisk: true);
            }
        });
    }

    /// <summary>Writes <paramref name="bytes"/> as the whole file.</summary>
    public static void WriteAllBytes(string path, byte[] bytes, bool flushToDisk = false)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes), 4096, flushToDisk);
    }
}
