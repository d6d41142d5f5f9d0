namespace SegWeb.Testing;

/// <summary>Locations in the repository and its test data, found from the test assembly's folder.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The repository root (the folder holding SegWeb.sln).</summary>
    public static string Root => RootLazy.Value;

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SegWeb.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"SegWeb.sln not found above {AppContext.BaseDirectory}.");
    }
}
