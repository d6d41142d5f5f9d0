using SegWeb.Imaging;
using SegWeb.Models.Packages;

namespace SegWeb.Server.Components.Services;

/// <summary>
/// Imports an uploaded nnU-Net v2 results zip (dataset.json, plans.json, fold_N/checkpoint_final.pth) from the admin
/// Models page into the server's models folder, with the same importer as <c>segweb models import</c>. The upload is
/// streamed to a temporary file with a size limit; the importer extracts it with its zip-slip and size checks and
/// assembles the package in a staging folder that is renamed into place only when complete, so a failure leaves
/// neither the temporary zip nor a half-written package behind.
/// </summary>
public sealed class ModelZipImportService
{
    /// <summary>The largest zip the page accepts (4 GiB): TotalSegmentator's biggest task zips are well under it.</summary>
    public const long DefaultMaxZipBytes = 4L << 30;

    /// <summary>
    /// Copies <paramref name="upload"/> to a temporary zip (at most <paramref name="maxBytes"/> bytes) and imports it as the
    /// package <c>modelsDir/NAME</c>, NAME being <paramref name="fileName"/> without ".zip", reduced to safe characters.
    /// </summary>
    /// <param name="upload">The browser file's stream.</param>
    /// <param name="fileName">The uploaded file's name, as the browser gave it.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <param name="modelsDir">The models folder; the server's when null.</param>
    /// <param name="maxBytes">The size limit of the upload.</param>
    /// <returns>A one-line summary.</returns>
    /// <exception cref="UiActionException">Not a zip, no dataset.json/plans.json, a bad checkpoint, an unsafe entry, too big, already installed.</exception>
    public async Task<string> ImportAsync(Stream upload, string fileName, CancellationToken cancellationToken, string? modelsDir = null, long maxBytes = DefaultMaxZipBytes)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(fileName);
        string name = PackageName(fileName);
        string folder = modelsDir ?? TaskChoices.ModelsFolder();
        string target = Path.Combine(folder, name);
        string tempZip = Path.Combine(Path.GetTempPath(), $"segweb-upload-{Guid.NewGuid():N}.zip");
        try
        {
            if (Directory.Exists(target))
            {
                throw new UiActionException($"could not import {fileName}: a model named {name} is already installed in {folder}");
            }

            await CopyBoundedAsync(upload, tempZip, fileName, maxBytes, cancellationToken);
            // The importer is CPU-bound (it converts every fold's checkpoint to ONNX): keep it off the circuit's thread.
            var package = await Task.Run(() => NnUNetImporter.Import(tempZip, target), cancellationToken);
            var m = package.Manifest;
            return $"{name}: imported {m.Name} ({m.Classes.Count} structures, {m.Folds} fold(s)) into {target}";
        }
        catch (Exception ex) when (ex is SegWebException or IOException or UnauthorizedAccessException)
        {
            throw new UiActionException($"could not import {fileName}: {ex.Message.ReplaceLineEndings(" ")}", ex);
        }
        finally
        {
            try
            {
                File.Delete(tempZip);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp file is harmless and the OS temp folder is swept.
            }
        }
    }

    /// <summary>The package folder name for an uploaded file: its name without ".zip", letters, digits, '-', '_' and '.' kept.</summary>
    /// <exception cref="UiActionException">Nothing usable is left (e.g. "..zip").</exception>
    public static string PackageName(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        // The browser's name is untrusted: only its last segment counts, and only safe characters, so it cannot
        // name a folder outside the models folder.
        string last = fileName.Replace('\\', '/').Split('/')[^1];
        if (last.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            last = last[..^4];
        }

        var chars = last.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        string name = new string(chars).Trim('.');
        if (name.Length == 0)
        {
            throw new UiActionException($"could not import {fileName}: the file name gives no usable model name");
        }

        return name;
    }

    private static async Task CopyBoundedAsync(Stream upload, string path, string fileName, long maxBytes, CancellationToken cancellationToken)
    {
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await upload.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                throw new ImageFormatException(fileName, $"upload is larger than {maxBytes} bytes");
            }

            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }
}
