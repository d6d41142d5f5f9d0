namespace SegWeb.Inference.Pipeline;

/// <summary>
/// A hidden folder in the nearest existing ancestor of a destination folder (so moves are renames on one file
/// system). <see cref="Commit"/> creates the destination and moves the files in; disposing without a commit deletes
/// everything, so a failed run leaves neither the destination nor stray files behind.
/// </summary>
internal sealed class StagingFolder : IDisposable
{
    private readonly string _destination;
    private readonly string _path;
    private readonly List<string> _names = [];

    public StagingFolder(string destination)
    {
        _destination = destination;
        string? ancestor = Path.GetDirectoryName(destination);
        while (ancestor is not null && !Directory.Exists(ancestor))
        {
            ancestor = Path.GetDirectoryName(ancestor);
        }

        _path = Path.Combine(ancestor ?? Path.GetTempPath(), $".segweb-partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_path);
    }

    /// <summary>The staging path for an output file named <paramref name="name"/>.</summary>
    public string File(string name)
    {
        _names.Add(name);
        return Path.Combine(_path, name);
    }

    /// <summary>Moves every staged file into the destination (overwriting files of the same name); returns their final paths.</summary>
    public IReadOnlyList<string> Commit()
    {
        Directory.CreateDirectory(_destination);
        var written = new List<string>();
        foreach (var name in _names)
        {
            var target = Path.Combine(_destination, name);
            System.IO.File.Move(Path.Combine(_path, name), target, overwrite: true);
            written.Add(target);
        }

        return written;
    }

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }
}
