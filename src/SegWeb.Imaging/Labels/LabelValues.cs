using System.Numerics;
using SegWeb.Imaging.Volumes;

namespace SegWeb.Imaging.Labels;

/// <summary>Which label values a label map holds.</summary>
public static class LabelValues
{
    /// <summary>
    /// The distinct non-zero integer values of a label map, ascending (non-integer values of a float map are ignored).
    /// Scans runs of equal values, so a typical map costs little more than a vectorised pass over its background.
    /// </summary>
    public static int[] Present(Volume labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return VolumeDispatch.Apply(labels, new Collector());
    }

    private sealed class Collector : IVolumeFunc<int[]>
    {
        public int[] Invoke<T>(Volume<T> volume)
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            var found = new HashSet<int>();
            var sync = new object();
            var shape = volume.Shape;
            Parallel.For(0, shape.Z, () => new HashSet<int>(), (z, _, local) =>
            {
                ReadOnlySpan<T> slice = volume.Slice(z);
                int x = 0;
                while (x < slice.Length)
                {
                    int s = slice[x..].IndexOfAnyExcept(T.Zero);
                    if (s < 0)
                    {
                        break;
                    }

                    s += x;
                    T value = slice[s];
                    int len = slice[s..].IndexOfAnyExcept(value);
                    x = len < 0 ? slice.Length : s + len;
                    int key = int.CreateSaturating(value);
                    if (T.CreateTruncating(key) == value)
                    {
                        local.Add(key);
                    }
                }

                return local;
            }, local =>
            {
                lock (sync)
                {
                    found.UnionWith(local);
                }
            });
            return found.Order().ToArray();
        }
    }
}
