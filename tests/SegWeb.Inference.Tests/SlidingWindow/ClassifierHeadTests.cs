using System.Runtime.Intrinsics;
using SegWeb.Imaging.Labels;
using SegWeb.Inference.SlidingWindow;
using Xunit.Abstractions;

namespace SegWeb.Inference.Tests.SlidingWindow;

/// <summary>The head's fused argmax against its class rows followed by the running argmax, which it replaces in the aggregator.</summary>
public sealed class ClassifierHeadTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(118, 32, 1000)]
    [InlineData(118, 32, 37)]
    [InlineData(9, 5, 16)]
    [InlineData(3, 7, 5)]
    [InlineData(1, 4, 33)]
    public void The_fused_argmax_gives_exactly_the_labels_of_class_rows_and_the_running_argmax(int classes, int features, int width)
    {
        var random = new Random((classes * 31) + width);
        var weights = new float[classes * features];
        var bias = new float[classes];
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)(random.NextDouble() - 0.5);
        }

        for (int c = 0; c < classes; c++)
        {
            bias[c] = (float)(random.NextDouble() - 0.5);
        }

        if (classes > 7)
        {
            // Class 7 is a copy of class 3: every voxel ties there, and the lower class must win, as in RunningArgmax.
            Array.Copy(weights, 3 * features, weights, 7 * features, features);
            bias[7] = bias[3];
        }

        var featureRows = new float[features * width];
        for (int i = 0; i < featureRows.Length; i++)
        {
            featureRows[i] = (float)((random.NextDouble() * 4) - 2);
        }

        var head = new ClassifierHead(classes, features, weights, bias);
        var expected = Reference(head, featureRows, width);
        var actual = new float[width];
        if (!head.TryArgmax(featureRows, width, actual))
        {
            Assert.False(Vector512.IsHardwareAccelerated);
            output.WriteLine("512-bit vectors are not accelerated here: TryArgmax declines and the aggregator uses the class rows (checked: it returned false)");
            return;
        }

        Assert.Equal(expected, actual);
        var distinct = actual.Distinct().Count();
        output.WriteLine($"{classes} classes, {features} features, {width} voxels: {distinct} different labels, all equal to the reference");
        Assert.True(classes == 1 || distinct > 1, "the data should exercise more than one class");
        if (classes > 7)
        {
            Assert.DoesNotContain(7f, actual);
        }
    }

    private static float[] Reference(ClassifierHead head, float[] features, int width)
    {
        var best = new float[width];
        var labels = new float[width];
        Array.Fill(best, float.NegativeInfinity);
        var rows = new float[4 * width];
        for (int first = 0; first < head.Classes; first += 4)
        {
            int count = Math.Min(4, head.Classes - first);
            head.ClassRows(first, features, width, rows.AsSpan(0, count * width));
            for (int k = 0; k < count; k++)
            {
                RunningArgmax.Update(rows.AsSpan(k * width, width), first + k, best, labels);
            }
        }

        return labels;
    }
}
