using System.Text;
using SegWeb.Models.Catalog;
using SegWeb.Models.Onnx;
using SegWeb.Models.Twins;

namespace SegWeb.Models.Tests.Onnx;

/// <summary>Splitting an exported U-Net before its 1×1 classifier, and refusing every graph where that would not be exact.</summary>
public sealed class ClassifierHeadSplitTests
{
    [Fact]
    public void An_exported_unet_splits_into_its_trunk_and_the_classifier_weights()
    {
        using var temp = new TempDirectory();
        var full = ArchitectureTwin.Resolve("total-fast", TaskCatalog.LoadEmbedded());
        var twin = full with { Architecture = full.Architecture with { FeaturesPerStage = [3, 4, 4, 4, 4] }, PatchSize = [16, 16, 16] };
        var package = TwinPackageWriter.Write(twin, temp.File("pkg"), seed: 7);
        var bytes = File.ReadAllBytes(package.FoldFiles(package.Manifest.Parts[0])[0]);

        var split = ClassifierHeadSplit.TrySplit(bytes, "logits", out var reason);

        Assert.NotNull(split);
        Assert.Equal(string.Empty, reason);
        Assert.Equal(118, split.Classes);
        Assert.Equal(3, split.Features);
        Assert.Equal(118 * 3, split.Weights.Length);
        Assert.Equal(118, split.Bias.Length);
        Assert.Contains(split.Weights, w => w != 0);
        Assert.Equal("decoder.stages.3.convs.1.nonlin", split.FeatureOutput);

        // The classifier's tensors and node are gone, nothing else is: the trunk is the original minus exactly those bytes.
        var trunkText = Encoding.Latin1.GetString(split.TrunkModel);
        Assert.DoesNotContain("decoder.seg_layers.3", trunkText, StringComparison.Ordinal);
        Assert.Contains("decoder.stages.3.convs.1.conv.weight", trunkText, StringComparison.Ordinal);
        long removed = bytes.Length - split.TrunkModel.Length;
        Assert.InRange(removed, (118 * 4 * sizeof(float)) + 100, (118 * 4 * sizeof(float)) + 400);

        // Splitting is deterministic and does not touch its input.
        Assert.Equal(split.TrunkModel, ClassifierHeadSplit.TrySplit(bytes, "logits", out _)!.TrunkModel);
    }

    [Fact]
    public void A_graph_that_does_not_end_in_a_pointwise_convolution_is_left_whole()
    {
        Assert.Null(ClassifierHeadSplit.TrySplit(Write(g =>
        {
            Conv(g, "input", "features", 1, 4, 3);
            Conv(g, "features", "logits", 4, 9, 3);
        }), "logits", out var wide));
        Assert.Contains("more than a 1×1", wide, StringComparison.Ordinal);

        Assert.Null(ClassifierHeadSplit.TrySplit(Write(g =>
        {
            Conv(g, "input", "features", 1, 4, 3);
            Conv(g, "features", "conv", 4, 9, 1);
            g.AddNode("Relu", ["conv"], "logits");
        }), "logits", out var relu));
        Assert.Contains("not produced by one Conv", relu, StringComparison.Ordinal);

        Assert.Null(ClassifierHeadSplit.TrySplit(Write(g => Conv(g, "input", "logits", 1, 9, 1)), "logits", out var bare));
        Assert.Contains("no network before it", bare, StringComparison.Ordinal);

        Assert.Null(ClassifierHeadSplit.TrySplit(Write(g =>
        {
            Conv(g, "input", "features", 1, 4, 3);
            Conv(g, "features", "logits", 4, 9, 1);
        }), "probabilities", out var name));
        Assert.Contains("'probabilities'", name, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_model_is_a_format_error()
    {
        var bytes = Write(g =>
        {
            Conv(g, "input", "features", 1, 4, 3);
            Conv(g, "features", "logits", 4, 9, 1);
        });
        Assert.NotNull(ClassifierHeadSplit.TrySplit(bytes, "logits", out _));
        Assert.Throws<ModelFormatException>(() => ClassifierHeadSplit.TrySplit(bytes.AsMemory(0, bytes.Length - 7), "logits", out _));
    }

    private static byte[] Write(Action<OnnxGraph> build)
    {
        var graph = new OnnxGraph("test");
        graph.AddInput("input", "N", 1L, "D", "H", "W");
        build(graph);
        graph.AddOutput("logits", "N", 9L, "D", "H", "W");
        using var stream = new MemoryStream();
        graph.Write(stream);
        return stream.ToArray();
    }

    private static void Conv(OnnxGraph graph, string input, string output, int inChannels, int outChannels, int kernel)
    {
        var weights = Enumerable.Range(0, outChannels * inChannels * kernel * kernel * kernel).Select(i => (float)Math.Sin(i)).ToArray();
        graph.AddInitializer(output + ".w", [outChannels, inChannels, kernel, kernel, kernel], weights);
        graph.AddInitializer(output + ".b", [outChannels], [.. Enumerable.Range(0, outChannels).Select(i => i * 0.1f)]);
        graph.AddNode("Conv", [input, output + ".w", output + ".b"], output,
            ("kernel_shape", new[] { kernel, kernel, kernel }), ("strides", new[] { 1, 1, 1 }), ("pads", Enumerable.Repeat(kernel / 2, 6).ToArray()));
    }
}
