using SegWeb.Inference.Runtime;
using SegWeb.Inference.Runtime.DirectKernels;
using SegWeb.Models.Onnx;
using Xunit.Abstractions;

namespace SegWeb.Inference.Tests.Runtime;

/// <summary>
/// SegWeb's CPU kernels (ONNX Runtime custom operators in ai.segweb) against ONNX Runtime's own nodes
/// and against a plain double-precision loop, on shapes that reach every edge case: x blocks with tails (W not a
/// multiple of 16, W below 16), rows and planes at the volume's faces, one input channel, a batch of two.
/// </summary>
public sealed class DirectKernelsTests(ITestOutputHelper output)
{
    public static TheoryData<int, int, int, int, int, int> Shapes => new()
    {
        { 1, 1, 16, 5, 7, 9 },     // the first convolution of a U-Net: one input channel; W below one vector
        { 1, 20, 32, 6, 13, 37 },  // W = 2 vectors + 5; input channels not a multiple of 16
        { 2, 16, 16, 3, 4, 16 },   // a batch of two; W exactly one vector
        { 1, 8, 48, 2, 3, 50 },    // depth 2: every plane at a face
        { 1, 3, 16, 1, 1, 33 },    // a single row
    };

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void Matches_onnx_runtime_conv_and_a_double_precision_loop(int batch, int inputChannels, int outputChannels, int depth, int height, int width)
    {
        Skip.IfNot(DirectConv3x3x3.IsSupported, "this CPU has no AVX-512F, so SegWeb uses ONNX Runtime's Conv and there is no direct kernel to test");
        using var dir = new TempDirectory();
        var random = new Random(inputChannels * 1000 + width);
        var weights = Enumerable.Range(0, outputChannels * inputChannels * 27).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var bias = Enumerable.Range(0, outputChannels).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        string model = WriteConv(Path.Combine(dir.Path, "conv.onnx"), inputChannels, weights, bias);
        int voxels = depth * height * width;
        var input = Enumerable.Range(0, batch * inputChannels * voxels).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();

        long before = DirectConvOperator.ComputeCount;
        long[] shape = [batch, inputChannels, depth, height, width];
        var direct = RunRaw(model, new InferenceRuntimeOptions { IntraOpThreads = 2 }, input, shape);
        Assert.True(DirectConvOperator.ComputeCount > before, "the direct kernel did not run");
        var onnxRuntime = RunRaw(model, new InferenceRuntimeOptions { IntraOpThreads = 2, DirectKernels = false }, input, shape);
        var reference = Reference(input, weights, bias, batch, inputChannels, outputChannels, depth, height, width);

        double directError = MaxRelative(reference, direct), onnxError = MaxRelative(reference, onnxRuntime);
        output.WriteLine($"[{batch}, {inputChannels}→{outputChannels}, {depth}×{height}×{width}]: direct {directError:E2}, ONNX Runtime {onnxError:E2} (max |difference| / max |value| against double precision)");
        Assert.True(directError < 1e-5, $"direct kernel differs from the double-precision loop by {directError:E2}");
        Assert.True(MaxRelative(onnxRuntime, direct) < 1e-5, $"direct kernel differs from ONNX Runtime's Conv by {MaxRelative(onnxRuntime, direct):E2}");
    }

    public static TheoryData<int, int, int, int, int, int> TransposedShapes => new()
    {
        { 1, 32, 16, 3, 5, 7 },   // W below one vector: outputs masked at 14 of 32
        { 2, 16, 8, 2, 3, 20 },   // a batch of two; W = one vector + 4
        { 1, 5, 24, 4, 4, 16 },   // input channels not a multiple of anything; W exactly one vector
    };

    [SkippableTheory]
    [MemberData(nameof(TransposedShapes))]
    public void Transposed_convolution_matches_onnx_runtime_and_a_double_precision_loop(int batch, int inputChannels, int outputChannels, int depth, int height, int width)
    {
        Skip.IfNot(SegWebOperators.IsSupported, "this CPU has no AVX-512F, so SegWeb uses ONNX Runtime's ConvTranspose and there is no direct kernel to test");
        using var dir = new TempDirectory();
        var random = new Random(inputChannels * 100 + width);
        var weights = Enumerable.Range(0, inputChannels * outputChannels * 8).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var bias = Enumerable.Range(0, outputChannels).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var graph = new OnnxGraph("upsample");
        graph.AddInput("input", "N", (long)inputChannels, "D", "H", "W");
        graph.AddInitializer("w", [inputChannels, outputChannels, 2, 2, 2], weights);
        graph.AddInitializer("b", [outputChannels], bias);
        graph.AddNode("ConvTranspose", ["input", "w", "b"], "up", ("kernel_shape", new[] { 2, 2, 2 }), ("strides", new[] { 2, 2, 2 }));
        graph.AddOutput("up", "N", (long)outputChannels, "D2", "H2", "W2");
        string model = Path.Combine(dir.Path, "upsample.onnx");
        using (var stream = File.Create(model))
        {
            graph.Write(stream);
        }

        int voxels = depth * height * width;
        var input = Enumerable.Range(0, batch * inputChannels * voxels).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray();
        long before = DirectConvTransposeOperator.ComputeCount;
        var direct = RunRaw(model, new InferenceRuntimeOptions { IntraOpThreads = 2 }, input, [batch, inputChannels, depth, height, width]);
        Assert.True(DirectConvTransposeOperator.ComputeCount > before, "the direct kernel did not run");
        var onnxRuntime = RunRaw(model, new InferenceRuntimeOptions { IntraOpThreads = 2, DirectKernels = false }, input, [batch, inputChannels, depth, height, width]);
        var reference = new float[batch * outputChannels * 8 * voxels];
        for (int n = 0; n < batch; n++)
        {
            for (int o = 0; o < outputChannels; o++)
            {
                for (int z = 0; z < 2 * depth; z++)
                {
                    for (int y = 0; y < 2 * height; y++)
                    {
                        for (int x = 0; x < 2 * width; x++)
                        {
                            double sum = bias[o];
                            for (int i = 0; i < inputChannels; i++)
                            {
                                sum += (double)input[((((n * inputChannels) + i) * depth + (z / 2)) * height + (y / 2)) * width + (x / 2)]
                                    * weights[((((i * outputChannels) + o) * 2 + (z % 2)) * 2 + (y % 2)) * 2 + (x % 2)];
                            }

                            reference[((((n * outputChannels) + o) * 2 * depth + z) * 2 * height + y) * 2 * width + x] = (float)sum;
                        }
                    }
                }
            }
        }

        output.WriteLine($"[{batch}, {inputChannels}→{outputChannels}, {depth}×{height}×{width}] transposed: direct {MaxRelative(reference, direct):E2}, ONNX Runtime {MaxRelative(reference, onnxRuntime):E2}");
        Assert.True(MaxRelative(reference, direct) < 1e-5, $"direct kernel differs from the double-precision loop by {MaxRelative(reference, direct):E2}");
        Assert.True(MaxRelative(onnxRuntime, direct) < 1e-5, $"direct kernel differs from ONNX Runtime by {MaxRelative(onnxRuntime, direct):E2}");
    }

    [SkippableTheory]
    [InlineData(1, 3, 5, 7, 9, 0.01f)]    // spatial 315: not a multiple of 16, below one statistics block
    [InlineData(2, 4, 17, 16, 16, 0.2f)]  // spatial 4352: more than one 4096-value block; a batch of two
    public void Fused_instance_norm_and_leaky_relu_match_onnx_runtime_and_a_double_precision_loop(int batch, int channels, int depth, int height, int width, float alpha)
    {
        Skip.IfNot(SegWebOperators.IsSupported, "this CPU has no AVX-512F, so SegWeb uses ONNX Runtime's nodes and there is no fused kernel to test");
        using var dir = new TempDirectory();
        var random = new Random(channels * 7 + depth);
        var scale = Enumerable.Range(0, channels).Select(_ => (float)(random.NextDouble() + 0.5)).ToArray();
        var shift = Enumerable.Range(0, channels).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var graph = new OnnxGraph("norm");
        graph.AddInput("input", "N", (long)channels, "D", "H", "W");
        graph.AddInitializer("scale", [channels], scale);
        graph.AddInitializer("bias", [channels], shift);
        graph.AddNode("InstanceNormalization", ["input", "scale", "bias"], "normalised", ("epsilon", 1e-5f));
        graph.AddNode("LeakyRelu", ["normalised"], "output", ("alpha", alpha));
        graph.AddOutput("output", "N", (long)channels, "D", "H", "W");
        string model = Path.Combine(dir.Path, "norm.onnx");
        using (var stream = File.Create(model))
        {
            graph.Write(stream);
        }

        int spatial = depth * height * width;
        // An offset and spread per channel, as activations have: the variance must not drown in the mean.
        var input = new float[batch * channels * spatial];
        for (int i = 0; i < input.Length; i++)
        {
            int c = i / spatial % channels;
            input[i] = (float)((c * 3) + ((random.NextDouble() - 0.5) * (c + 1)));
        }

        long before = InstanceNormLeakyReluOperator.ComputeCount;
        long[] shape = [batch, channels, depth, height, width];
        var fused = RunRaw(model, new InferenceRuntimeOptions(), input, shape);
        Assert.True(InstanceNormLeakyReluOperator.ComputeCount > before, "the fused kernel did not run");
        var onnxRuntime = RunRaw(model, new InferenceRuntimeOptions { DirectKernels = false }, input, shape);
        var reference = new float[input.Length];
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                int start = ((n * channels) + c) * spatial;
                double mean = 0, variance = 0;
                for (int i = 0; i < spatial; i++)
                {
                    mean += input[start + i];
                }

                mean /= spatial;
                for (int i = 0; i < spatial; i++)
                {
                    variance += (input[start + i] - mean) * (input[start + i] - mean);
                }

                variance /= spatial;
                for (int i = 0; i < spatial; i++)
                {
                    double z = ((input[start + i] - mean) / Math.Sqrt(variance + 1e-5) * scale[c]) + shift[c];
                    reference[start + i] = (float)(z < 0 ? z * alpha : z);
                }
            }
        }

        output.WriteLine($"[{batch}, {channels}, {depth}×{height}×{width}], alpha {alpha}: fused {MaxRelative(reference, fused):E2}, ONNX Runtime {MaxRelative(reference, onnxRuntime):E2}");
        Assert.True(MaxRelative(reference, fused) < 1e-5, $"fused kernel differs from the double-precision loop by {MaxRelative(reference, fused):E2}");
        Assert.True(MaxRelative(onnxRuntime, fused) < 1e-5, $"fused kernel differs from ONNX Runtime by {MaxRelative(onnxRuntime, fused):E2}");
    }

    /// <summary>
    /// Regression: a small U-Net (direct convs, two strided Convs, ConvTransposes, skip Concats) on an input with named
    /// dimensions. The strided Conv leaves unnamed unknown dimensions; the operator's shape inference first returned
    /// them as the value -1 (the next strided Conv made that 0 and the Concat refused to load: "Can't merge shape
    /// info"), and before that released the input shapes ONNX Runtime owns (free(): double free, process aborted).
    /// </summary>
    [SkippableFact]
    public void A_unet_step_with_named_dimensions_loads_and_matches_onnx_runtime_with_and_without_a_fixed_patch()
    {
        Skip.IfNot(DirectConv3x3x3.IsSupported, "this CPU has no AVX-512F, so SegWeb uses ONNX Runtime's Conv and there is no direct kernel to test");
        using var dir = new TempDirectory();
        var random = new Random(5);
        float[] Weights(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5) * 0.3f)];
        var graph = new OnnxGraph("unet-step");
        graph.AddInput("input", "N", 16L, "D", "H", "W");
        graph.AddInitializer("w1", [16, 16, 3, 3, 3], Weights(16 * 16 * 27));
        graph.AddInitializer("w2", [32, 16, 3, 3, 3], Weights(32 * 16 * 27));
        graph.AddInitializer("w3", [32, 32, 3, 3, 3], Weights(32 * 32 * 27));
        graph.AddInitializer("w4", [32, 32, 3, 3, 3], Weights(32 * 32 * 27));
        graph.AddInitializer("wt1", [32, 32, 2, 2, 2], Weights(32 * 32 * 8));
        graph.AddInitializer("w5", [32, 64, 3, 3, 3], Weights(32 * 64 * 27));
        graph.AddInitializer("wt2", [32, 16, 2, 2, 2], Weights(32 * 16 * 8));
        graph.AddInitializer("w6", [16, 32, 3, 3, 3], Weights(16 * 32 * 27));
        var pad1 = ("pads", (object)new[] { 1, 1, 1, 1, 1, 1 });
        var k3 = ("kernel_shape", (object)new[] { 3, 3, 3 });
        var stride2 = ("strides", (object)new[] { 2, 2, 2 });
        var k2 = ("kernel_shape", (object)new[] { 2, 2, 2 });
        graph.AddInitializer("norm_scale", [16], Weights(16));
        graph.AddInitializer("norm_bias", [16], Weights(16));
        graph.AddNode("Conv", ["input", "w1"], "skip_conv", k3, pad1);
        graph.AddNode("InstanceNormalization", ["skip_conv", "norm_scale", "norm_bias"], "skip_norm", ("epsilon", 1e-5f));
        graph.AddNode("LeakyRelu", ["skip_norm"], "skip", ("alpha", 0.01f));
        graph.AddNode("Conv", ["skip", "w2"], "down", k3, pad1, stride2);
        graph.AddNode("Conv", ["down", "w3"], "down2", k3, pad1, stride2);
        graph.AddNode("Conv", ["down2", "w4"], "deep", k3, pad1);
        graph.AddNode("ConvTranspose", ["deep", "wt1"], "up", k2, stride2);
        graph.AddNode("Concat", ["down", "up"], "joined", ("axis", 1));
        graph.AddNode("Conv", ["joined", "w5"], "decoded", k3, pad1);
        graph.AddNode("ConvTranspose", ["decoded", "wt2"], "up2", k2, stride2);
        graph.AddNode("Concat", ["skip", "up2"], "joined2", ("axis", 1));
        graph.AddNode("Conv", ["joined2", "w6"], "output", k3, pad1);
        graph.AddOutput("output", "N", 16L, "D", "H", "W");
        string model = Path.Combine(dir.Path, "unet-step.onnx");
        using (var stream = File.Create(model))
        {
            graph.Write(stream);
        }

        int[] patch = [8, 12, 20];
        var input = Enumerable.Range(0, 16 * patch[0] * patch[1] * patch[2]).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        int outputs = 16 * patch[0] * patch[1] * patch[2];
        var onnxRuntime = Run(model, new InferenceRuntimeOptions { DirectKernels = false }, input, 1, outputs, patch);
        foreach (bool fixedPatch in new[] { false, true })
        {
            long before = DirectConvOperator.ComputeCount;
            long normsBefore = InstanceNormLeakyReluOperator.ComputeCount, upsamplingBefore = DirectConvTransposeOperator.ComputeCount;
            var direct = Run(model, new InferenceRuntimeOptions(), input, 1, outputs, patch, fixedPatch);
            Assert.True(DirectConvOperator.ComputeCount - before >= 4, "the direct kernel did not run for the four eligible convolutions");
            Assert.True(InstanceNormLeakyReluOperator.ComputeCount > normsBefore, "the fused normalisation did not run");
            Assert.True(DirectConvTransposeOperator.ComputeCount - upsamplingBefore >= 2, "the transposed-convolution kernel did not run twice");
            Assert.True(MaxRelative(onnxRuntime, direct) < 1e-5, $"fixed patch {fixedPatch}: differs from ONNX Runtime by {MaxRelative(onnxRuntime, direct):E2}");
        }
    }

    /// <summary>
    /// A kernel's refusal becomes ONNX Runtime's error for that run, naming the operator and the shapes, and the session
    /// stays usable: an exception must never cross from a kernel into native code.
    /// </summary>
    [SkippableFact]
    public void A_tensor_the_kernel_cannot_take_is_an_error_naming_the_operator_and_the_session_survives()
    {
        Skip.IfNot(SegWebOperators.IsSupported, "this CPU has no AVX-512F, so SegWeb uses ONNX Runtime's Conv and there is no direct kernel to test");
        using var dir = new TempDirectory();
        var graph = new OnnxGraph("any-channels");
        // Channels named, not fixed: ONNX Runtime does not check them against the weights, so the kernel sees 8 channels
        // for weights made for 16.
        graph.AddInput("input", "N", "C", "D", "H", "W");
        graph.AddInitializer("w", [16, 16, 3, 3, 3], new float[16 * 16 * 27]);
        graph.AddNode("Conv", ["input", "w"], "output", ("kernel_shape", new[] { 3, 3, 3 }), ("pads", new[] { 1, 1, 1, 1, 1, 1 }));
        graph.AddOutput("output", "N", 16L, "D", "H", "W");
        string model = Path.Combine(dir.Path, "any-channels.onnx");
        using (var stream = File.Create(model))
        {
            graph.Write(stream);
        }

        var error = Assert.ThrowsAny<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(() => RunRaw(model, new InferenceRuntimeOptions(), new float[8 * 4 * 4 * 4], [1, 8, 4, 4, 4]));
        output.WriteLine(error.Message);
        Assert.Contains("ai.segweb:Conv3x3x3", error.Message, StringComparison.Ordinal);
        Assert.Contains("[1, 8, 4, 4, 4]", error.Message, StringComparison.Ordinal);
        Assert.Contains("packed weights [1, 16, 27, 16]", error.Message, StringComparison.Ordinal);

        var result = RunRaw(model, new InferenceRuntimeOptions(), new float[16 * 4 * 4 * 4], [1, 16, 4, 4, 4]);
        Assert.Equal(16 * 4 * 4 * 4, result.Length);
    }

    [Fact]
    public void The_rewrite_renames_only_eligible_convolutions()
    {
        var graph = new OnnxGraph("mixed");
        graph.AddInput("input", 1L, 16L, 8L, 8L, 8L);
        var w16 = new float[16 * 16 * 27];
        graph.AddInitializer("w_eligible", [16, 16, 3, 3, 3], w16);
        graph.AddInitializer("w_strided", [16, 16, 3, 3, 3], w16);
        graph.AddInitializer("w_narrow", [8, 16, 3, 3, 3], new float[8 * 16 * 27]);
        graph.AddInitializer("w_unpadded", [16, 16, 3, 3, 3], w16);
        graph.AddInitializer("w_anisotropic", [16, 16, 3, 3, 3], w16);
        graph.AddNode("Conv", ["input", "w_eligible"], "a", ("kernel_shape", new[] { 3, 3, 3 }), ("pads", new[] { 1, 1, 1, 1, 1, 1 }), ("strides", new[] { 1, 1, 1 }));
        graph.AddNode("Conv", ["a", "w_strided"], "b", ("kernel_shape", new[] { 3, 3, 3 }), ("pads", new[] { 1, 1, 1, 1, 1, 1 }), ("strides", new[] { 2, 2, 2 }));
        graph.AddNode("Conv", ["a", "w_narrow"], "c", ("kernel_shape", new[] { 3, 3, 3 }), ("pads", new[] { 1, 1, 1, 1, 1, 1 }));
        graph.AddNode("Conv", ["a", "w_unpadded"], "d", ("kernel_shape", new[] { 3, 3, 3 }), ("pads", new int[6]));
        graph.AddNode("Conv", ["a", "w_anisotropic"], "e", ("kernel_shape", new[] { 3, 3, 3 }), ("pads", new[] { 1, 1, 1, 1, 1, 1 }), ("strides", new[] { 1, 2, 2 }));
        graph.AddOutput("b", 1L, 16L, 4L, 4L, 4L);
        graph.AddOutput("c", 1L, 8L, 8L, 8L, 8L);
        graph.AddOutput("d", 1L, 16L, 6L, 6L, 6L);
        graph.AddOutput("e", 1L, 16L, 8L, 4L, 4L);
        using var stream = new MemoryStream();
        graph.Write(stream);

        var rewritten = CpuOperatorRewrite.TryRewrite(stream.ToArray(), out int renamed);
        Assert.NotNull(rewritten);
        Assert.Equal(1, renamed); // not stride 2, 8 outputs, no padding or mixed strides
        Assert.Null(CpuOperatorRewrite.TryRewrite(rewritten, out int again)); // Conv3x3x3 is not renamed again
        Assert.Equal(0, again);
    }

    private static float[] Run(string model, InferenceRuntimeOptions options, float[] input, int batch, int outputPerItem, int[] patch, bool fixedPatch = false)
    {
        using var cache = new ModelSessionCache(options);
        var runner = cache.Runner(model, "input", "output", fixedPatch ? patch : null);
        var result = new float[batch * outputPerItem];
        runner.Run(input, result, batch, patch, CancellationToken.None);
        return result;
    }

    /// <summary>Runs the model's first output through a plain ONNX Runtime session with the runtime's rewrite and operators (any output shape).</summary>
    private static float[] RunRaw(string model, InferenceRuntimeOptions options, float[] input, long[] shape)
    {
        using var cache = new ModelSessionCache(options);
        var session = cache.Get(model);
        using var value = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(input, shape);
        using var results = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), ["input"], [value], [session.OutputNames[0]]);
        return [.. results[0].GetTensorDataAsSpan<float>()];
    }

    private static string WriteConv(string path, int inputChannels, float[] weights, float[] bias)
    {
        var graph = new OnnxGraph("conv3x3x3");
        graph.AddInput("input", "N", (long)inputChannels, "D", "H", "W");
        graph.AddInitializer("w", [bias.Length, inputChannels, 3, 3, 3], weights);
        graph.AddInitializer("b", [bias.Length], bias);
        graph.AddNode("Conv", ["input", "w", "b"], "output", ("kernel_shape", new[] { 3, 3, 3 }), ("strides", new[] { 1, 1, 1 }), ("pads", new[] { 1, 1, 1, 1, 1, 1 }));
        graph.AddOutput("output", "N", (long)bias.Length, "D", "H", "W");
        using var stream = File.Create(path);
        graph.Write(stream);
        return path;
    }

    private static float[] Reference(float[] input, float[] weights, float[] bias, int batch, int cin, int cout, int depth, int height, int width)
    {
        var result = new float[batch * cout * depth * height * width];
        for (int n = 0; n < batch; n++)
        {
            for (int o = 0; o < cout; o++)
            {
                for (int z = 0; z < depth; z++)
                {
                    for (int y = 0; y < height; y++)
                    {
                        for (int x = 0; x < width; x++)
                        {
                            double sum = bias[o];
                            for (int i = 0; i < cin; i++)
                            {
                                for (int kd = 0; kd < 3; kd++)
                                {
                                    for (int kh = 0; kh < 3; kh++)
                                    {
                                        for (int kw = 0; kw < 3; kw++)
                                        {
                                            int zz = z + kd - 1, yy = y + kh - 1, xx = x + kw - 1;
                                            if ((uint)zz < (uint)depth && (uint)yy < (uint)height && (uint)xx < (uint)width)
                                            {
                                                sum += (double)input[(((((n * cin) + i) * depth) + zz) * height + yy) * width + xx] * weights[(((o * cin) + i) * 27) + (kd * 9) + (kh * 3) + kw];
                                            }
                                        }
                                    }
                                }
                            }

                            result[(((((n * cout) + o) * depth) + z) * height + y) * width + x] = (float)sum;
                        }
                    }
                }
            }
        }

        return result;
    }

    private static double MaxRelative(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1e-6, expected.Max(Math.Abs));
        return expected.Zip(actual, (a, b) => Math.Abs(a - b) / scale).Max();
    }
}
