using System.CommandLine;
using System.Security.Cryptography;
using SegWeb.Dicom.Deidentification;
using SegWeb.Dicom.Series;
using SegWeb.Imaging;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb deidentify &lt;dicom folder|zip|file&gt; &lt;output folder&gt; [--key-file F]`: DICOM PS3.15 Basic Profile
/// de-identification of every object into a new folder. The folder appears only when every object was written, so
/// a failure leaves nothing half-done. UIDs are remapped with a keyed map: the same key file gives the same new
/// UIDs, so a series and a SEG de-identified in separate runs still reference each other; without a key file every
/// run uses a fresh random key and its UIDs cannot be linked to another run's.
/// </summary>
public static class DeidentifyCommand
{
    private const int KeyBytes = 32;

    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "DICOM: a folder, a zip or one file." };
        var output = new Argument<string>("output") { Description = "The folder to create (must not exist)." };
        var keyFile = new Option<string?>("--key-file")
        {
            Description = "Secret key for the UID map (created with 32 random bytes when missing). Keep it private: it links new UIDs to old ones.",
        };
        var command = new Command("deidentify", "De-identify DICOM (PS3.15 Annex E Basic Profile) into a new folder.") { input, output, keyFile };
        command.SetAction(parse => Execute(parse.InvocationConfiguration.Output, parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(keyFile)));
        return command;
    }

    private static int Execute(TextWriter stdout, string inputPath, string outputFolder, string? keyFile)
    {
        InputFiles.RequireExisting(inputPath);
        var target = Path.GetFullPath(outputFolder);
        if (Directory.Exists(target) || File.Exists(target))
        {
            throw new SegWebException($"{outputFolder}: already exists; de-identification writes a new folder");
        }

        var parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(parent))
        {
            throw new SegWebException($"{outputFolder}: the folder {parent} does not exist");
        }

        var map = keyFile is null ? new DicomUidMap() : new DicomUidMap(LoadOrCreateKey(keyFile));
        var deidentifier = new DicomDeidentifier(new DicomDeidentificationOptions { UidMap = map });
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.partial");
        try
        {
            var result = deidentifier.DeidentifyInput(DicomInput.FromPath(inputPath), staging);
            if (result.WrittenFiles.Count == 0)
            {
                throw new SegWebException($"{inputPath}: no DICOM objects found ({result.Skipped.Count} files skipped)");
            }

            Directory.Move(staging, target);
            foreach (var skipped in result.Skipped)
            {
                stdout.WriteLine($"skipped {skipped.Name}: {skipped.Reason}");
            }

            stdout.WriteLine($"{inputPath} -> {outputFolder}: {result.WrittenFiles.Count} objects de-identified, {map.Mapped.Count} UIDs remapped");
            return CommandRunner.ExitOk;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static byte[] LoadOrCreateKey(string path)
    {
        if (File.Exists(path))
        {
            var key = File.ReadAllBytes(path);
            if (key.Length < 16)
            {
                throw new SegWebException($"{path}: a key file holds at least 16 bytes, this one {key.Length}");
            }

            return key;
        }

        var fresh = RandomNumberGenerator.GetBytes(KeyBytes);
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(fresh);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // a secret: owner only
        }

        return fresh;
    }
}
