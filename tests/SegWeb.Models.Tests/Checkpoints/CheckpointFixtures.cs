using SegWeb.Models.Tests.Parity;

namespace SegWeb.Models.Tests.Checkpoints;

/// <summary>
/// The checkpoints of Python/make_checkpoint_fixtures.py (written once per test run by Debian's torch): tensor
/// layouts, inconsistent duplicate keys, and hostile pickles that would create <see cref="Marker"/>.
/// </summary>
internal static class CheckpointFixtures
{
    private static readonly Lazy<string> Root = new(Generate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "Python", "make_checkpoint_fixtures.py");

    /// <summary>The fixture folder (skips when torch is unavailable).</summary>
    public static string Folder
    {
        get
        {
            NnUNetReference.RequireTorch();
            return Root.Value;
        }
    }

    /// <summary>The file the hostile pickles would create if anything ran them.</summary>
    public static string Marker => Path.Combine(Folder, "MARKER");

    public static string File(string name) => Path.Combine(Folder, name);

    private static string Generate()
    {
        var root = Path.Combine(Path.GetTempPath(), $"segweb-ckpt-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        ReferencePython.Run(System.IO.File.ReadAllText(ScriptPath), root, Path.Combine(root, "MARKER"));
        return root;
    }
}
