namespace SegWeb.Models.Catalog;

/// <summary>
/// SHA-256 hashes of files inside TotalSegmentator's weights zips that have been published (TotalSegmentator's
/// own data carries none). Keyed by dataset id; each path is relative to the nnU-Net results folder inside the
/// dataset folder. Everything not listed here is recorded as unknown (null) in the catalogue.
/// </summary>
internal static class PublishedHashes
{
    /// <summary>The published hashes of one dataset, or an empty list.</summary>
    public static IReadOnlyList<(string File, string Sha256)> For(int datasetId) => datasetId switch
    {
        // Dataset297 (total --fast, 3 mm), release v2.0.0-weights: the hashes given in SegWeb's requirements.
        297 =>
        [
            ("fold_0/checkpoint_final.pth", "1e38e40356adc2706a662e365405a97f862d62a7da65f6bf81d025aee1b979ac"),
            ("plans.json", "d1cb3c15f53dc36fdb618e0f9082573d1f50b74a9b5fa73094ac8680845839f1"),
        ],
        _ => [],
    };
}
