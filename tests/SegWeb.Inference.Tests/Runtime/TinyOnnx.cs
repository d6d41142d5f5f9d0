using SegWeb.Models.Onnx;

namespace SegWeb.Inference.Tests.Runtime;

/// <summary>Writes a 1×1×1 convolution as an ONNX "network" (input [N, 1, D, H, W] → logits [N, K, D, H, W]).</summary>
internal static class TinyOnnx
{
    public static string WritePointwise(string path, float[] scale, float[] offset)
    {
        var graph = new OnnxGraph("pointwise");
        graph.AddInput("input", "N", 1L, "D", "H", "W");
        graph.AddInitializer("w", [scale.Length, 1, 1, 1, 1], scale);
        graph.AddInitializer("b", [offset.Length], offset);
        graph.AddNode("Conv", ["input", "w", "b"], "logits", ("kernel_shape", new[] { 1, 1, 1 }), ("strides", new[] { 1, 1, 1 }), ("pads", new int[6]));
        graph.AddOutput("logits", "N", (long)scale.Length, "D", "H", "W");
        using var stream = File.Create(path);
        graph.Write(stream);
        return path;
    }
}
