using SegWeb.Models.Catalog;
using SegWeb.Models.Download;

namespace SegWeb.Models.Packages;

/// <summary>
/// The importer `segweb models install` uses: <see cref="NnUNetImporter"/> on the verified release zip, with the
/// catalogue's knowledge of the model (task name, local → global label map of part models) written into the
/// package manifest.
/// </summary>
public static class CatalogImporter
{
    /// <summary>
    /// A <see cref="ModelImporter"/> that imports into <c>{modelsDir}/{name}</c> and returns that folder. Class
    /// SNOMED codes and colours come from <paramref name="classMetadata"/>, by default TotalSegmentator's table.
    /// </summary>
    public static ModelImporter Create(TaskCatalog catalog, ClassMetadataTable? classMetadata = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        classMetadata ??= ClassMetadataTable.LoadTotalSegmentator();
        return (zipPath, modelsDir, name, cancellationToken) => Task.Run(() =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            var found = name is null ? default : Find(catalog, name);
            var target = Path.Combine(modelsDir, name ?? Path.GetFileNameWithoutExtension(zipPath));
            var options = new ImportOptions
            {
                Name = name,
                Task = found.Task?.Name,
                ClassMetadata = classMetadata,
                LabelMap = found.Model?.Labels is { Count: > 0 } labels ? labels.ToDictionary(l => l.Local, l => l.Global) : null,
            };
            return NnUNetImporter.Import(zipPath, target, options).Directory;
        }, cancellationToken);
    }

    private static (CatalogTask? Task, CatalogModel? Model) Find(TaskCatalog catalog, string modelName)
    {
        foreach (var task in catalog.Tasks)
        {
            foreach (var model in task.Variants.SelectMany(v => v.Models))
            {
                if (model.ModelName == modelName)
                {
                    return (task, model);
                }
            }
        }

        return (null, null);
    }
}
