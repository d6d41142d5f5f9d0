using Microsoft.Extensions.Options;
using SegWeb.Server.Options;

namespace SegWeb.Server.Storage;

/// <summary>
/// The files under the data folder. Every name is server-generated (a GUID); the client's file name is kept in
/// SQLite for display only. Layout: <c>uploads/{id}.part</c> (tus uploads in progress), <c>inputs/{id}/{fileId}</c>
/// (a stored input's files), <c>tmp/</c> (plain uploads being received; emptied at start). Files reach
/// <c>inputs/</c> only by an atomic rename from <c>tmp/</c> or <c>uploads/</c> on the same file system, so a crash
/// never leaves a half-written input file.
/// </summary>
public sealed class FileStore
{
    public FileStore(IOptions<ServerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Root = options.Value.DataFolderFullPath;
        UploadsFolder = Path.Combine(Root, "uploads");
        InputsFolder = Path.Combine(Root, "inputs");
        TempFolder = Path.Combine(Root, "tmp");
    }

    /// <summary>The data folder.</summary>
    public string Root { get; }

    public string UploadsFolder { get; }

    public string InputsFolder { get; }

    public string TempFolder { get; }

    /// <summary>The SQLite database file.</summary>
    public string DatabasePath => Path.Combine(Root, "segweb.db");

    /// <summary>Creates the folders (idempotent).</summary>
    public void EnsureFolders()
    {
        Directory.CreateDirectory(UploadsFolder);
        Directory.CreateDirectory(InputsFolder);
        Directory.CreateDirectory(TempFolder);
    }

    public string UploadPath(Guid uploadId) => Path.Combine(UploadsFolder, $"{uploadId:N}.part");

    public string InputFolder(Guid inputId) => Path.Combine(InputsFolder, inputId.ToString("N"));

    public string InputFilePath(Guid inputId, Guid fileId) => Path.Combine(InputFolder(inputId), fileId.ToString("N"));

    /// <summary>A fresh temp file path on the data folder's file system (so the final rename is atomic).</summary>
    public string NewTempPath() => Path.Combine(TempFolder, $"{Guid.NewGuid():N}.tmp");

    /// <summary>Moves a complete file into an input's folder with one rename.</summary>
    public void Publish(string completePath, Guid inputId, Guid fileId)
    {
        Directory.CreateDirectory(InputFolder(inputId));
        File.Move(completePath, InputFilePath(inputId, fileId), overwrite: false);
    }

    public void DeleteInput(Guid inputId) => DeleteFolder(InputFolder(inputId));

    public static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the start-up sweep removes what is left.
        }
    }

    private static void DeleteFolder(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: the start-up sweep removes what is left.
        }
    }

    /// <summary>
    /// Removes what a crash can leave: everything in tmp/, input folders and .part files that SQLite does not know.
    /// </summary>
    public int Sweep(IReadOnlySet<Guid> knownInputs, IReadOnlySet<Guid> knownUploads)
    {
        ArgumentNullException.ThrowIfNull(knownInputs);
        ArgumentNullException.ThrowIfNull(knownUploads);
        int removed = 0;
        foreach (var file in Directory.EnumerateFiles(TempFolder))
        {
            DeleteQuietly(file);
            removed++;
        }

        foreach (var folder in Directory.EnumerateDirectories(InputsFolder))
        {
            if (!Guid.TryParseExact(Path.GetFileName(folder), "N", out var id) || !knownInputs.Contains(id))
            {
                DeleteFolder(folder);
                removed++;
            }
        }

        foreach (var file in Directory.EnumerateFiles(UploadsFolder))
        {
            var name = Path.GetFileName(file);
            if (!name.EndsWith(".part", StringComparison.Ordinal) || !Guid.TryParseExact(name[..^5], "N", out var id) || !knownUploads.Contains(id))
            {
                DeleteQuietly(file);
                removed++;
            }
        }

        return removed;
    }
}
