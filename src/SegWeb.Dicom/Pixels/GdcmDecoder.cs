using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace SegWeb.Dicom.Pixels;

/// <summary>
/// Decodes JPEG, JPEG-LS and JPEG 2000 pixel data through GDCM's C# binding from Debian's libgdcm-cil. The
/// assembly is loaded by reflection from its Debian path at first use, so SegWeb builds and runs without it and
/// only these transfer syntaxes need it.
/// </summary>
internal static class GdcmDecoder
{
    /// <summary>Where Debian's libgdcm-cil installs gdcm-sharp.dll and its native glue library.</summary>
    public const string Folder = "/usr/lib/cli/gdcm-sharp-3.0";

    private static readonly Lazy<(Assembly? Assembly, string? Problem)> Loaded = new(Load);
    private static readonly Lock Gate = new();

    /// <summary>True when GDCM could be loaded.</summary>
    public static bool IsAvailable => Loaded.Value.Assembly is not null;

    /// <summary>
    /// Decodes every frame of the file with GDCM into native little-endian bytes (frames one after another).
    /// </summary>
    /// <param name="file">The object to decode.</param>
    /// <param name="expectedBytes">The decoded size the header implies.</param>
    /// <param name="alternativeBytes">Another size GDCM may legitimately produce (1-bit images unpacked to bytes), or 0.</param>
    public static byte[] DecodeAll(DicomFile file, long expectedBytes, long alternativeBytes = 0)
    {
        var (assembly, problem) = Loaded.Value;
        if (assembly is null)
        {
            throw new DicomFormatException(file.SourceName,
                $"{file.TransferSyntax.Name} pixel data needs GDCM, which could not be loaded ({problem}); install it with 'apt-get install libgdcm-cil'");
        }

        string? temporary = null;
        string path = file.SourcePath ?? string.Empty;
        try
        {
            if (file.SourcePath is null)
            {
                // GDCM reads from files only; write this one object (never a whole archive) to a private temp file.
                temporary = Path.Combine(Path.GetTempPath(), $"segweb-gdcm-{Guid.NewGuid():N}.dcm");
                File.WriteAllBytes(temporary, file.SourceBytes ?? throw new DicomFormatException(file.SourceName, "the file's bytes are not available for GDCM"));
                path = temporary;
            }

            // GDCM's C++ objects are not documented as thread-safe across readers; one decode at a time.
            lock (Gate)
            {
                return Decode(assembly, path, file, expectedBytes, alternativeBytes);
            }
        }
        finally
        {
            if (temporary is not null)
            {
                File.Delete(temporary);
            }
        }
    }

    private static byte[] Decode(Assembly assembly, string path, DicomFile file, long expectedBytes, long alternativeBytes)
    {
        var readerType = assembly.GetType("gdcm.ImageReader", throwOnError: true)!;
        var reader = Activator.CreateInstance(readerType)!;
        try
        {
            readerType.GetMethod("SetFileName", [typeof(string)])!.Invoke(reader, [path]);
            if (!(bool)readerType.GetMethod("Read", Type.EmptyTypes)!.Invoke(reader, null)!)
            {
                throw new DicomFormatException(file.SourceName, $"GDCM could not read the {file.TransferSyntax.Name} image");
            }

            var image = readerType.GetMethod("GetImage", Type.EmptyTypes)!.Invoke(reader, null)!;
            var imageType = image.GetType();
            long length = Convert.ToInt64(imageType.GetMethod("GetBufferLength", Type.EmptyTypes)!.Invoke(image, null), System.Globalization.CultureInfo.InvariantCulture);
            if (length != expectedBytes && (alternativeBytes == 0 || length != alternativeBytes))
            {
                throw new DicomFormatException(file.SourceName, $"GDCM decodes the {file.TransferSyntax.Name} image to {length} bytes, the header implies {expectedBytes}");
            }

            var buffer = new byte[length];
            if (!(bool)imageType.GetMethod("GetBuffer", [typeof(byte[])])!.Invoke(image, [buffer])!)
            {
                throw new DicomFormatException(file.SourceName, $"GDCM failed to decode the {file.TransferSyntax.Name} pixel data");
            }

            return buffer;
        }
        catch (TargetInvocationException e) when (e.InnerException is not DicomFormatException)
        {
            throw new DicomFormatException(file.SourceName, $"GDCM failed on the {file.TransferSyntax.Name} pixel data: {e.InnerException?.Message}", e);
        }
        finally
        {
            (reader as IDisposable)?.Dispose();
        }
    }

    private static (Assembly?, string?) Load()
    {
        var managed = Path.Combine(Folder, "gdcm-sharp.dll");
        var native = Path.Combine(Folder, "libgdcmsharpglue.so");
        if (!File.Exists(managed) || !File.Exists(native))
        {
            return (null, $"{managed} not found");
        }

        try
        {
            var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(managed);

            // The binding P/Invokes "gdcmsharpglue"; point it at Debian's copy beside the assembly.
            NativeLibrary.SetDllImportResolver(assembly, (name, _, _) =>
                name.Contains("gdcmsharpglue", StringComparison.Ordinal) ? NativeLibrary.Load(native) : IntPtr.Zero);
            return (assembly, null);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or IOException or InvalidOperationException)
        {
            return (null, e.Message);
        }
    }
}
