using System.CommandLine;
using SegWeb.Imaging;
using SegWeb.Imaging.Nifti;
using SegWeb.Imaging.Volumes;
using SegWeb.Inference.Postprocessing;
using SegWeb.Models.Catalog;

namespace SegWeb.Cli.Commands;

/// <summary>
/// `segweb combine-masks -i &lt;folder|multilabel.nii.gz&gt; -o &lt;mask.nii.gz&gt; -m &lt;group&gt;`: TotalSegmentator's
/// `totalseg_combine_masks`, one binary mask from several structures (<see cref="CombinedMasks"/>). The input is a
/// segmentation folder of &lt;structure&gt;.nii.gz masks, or a multilabel file with its label table. Every member must be
/// there: a missing one is an error naming it, as in TotalSegmentator, not a silently smaller mask.
/// </summary>
public static class CombineMasksCommand
{
    public static Command Create(TaskCatalog? catalog = null)
    {
        var input = new Option<string>("-i") { Description = "A segmentation folder of <structure>.nii.gz masks, or a multilabel .nii/.nii.gz with its label table.", Required = true };
        var output = new Option<string>("-o") { Description = "The combined mask to write (.nii or .nii.gz): uint8, 1 inside.", Required = true };
        var group = new Option<string>("--masks", "-m") { Description = "Which structures to combine.", Required = true };
        group.AcceptOnlyFromAmong([.. CombinedMasks.Groups]);
        var command = new Command("combine-masks", "Combine structures into one binary mask, as TotalSegmentator's totalseg_combine_masks (lung, lung_left, lung_right, ribs, vertebrae, vertebrae_ribs, pelvis, body).")
        {
            input, output, group,
        };
        command.SetAction(parse =>
        {
            var source = InputFiles.RequireExisting(parse.GetValue(input)!);
            var target = parse.GetValue(output)!;
            if (!InputFiles.IsNifti(target))
            {
                throw new SegWebException($"-o {target}: the combined mask is a NIfTI file; name it .nii or .nii.gz");
            }

            var members = CombinedMasks.Members(parse.GetValue(group)!, catalog ?? TaskCatalog.LoadEmbedded());
            var (mask, header) = Directory.Exists(source) ? FromFolder(source, members) : FromLabelMap(source, members);
            // The members' geometry and header fields, not their extensions: a multilabel file's label table would
            // name 117 structures in a file that holds one.
            var template = header.Clone();
            template.Extensions = [];
            NiftiWriter.Write(target, mask, template);
            long inside = mask.Data.LongCount(v => v != 0);
            parse.InvocationConfiguration.Output.WriteLine($"{target}: {members.Count} structures combined, {inside} voxels inside");
            return CommandRunner.ExitOk;
        });
        return command;
    }

    private static (Volume<byte> Mask, NiftiHeader Header) FromFolder(string folder, IReadOnlyList<string> members)
    {
        var files = members.Select(name => (Name: name, Path: MaskFile(folder, name))).ToList();
        var missing = files.Where(f => f.Path is null).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            throw new SegWebException($"{folder}: no mask for {string.Join(", ", missing.Select(m => m + ".nii.gz"))}; was the segmentation run with these structures?");
        }

        NiftiHeader? header = null;
        var mask = CombinedMasks.Union(files.Select(f => (f.Path!, (Func<Volume>)(() =>
        {
            var image = NiftiReader.Read(f.Path!);
            header ??= image.Header;
            return image.Volume;
        }))));
        return (mask, header!);
    }

    private static (Volume<byte> Mask, NiftiHeader Header) FromLabelMap(string path, IReadOnlyList<string> members)
    {
        var (image, names) = MultilabelNifti.Read(path);
        if (names.Count == 0)
        {
            throw new SegWebException($"{path}: has no label table naming its labels, so its structures cannot be found; give the segmentation folder instead");
        }

        var ids = names.GroupBy(n => n.Value, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Min(n => n.Key), StringComparer.Ordinal);
        var missing = members.Where(m => !ids.ContainsKey(m)).ToList();
        if (missing.Count > 0)
        {
            throw new SegWebException($"{path}: its label table has no {string.Join(", ", missing)}; was the segmentation run with these structures?");
        }

        var mask = CombinedMasks.FromLabelMap(image.Volume, members.Select(m => ids[m]).ToHashSet());
        return (mask, image.Header);
    }

    private static string? MaskFile(string folder, string name) =>
        new[] { ".nii.gz", ".nii" }.Select(suffix => Path.Combine(folder, name + suffix)).FirstOrDefault(File.Exists);
}
