using System.CommandLine;
using SegWeb.Imaging;
using SegWeb.Models.Download;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb models import &lt;folder|zip&gt; [--name N] [--models-dir DIR]`: convert an nnU-Net v2 results folder
/// (or its zip) into a model package: one ONNX per fold and model.json.
/// </summary>
public static class ModelsImportCommand
{
    /// <summary>The `models import` command.</summary>
    public static Command Create()
    {
        var source = new Argument<string>("folder-or-zip") { Description = "An nnU-Net v2 results folder (…/Trainer__Plans__configuration or a folder above it) or its zip." };
        var name = new Option<string?>("--name") { Description = "Package name (default: the dataset name from plans.json)." };
        var modelsDir = new Option<string?>("--models-dir") { Description = "Models folder (default: $SEGWEB_MODELS_DIR or ~/.segweb/models)." };
        var licence = new Option<string?>("--licence") { Description = "Licence of the weights, recorded in the package provenance." };
        var classMetadata = new Option<string?>("--class-metadata") { Description = "CSV of SNOMED codes and colours per structure in TotalSegmentator's layout (default: TotalSegmentator's own table)." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing package of the same name." };
        var configuration = new Option<string?>("--configuration") { Description = "The configuration to import when there are several (3d_fullres, or a Trainer__Plans__configuration folder name)." };
        var command = new Command("import", "Import an nnU-Net v2 results folder or zip as a SegWeb model package.")
        {
            source, name, modelsDir, licence, classMetadata, overwrite, configuration,
        };
        command.SetAction(parse =>
        {
            var input = parse.GetValue(source)!;
            var packageName = parse.GetValue(name);
            if (packageName is not null)
            {
                ModelNames.Check(packageName);
            }

            var dir = ModelsDirectory.Resolve(parse.GetValue(modelsDir));
            var options = new ImportOptions
            {
                Name = packageName,
                Licence = parse.GetValue(licence),
                ClassMetadata = parse.GetValue(classMetadata) is { } csv ? ClassMetadataTable.Load(csv) : ClassMetadataTable.LoadTotalSegmentator(),
                Overwrite = parse.GetValue(overwrite),
                Configuration = parse.GetValue(configuration),
            };

            // The package folder is named after the package; without --name that is only known after reading plans.json.
            var target = Path.Combine(dir, packageName ?? ".import-" + Guid.NewGuid().ToString("N"));
            var package = NnUNetImporter.Import(input, target, options);
            if (packageName is null)
            {
                package = MoveToItsName(package, dir, options.Overwrite);
            }

            var m = package.Manifest;
            var part = m.Parts[0];
            parse.InvocationConfiguration.Output.WriteLine(
                $"imported {m.Name}: {part.Network.ClassName[(part.Network.ClassName.LastIndexOf('.') + 1)..]}, {m.Folds} fold(s), {m.Classes.Count} classes, patch [{string.Join(", ", m.PatchSize)}] → {package.Directory}");
            return CommandRunner.ExitOk;
        });
        return command;
    }

    private static ModelPackage MoveToItsName(ModelPackage package, string dir, bool overwrite)
    {
        var name = package.Manifest.Name;
        try
        {
            ModelNames.Check(name);
            var final = Path.Combine(dir, name);
            if (Directory.Exists(final))
            {
                if (!overwrite)
                {
                    throw new SegWebException($"a model named '{name}' is already installed in {dir} (use --overwrite or --name)");
                }

                Directory.Delete(final, recursive: true);
            }

            Directory.Move(package.Directory, final);
            return ModelPackage.Load(final);
        }
        finally
        {
            if (Directory.Exists(package.Directory))
            {
                Directory.Delete(package.Directory, recursive: true);
            }
        }
    }
}

/// <summary>Model names are one plain folder below the models folder: nothing that could reach elsewhere.</summary>
internal static class ModelNames
{
    public static bool IsValid(string name) =>
        name.Length > 0 && name == Path.GetFileName(name) && !name.StartsWith('.') && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0;

    public static void Check(string name)
    {
        if (!IsValid(name))
        {
            throw new SegWebException($"'{name}' is not a valid model name (one folder name, not starting with '.')");
        }
    }
}
