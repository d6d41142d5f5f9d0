using System.Text.Json;
using System.Text.Json.Nodes;

namespace SegWeb.Models.NnUNet;

/// <summary>nnU-Net v2's dataset.json: input channel names and the label table (name → value).</summary>
public sealed record NnUNetDataset(string FilePath, string[] ChannelNames, SortedDictionary<int, string> Labels)
{
    /// <summary>Output channels of the network: every label, background included.</summary>
    public int OutputChannels => Labels.Count;

    public static NnUNetDataset Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ModelFormatException(path, "dataset.json not found");
        }

        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new ModelFormatException(path, "dataset.json is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException(path, $"dataset.json is not valid JSON: {ex.Message}", ex);
        }

        // v2 uses channel_names; v1-style files use modality. Keys are channel indices as strings.
        var channels = (root["channel_names"] ?? root["modality"]) as JsonObject ?? throw new ModelFormatException(path, "dataset.json has no channel_names");
        var channelNames = channels.OrderBy(p => int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture))
            .Select(p => p.Value?.ToString() ?? string.Empty).ToArray();
        var labelsNode = root["labels"] as JsonObject ?? throw new ModelFormatException(path, "dataset.json has no labels");
        var labels = new SortedDictionary<int, string>();
        foreach (var (name, value) in labelsNode)
        {
            if (value is not JsonValue v || !v.TryGetValue<int>(out int id))
            {
                throw new ModelFormatException(path, $"label '{name}' is not a single integer (region-based models are not supported)");
            }

            if (!labels.TryAdd(id, name))
            {
                throw new ModelFormatException(path, $"label value {id} is used twice");
            }
        }

        if (!labels.ContainsKey(0) || labels.Keys.Max() != labels.Count - 1)
        {
            throw new ModelFormatException(path, "labels must be 0 (background) .. N-1 without gaps");
        }

        return new NnUNetDataset(path, channelNames, labels);
    }
}
