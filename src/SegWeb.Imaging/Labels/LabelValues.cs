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
    /// <param name="labels">The label map.</param>
    /// <param name="maxDistinct">
    /// Stop with an error beyond this many values: an image given by mistake as a label map must not become millions of
    /// "structures" (and the set that collects them must stay small).
    /// </param>
    /// <exception cref="SegWebException">More than <paramref name="maxDistinct"/> distinct values.</exception>
    public static int[] Present(Volume labels, int maxDistinct = 65536)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDistinct);
        return VolumeDispatch.Apply(labels, new Collector(maxDistinct));
    }

    private sealed class Collector(int maxDistinct) : IVolumeFunc<int[]>
    {
        public int[] Invoke<T>(Volume<T> volume)
            where T : unmanaged, INumber<T>, IMinMaxValue<T>
        {
            var found = new HashSet<int>();
            var sync = new object();
            var shape = volume.Shape;
            bool tooMany = false;

            // Too many values stops the loop (an exception inside Parallel.For would arrive wrapped in an AggregateException).
            Parallel.For(0, shape.Z, () => new HashSet<int>(), (z, state, local) =>
            {
                ReadOnlySpan<T> slice = volume.Slice(z);
                int x = 0;
                while (x < slice.Length && local.Count <= maxDistinct)
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

                if (local.Count > maxDistinct)
                {
                    state.Stop();
                }

                return local;
            }, local =>
            {
                lock (sync)
                {
                    found.UnionWith(local);
                    tooMany |= found.Count > maxDistinct;
                }
            });
            if (tooMany)
            {
                throw new SegWebException($"more than {maxDistinct} distinct label values: not a label map");
            }

            return found.Order().ToArray();
        }
    }
}
