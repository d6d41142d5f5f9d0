namespace SegWeb.Inference.Tests;

/// <summary>Runs Python/nnunet_reference.py (the independent NumPy/SciPy/PyTorch reference) with Debian's python3.</summary>
internal static class ReferenceScript
{
    private static readonly Lazy<string> Source = new(() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Python", "nnunet_reference.py")));

    public static string Run(params string[] args) => ReferencePython.Run(Source.Value, args).Trim();

    public static float[] ReadFloats(string npyPath) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Npy.Read(npyPath).Data).ToArray();
}
