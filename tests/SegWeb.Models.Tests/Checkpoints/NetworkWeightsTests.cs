using SegWeb.Models.Checkpoints;
using SegWeb.Models.Tests.Parity;

namespace SegWeb.Models.Tests.Checkpoints;

/// <summary>The duplicate keys nnU-Net's modules put in every state dict (all_modules.*, decoder.encoder.*).</summary>
public sealed class NetworkWeightsTests
{
    [Theory]
    [InlineData("encoder.stages.0.0.convs.1.all_modules.0.weight", "encoder.stages.0.0.convs.1.conv.weight")]
    [InlineData("encoder.stages.0.0.convs.1.all_modules.1.bias", "encoder.stages.0.0.convs.1.norm.bias")]
    [InlineData("decoder.encoder.stages.2.0.convs.0.conv.bias", "encoder.stages.2.0.convs.0.conv.bias")]
    [InlineData("decoder.encoder.stem.convs.0.all_modules.1.weight", "encoder.stem.convs.0.norm.weight")]
    [InlineData("decoder.encoder.stages.1.blocks.0.skip.1.all_modules.0.weight", "encoder.stages.1.blocks.0.skip.1.conv.weight")]
    [InlineData("decoder.stages.0.convs.0.conv.weight", "decoder.stages.0.convs.0.conv.weight")]
    [InlineData("decoder.transpconvs.3.weight", "decoder.transpconvs.3.weight")]
    public void Alias_keys_map_to_their_canonical_names(string key, string canonical) =>
        Assert.Equal(canonical, NetworkWeights.CanonicalName(key));

    [SkippableFact]
    public void Real_state_dict_duplicates_fold_into_canonical_names()
    {
        // The parity reference saves the state dict exactly as nnU-Net's modules produce it.
        var checkpoint = Path.Combine(ParityCases.Folder("res_aniso_5stages_2ch_stem"), NnUNetReference.ConfigurationFolder, "fold_0", "checkpoint_final.pth");
        using var nn = NnUNetCheckpoint.Open(checkpoint);
        var rawKeys = ((Pickle.PyDict)((Pickle.PyDict)nn.Checkpoint.Root!)["network_weights"]!).Keys.Cast<string>().ToList();

        int aliases = rawKeys.Count(k => k.Contains(".all_modules.", StringComparison.Ordinal) || k.StartsWith("decoder.encoder.", StringComparison.Ordinal));
        Assert.True(aliases > 0, "the reference state dict should carry nnU-Net's duplicate keys");
        Assert.Equal(aliases, nn.Weights.AliasCount);
        Assert.Equal(rawKeys.Count - aliases, nn.Weights.Names.Count);
        Assert.DoesNotContain(nn.Weights.Names, k => k.Contains(".all_modules.", StringComparison.Ordinal) || k.StartsWith("decoder.encoder.", StringComparison.Ordinal));
        Assert.Contains("encoder.stem.convs.0.conv.weight", nn.Weights.Names);
        Assert.Contains("encoder.stages.0.blocks.0.skip.0.conv.weight", nn.Weights.Names); // stem 3 → 4 features: projection
    }

    [SkippableFact]
    public void Alias_with_different_data_is_refused()
    {
        var path = CheckpointFixtures.File("inconsistent_duplicates.pth");

        var ex = Assert.Throws<CheckpointFormatException>(() => NnUNetCheckpoint.Open(path));

        Assert.Contains("all_modules.0.weight", ex.Message, StringComparison.Ordinal);
        Assert.Contains("differs", ex.Message, StringComparison.Ordinal);
    }
}
