namespace SegWeb.Inference.Tests;

public sealed class PartLabelMergerTests
{
    [Fact]
    public void Parts_map_to_global_ids_and_later_parts_win_where_both_have_foreground()
    {
        var merged = new byte[6];
        PartLabelMerger.Merge(merged, new byte[] { 0, 1, 2, 0, 1, 2 }, new Dictionary<int, int> { [1] = 5, [2] = 7 });
        Assert.Equal(new byte[] { 0, 5, 7, 0, 5, 7 }, merged);
        PartLabelMerger.Merge(merged, new byte[] { 1, 0, 0, 2, 0, 1 }, new Dictionary<int, int> { [1] = 30, [2] = 117 });
        Assert.Equal(new byte[] { 30, 5, 7, 117, 5, 30 }, merged);
    }

    [Fact]
    public void Unmapped_labels_and_size_mismatches_are_inference_errors()
    {
        Assert.Throws<InferenceException>(() => PartLabelMerger.Merge(new byte[2], new byte[] { 0, 3 }, new Dictionary<int, int> { [1] = 5 }));
        Assert.Throws<InferenceException>(() => PartLabelMerger.Merge(new byte[3], new byte[] { 0, 1 }, new Dictionary<int, int> { [1] = 5 }));
        Assert.Throws<InferenceException>(() => PartLabelMerger.Merge(new byte[2], new byte[] { 0, 1 }, new Dictionary<int, int> { [1] = 300 }));
    }
}
