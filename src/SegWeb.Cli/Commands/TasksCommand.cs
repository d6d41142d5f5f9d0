using System.CommandLine;
using SegWeb.Models.Catalog;
using SegWeb.Models.Download;

namespace SegWeb.Cli.Commands;

/// <summary>`segweb tasks`: the TotalSegmentator task catalogue as a table, with what is installed.</summary>
public static class TasksCommand
{
    public static Command Create(TaskCatalog? catalog = null)
    {
        var modelsDir = new Option<string?>("--models-dir") { Description = "Models folder (default: $SEGWEB_MODELS_DIR or ~/.segweb/models)." };
        var command = new Command("tasks", "List the TotalSegmentator tasks: variants, dataset ids, classes, licence, installed.")
        {
            modelsDir,
        };
        command.SetAction(parse =>
        {
            var tasks = catalog ?? TaskCatalog.LoadEmbedded();
            var dir = ModelsDirectory.Resolve(parse.GetValue(modelsDir));
            var rows = tasks.Tasks.Select(t => new[]
            {
                t.Name,
                string.Join(",", t.Variants.Select(v => v.Name)),
                string.Join(" / ", t.Variants.Select(v => string.Join("+", v.Models.Select(m => m.DatasetId)))),
                t.Classes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                t.Availability.ToString().ToLowerInvariant(),
                t.Variants.Where(v => ModelsDirectory.IsInstalled(dir, v)).Select(v => v.Name).ToList() is { Count: > 0 } installed
                    ? string.Join(",", installed) : "-",
            }).ToList();
            var output = parse.InvocationConfiguration.Output;
            WriteTable(output, ["TASK", "VARIANTS", "DATASET IDS", "CLASSES", "WEIGHTS", "INSTALLED"], rows);
            output.WriteLine();
            output.WriteLine($"Models folder: {dir}");
            output.WriteLine("Licence-only weights are not public: run `segweb models import <zip>` with a licensed zip, or `segweb models install <task> --url-override <url>`.");
            return CommandRunner.ExitOk;
        });
        return command;
    }

    private static void WriteTable(TextWriter output, string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(header, widths));
        foreach (var row in rows)
        {
            output.WriteLine(Line(row, widths));
        }
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
