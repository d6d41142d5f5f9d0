using SegWeb.Inference.Runtime;

namespace SegWeb.Inference.Tests.SlidingWindow;

/// <summary>A pointwise "network": logit c = scale[c] · input + offset[c]. Any correct sliding window returns exactly that.</summary>
internal sealed class PointwiseNetwork(float[] scale, float[] offset) : ITileNetwork
{
    public int Runs { get; private set; }

    public Action<int>? AfterRun { get; init; }

    public int InputChannels => 1;

    public int OutputChannels => scale.Length;

    public Inference.SlidingWindow.ClassifierHead? Head => null;

    public void Run(float[] input, float[] output, int batch, IReadOnlyList<int> patchSize, CancellationToken cancellationToken)
    {
        int pv = patchSize[0] * patchSize[1] * patchSize[2];
        for (int b = 0; b < batch; b++)
        {
            for (int c = 0; c < scale.Length; c++)
            {
                for (int i = 0; i < pv; i++)
                {
                    output[(((b * scale.Length) + c) * pv) + i] = (scale[c] * input[(b * pv) + i]) + offset[c];
                }
            }
        }

        Runs++;
        AfterRun?.Invoke(Runs);
    }
}

/// <summary>A pointwise two-channel "network": logit c = a[c] · channel 0 + b[c] · channel 1.</summary>
internal sealed class TwoChannelNetwork(float[] a, float[] b) : ITileNetwork
{
    public int InputChannels => 2;

    public int OutputChannels => a.Length;

    public Inference.SlidingWindow.ClassifierHead? Head => null;

    public void Run(float[] input, float[] output, int batch, IReadOnlyList<int> patchSize, CancellationToken cancellationToken)
    {
        int pv = patchSize[0] * patchSize[1] * patchSize[2];
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < a.Length; c++)
            {
                for (int i = 0; i < pv; i++)
                {
                    output[(((n * a.Length) + c) * pv) + i] = (a[c] * input[(((n * 2) + 0) * pv) + i]) + (b[c] * input[(((n * 2) + 1) * pv) + i]);
                }
            }
        }
    }
}
