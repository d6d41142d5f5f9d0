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
        options.Outputs.Add("dicom-seg");
        options.Outputs.Remove("segmentations");

        var input = Guid.NewGuid();
        var request = options.ToRequest(input);
        Assert.Equal(input, request.InputId);
        Assert.Equal(["liver"], request.RoiSubset);
        Assert.True(request.Fastest);
        Assert.False(request.Fast);
        // In the API's order, whatever order they were ticked in.
        Assert.Equal(["multilabel", "dicom-seg", "statistics"], request.Outputs);
    }
}
