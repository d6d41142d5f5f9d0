using System.CommandLine;
using System.CommandLine.Parsing;

namespace SegWeb.Cli.Commands;

/// <summary>The options of a `segweb segment` call as the report records them: every option by its long name, with the value given or its default.</summary>
internal static class SegmentReportOptions
{
    public static IReadOnlyDictionary<string, object?> From(ParseResult parse, Command command)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(command);
        var values = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var option in command.Options)
        {
            if (option.Name is "--help" or "-h" or "-?" || option.Name.StartsWith("--help", StringComparison.Ordinal))
            {
                continue;
            }

            var result = parse.GetResult(option);
            object? value = result is null
                ? (option.HasDefaultValue ? option.GetDefaultValue() : null)
                : result.GetValueOrDefault<object?>();
            values[option.Name.TrimStart('-')] = value;
        }

        return values;
    }
}
