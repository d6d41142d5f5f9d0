using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SegWeb.Models.Catalog;

namespace SegWeb.Cli.Commands;

/// <summary>`segweb classes --task total [--json]`: a task's label map, label value → structure name.</summary>
public static class ClassesCommand
{
    public static Command Create(TaskCatalog? catalog = null)
    {
        var task = new Option<string>("--task", "-t") { Description = "The task (see `segweb tasks`).", DefaultValueFactory = _ => "total" };
        var json = new Option<bool>("--json") { Description = "Print a JSON object {\"1\": \"spleen\", ...}." };
        var command = new Command("classes", "List the classes (label value and name) of a task.")
        {
            task,
            json,
        };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(task)!;
            var classes = (catalog ?? TaskCatalog.LoadEmbedded()).Classes(name);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(ToJson(classes));
                return CommandRunner.ExitOk;
            }

            output.WriteLine($"{name}: {classes.Count} classes");
            int width = classes.Count == 0 ? 1 : classes.Max(c => c.Id).ToString(CultureInfo.InvariantCulture).Length;
            foreach (var c in classes)
            {
                output.WriteLine($"{c.Id.ToString(CultureInfo.InvariantCulture).PadLeft(width)}  {c.Name}");
            }

            return CommandRunner.ExitOk;
        });
        return command;
    }

    // Written by hand so the ids come out ascending, like TotalSegmentator's own class maps.
    private static string ToJson(IReadOnlyList<CatalogClass> classes)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            writer.WriteStartObject();
            foreach (var c in classes.OrderBy(c => c.Id))
            {
                writer.WriteString(c.Id.ToString(CultureInfo.InvariantCulture), c.Name);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
