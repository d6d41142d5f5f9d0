using SegWeb.Imaging.IO;
using SegWeb.Imaging;

namespace SegWeb.Cli.Commands;

/// <summary>Checks on paths the user gave, so a typo is one clear line rather than a stack trace.</summary>
public static class InputFiles
{
    public static string RequireFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new SegWebException($"{path}: is a folder, expected a file");
        }

        if (!File.Exists(path))
        {
            throw new SegWebException($"{path}: no such file");
        }

        return path;
    }

    /// <summary>Whether a path names a NIfTI file by its suffix (.nii or .nii.gz, any case).</summary>
    public static bool IsNifti(string path) =>
        path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase);

    public static string RequireExisting(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new SegWebException($"{path}: no such file or folder");
        }

        return path;
    }

    /// <summary>
    /// Runs <paramref name="write"/> against a temporary file beside <paramref name="path"/> and renames it into
    /// place only when it succeeded, so a failure never leaves a half-written output behind.
    /// </summary>
    public static void WriteAtomically(string path, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
        {
            throw new SegWebException($"{path}: the folder {dir} does not exist");
        }

        AtomicFile.WriteToTemporaryPath(full, write);
    }
}
