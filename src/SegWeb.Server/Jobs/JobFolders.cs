using SegWeb.Server.Storage;

namespace SegWeb.Server.Jobs;

/// <summary>
/// A job's files: <c>jobs/{id}/results/</c> once published, <c>jobs/{id}/work-{attempt}/</c> while a run writes. The
/// work folder sits next to results on the same file system, so publishing is one atomic directory rename: readers see
/// either no results or all of them.
/// </summary>
public sealed class JobFolders(FileStore store)
{
    private const string WorkPrefix = "work-";

    /// <summary>The parent of every job's folder.</summary>
    public string Root => Path.Combine(store.Root, "jobs");

    public string JobFolder(Guid jobId) => Path.Combine(Root, jobId.ToString("N"));

    /// <summary>The published results (exists only when complete).</summary>
    public string ResultsFolder(Guid jobId) => Path.Combine(JobFolder(jobId), "results");

    /// <summary>Creates a fresh, empty work folder for one attempt.</summary>
    public string NewWorkFolder(Guid jobId)
    {
        var path = Path.Combine(JobFolder(jobId), WorkPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Removes the work folders an earlier, interrupted attempt left.</summary>
    public void DeleteWorkFolders(Guid jobId)
    {
        var folder = JobFolder(jobId);
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var work in Directory.EnumerateDirectories(folder, WorkPrefix + "*"))
        {
            DeleteQuietly(work);
        }
    }

    /// <summary>Publishes a complete work folder as the job's results with one rename.</summary>
    public void Publish(Guid jobId, string workFolder) => Directory.Move(workFolder, ResultsFolder(jobId));

    /// <summary>The published result files, relative to the results folder ('/' separated), or empty.</summary>
    public IReadOnlyList<string> PublishedFiles(Guid jobId)
    {
        var results = ResultsFolder(jobId);
        return Directory.Exists(results)
            ? Directory.EnumerateFiles(results, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(results, f).Replace(Path.DirectorySeparatorChar, '/')).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    public void DeleteJob(Guid jobId) => DeleteQuietly(JobFolder(jobId));

    public static void DeleteQuietly(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a later run or delete removes what is left.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
