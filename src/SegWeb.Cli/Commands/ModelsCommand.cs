using System.CommandLine;
using SegWeb.Models.Catalog;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Commands;

/// <summary>`segweb models`: install, remove, import, list, verify and synth model packages.</summary>
public static class ModelsCommand
{
    /// <summary>The `models` command group, with every subcommand.</summary>
    public static Command Create(TaskCatalog? catalog = null) => new("models", "Install, import, list, verify and remove segmentation models.")
    {
        // The importer (and with it the catalogue, 80 ms of JSON) is made when `install` runs, not when any command starts.
        ModelsInstallCommand.Create(() => CatalogImporter.Create(catalog ?? TaskCatalog.LoadEmbedded()), catalog),
        ModelsRemoveCommand.Create(catalog),
        ModelsImportCommand.Create(),
        ModelsListCommand.Create(),
        ModelsVerifyCommand.Create(),
        ModelsSynthCommand.Create(catalog),
    };
}
