using System.Text.Json;
using SegWeb.Models.Catalog;

namespace SegWeb.Models.Tests.Catalog;

/// <summary>
/// The generator against TotalSegmentator's task data, and the committed <c>models/catalog.json</c> against the
/// generator. Regenerate the committed file with <c>SEGWEB_UPDATE_CATALOG=1 dotnet test ... --filter CatalogGeneratorTests</c>.
/// </summary>
public sealed class CatalogGeneratorTests
{
    private const string TasksJson = "totalsegmentator/totalsegmentator_tasks.json";

    private static string CommittedPath => Path.Combine(RepoPaths.Root, "models", "catalog.json");

    [SkippableFact]
    public void Committed_catalog_is_exactly_what_the_generator_makes()
    {
        var source = TestData.Require(TasksJson);
        var generated = TaskCatalog.Serialize(CatalogGenerator.GenerateFromFile(source));
        if (Environment.GetEnvironmentVariable("SEGWEB_UPDATE_CATALOG") == "1")
        {
            File.WriteAllText(CommittedPath, generated);
        }

        var committed = File.ReadAllText(CommittedPath);
        Assert.True(committed == generated,
            "models/catalog.json differs from the generator's output; run the tests with SEGWEB_UPDATE_CATALOG=1 and commit the file.");
    }

    [SkippableFact]
    public void Generator_is_deterministic()
    {
        var source = TestData.Require(TasksJson);
        var first = TaskCatalog.Serialize(CatalogGenerator.GenerateFromFile(source));
        var second = TaskCatalog.Serialize(CatalogGenerator.GenerateFromFile(source));
        Assert.Equal(first, second);
        Assert.DoesNotContain("\r", first, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Total_default_is_five_part_models_at_1_5_mm()
    {
        var catalog = Generate();
        var resolved = catalog.Resolve("total");
        Assert.Equal(new[] { 291, 292, 293, 294, 295 }, resolved.Models.Select(m => m.DatasetId));
        Assert.Equal(new[] { 1.5, 1.5, 1.5 }, resolved.Variant.TargetSpacingMm);
        Assert.Equal("nnUNetTrainerNoMirroring", resolved.Variant.Trainer);
        Assert.Equal("3d_fullres", resolved.Variant.Configuration);
        Assert.Equal(new[] { 0 }, resolved.Variant.Folds);
        Assert.Equal(117, catalog.Classes("total").Count);
        Assert.Equal("https://github.com/wasserth/TotalSegmentator/releases/download/v2.0.0-weights/Dataset291_TotalSegmentator_part1_organs_1559subj.zip",
            resolved.Models[0].Url);
        Assert.Equal("class_map_part_organs", resolved.Models[0].PartName);
    }

    [SkippableFact]
    public void Total_fast_is_297_at_3_mm_and_fastest_is_298_at_6_mm_with_published_hashes()
    {
        var catalog = Generate();
        var fast = catalog.Resolve("total", fast: true);
        var fastest = catalog.Resolve("total", fastest: true);
        Assert.Equal(297, Assert.Single(fast.Models).DatasetId);
        Assert.Equal(298, Assert.Single(fastest.Models).DatasetId);
        Assert.Equal(new[] { 3.0, 3.0, 3.0 }, fast.Variant.TargetSpacingMm);
        Assert.Equal(new[] { 6.0, 6.0, 6.0 }, fastest.Variant.TargetSpacingMm);
        Assert.Equal("nnUNetTrainer_4000epochs_NoMirroring", fast.Variant.Trainer);

        var known = fast.Models[0].KnownFiles.ToDictionary(f => f.Path, f => f.Sha256);
        Assert.Equal("1e38e40356adc2706a662e365405a97f862d62a7da65f6bf81d025aee1b979ac",
            known["nnUNetTrainer_4000epochs_NoMirroring__nnUNetPlans__3d_fullres/fold_0/checkpoint_final.pth"]);
        Assert.Equal("d1cb3c15f53dc36fdb618e0f9082573d1f50b74a9b5fa73094ac8680845839f1",
            known["nnUNetTrainer_4000epochs_NoMirroring__nnUNetPlans__3d_fullres/plans.json"]);
        Assert.Null(fast.Models[0].ZipSha256);
        Assert.Null(fast.Models[0].ZipSize);
        Assert.Empty(fastest.Models[0].KnownFiles);

        // A whole-task model outputs the task's own ids.
        Assert.All(fast.Models[0].Labels!, l => Assert.Equal(l.Local, l.Global));
        Assert.Equal(117, fast.Models[0].Labels!.Count);
    }

    [SkippableFact]
    public void Part_labels_match_an_independent_python_reading_of_the_source()
    {
        var source = TestData.Require(TasksJson);
        ReferencePython.Require("json");
        // Python computes, for every multi-model task, "dataset local global" lines by structure name.
        const string script = """
            import json, sys
            d = json.load(open(sys.argv[1]))
            parts = {**{k: ('class_map_5_parts', v) for k, v in d['map_taskid_to_partname_ct'].items()},
                     **{k: ('class_map_parts_mr', v) for k, v in d['map_taskid_to_partname_mr'].items()}}
            for task, cfg in d['task_configs'].items():
                modes = cfg['sub_modes'].values() if 'sub_modes' in cfg else [cfg]
                for m in modes:
                    ids = m['task_id'] if isinstance(m['task_id'], list) else [m['task_id']]
                    if len(ids) < 2 or task == 'test':
                        continue
                    inv = {v: int(k) for k, v in d['class_map'][task].items()}
                    for tid in ids:
                        if str(tid) not in parts:
                            print(task, tid, 'unknown')
                            continue
                        section, name = parts[str(tid)]
                        for local, cls in d[section][name].items():
                            print(task, tid, local, inv[cls])
            """;
        var expected = ReferencePython.Run(script, source).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();

        var catalog = new TaskCatalog(CatalogGenerator.GenerateFromFile(source));
        var actual = new List<string>();
        foreach (var task in catalog.Tasks)
        {
            foreach (var model in task.Variants.Where(v => v.Models.Count > 1).SelectMany(v => v.Models))
            {
                if (model.Labels is null)
                {
                    actual.Add($"{task.Name} {model.DatasetId} unknown");
                    continue;
                }

                actual.AddRange(model.Labels.Select(l => $"{task.Name} {model.DatasetId} {l.Local} {l.Global}"));
            }
        }

        actual.Sort(StringComparer.Ordinal);
        Assert.True(expected.Count >= 117 + 50, $"reference produced only {expected.Count} lines");
        Assert.Equal(expected, actual);

        // The five parts together cover every total class exactly once.
        var globals = catalog.Resolve("total").Models.SelectMany(m => m.Labels!).Select(l => l.Global).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 117), globals);
        var mr = catalog.Resolve("total_mr").Models.SelectMany(m => m.Labels!).Select(l => l.Global).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 50), mr);
    }

    [SkippableFact]
    public void Every_task_and_class_map_of_the_source_is_in_the_catalogue()
    {
        var source = TestData.Require(TasksJson);
        using var doc = JsonDocument.Parse(File.ReadAllText(source));
        var catalog = new TaskCatalog(CatalogGenerator.GenerateFromFile(source));
        var names = doc.RootElement.GetProperty("task_configs").EnumerateObject().Select(p => p.Name).Where(n => n != "test").ToList();
        Assert.Equal(names, catalog.Tasks.Select(t => t.Name));
        foreach (var name in names)
        {
            var map = doc.RootElement.GetProperty("class_map").GetProperty(name);
            var classes = catalog.Classes(name);
            Assert.Equal(map.EnumerateObject().Count(), classes.Count);
            foreach (var c in classes)
            {
                Assert.Equal(map.GetProperty(c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetString(), c.Name);
            }
        }
    }

    [SkippableFact]
    public void Licence_and_unreleased_tasks_have_no_url()
    {
        var catalog = Generate();
        var tissue = catalog.Get("tissue_types");
        Assert.Equal(TaskAvailability.Licence, tissue.Availability);
        Assert.Null(tissue.Variants[0].Models[0].Url);
        Assert.Equal("Dataset481_tissue_1559subj", tissue.Variants[0].Models[0].FolderName);

        Assert.Equal(TaskAvailability.Unreleased, catalog.Get("total_highres_test").Availability);
        Assert.Equal(TaskAvailability.Open, catalog.Get("total").Availability);
        Assert.Equal(TaskAvailability.Open, catalog.Get("lung_vessels").Availability);
        Assert.All(catalog.Tasks.Where(t => t.Availability == TaskAvailability.Open).SelectMany(t => t.Variants).SelectMany(v => v.Models),
            m => Assert.StartsWith(CatalogGenerator.WeightsBaseUrl + "/v", m.Url, StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Anisotropic_spacing_auxiliary_labels_and_unknown_part_maps_are_kept()
    {
        var catalog = Generate();
        Assert.Equal(new[] { 0.703125, 0.703125, 1.0 }, catalog.Resolve("lung_vessels").Variant.TargetSpacingMm);
        Assert.Null(catalog.Resolve("lung_vessels_LEGACY").Variant.TargetSpacingMm);
        Assert.Null(catalog.Resolve("pleural_pericard_effusion").Variant.Folds);
        Assert.Equal("3d_lowres_high", catalog.Resolve("teeth").Variant.Configuration);
        Assert.Equal("craniofacial_structures", catalog.Resolve("teeth").Variant.CropModel);

        var appendicular = catalog.Resolve("appendicular_bones").Models[0].Labels!;
        Assert.Equal(11, appendicular.Count(l => l.Global != 0));
        Assert.Equal(new[] { 12, 13, 14, 15 }, appendicular.Where(l => l.Global == 0).Select(l => l.Local));

        // total_v3's parts (831-835) have no part map in TotalSegmentator's data: the catalogue says "unknown".
        Assert.All(catalog.Resolve("total_v3").Models, m => Assert.Null(m.Labels));
    }

    private static TaskCatalog Generate() => new(CatalogGenerator.GenerateFromFile(TestData.Require(TasksJson)));
}
