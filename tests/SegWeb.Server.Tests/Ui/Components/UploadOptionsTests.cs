using SegWeb.Server.Components.Upload;

namespace SegWeb.Server.Tests.Ui.Components;

/// <summary>The upload form's options: ROI autocomplete and the job request they make.</summary>
public sealed class UploadOptionsTests
{
    private static readonly string[] Classes = ["spleen", "kidney_right", "kidney_left", "liver", "stomach"];

    [Fact]
    public void Roi_suggestions_match_any_part_of_a_name_ignoring_case_and_leave_out_chosen_ones()
    {
        var options = UploadOptions.Defaults("total");
        Assert.Equal(["kidney_right", "kidney_left"], options.SuggestRoi(Classes, " KIDney"));
        Assert.True(options.AddRoi(Classes, "kidney_left"));
        Assert.Equal(["kidney_right"], options.SuggestRoi(Classes, "kidney"));
        Assert.Equal(4, options.SuggestRoi(Classes, "").Count());
    }

    [Fact]
    public void Only_the_tasks_own_classes_join_the_roi_subset_once_and_they_reach_the_request()
    {
        var options = UploadOptions.Defaults("total");
        Assert.False(options.AddRoi(Classes, "brain"));
        Assert.False(options.AddRoi(Classes, ""));
        Assert.True(options.AddRoi(Classes, "liver"));
        Assert.False(options.AddRoi(Classes, "liver"));
        options.Resolution = Resolution.Fastest;
        options.Outputs.Remove("segmentations");
        options.Outputs.Remove("preview");

        var input = Guid.NewGuid();
        var request = options.ToRequest(input);
        Assert.Equal(input, request.InputId);
        Assert.Equal(["liver"], request.RoiSubset);
        Assert.True(request.Fastest);
        Assert.False(request.Fast);
        // The API's result file names (statistics is two files), in the form's order whatever order they were ticked in.
        Assert.Equal(["multilabel.nii.gz", "seg.dcm", "statistics.json", "statistics.csv"], request.Outputs);
        Assert.All(request.Outputs!, o => Assert.Contains(o, SegWeb.Server.Segmentation.JobOutputSelection.Known));
    }

    [Fact]
    public void Every_output_ticked_is_sent_as_the_servers_defaults_so_a_NIfTI_drop_is_not_refused_for_DICOM_SEG()
    {
        // Regression: the form sent its own names ("segmentations", …) and the server failed the job "unknown output".
        var request = UploadOptions.Defaults("total").ToRequest(Guid.NewGuid());
        Assert.Empty(request.Outputs!);
    }
}
