using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace SegWeb.Server.Tests.Viewer;

/// <summary>
/// A tiny Kestrel static host for the viewer tests (the app shell with its pages is built elsewhere): the built
/// bundle under /dist/, a test page at /viewer-test.html, and NIfTI files the test registers under /data/ (with range
/// support, as the real results endpoint has).
/// </summary>
public sealed class ViewerTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ViewerTestHost(WebApplication app, TempDirectory data, Uri address)
    {
        _app = app;
        Data = data;
        Address = address;
    }

    /// <summary>wwwroot/dist of the server project, where web/build.mjs writes the bundles.</summary>
    public static string DistFolder => Path.Combine(RepoPaths.Root, "src", "SegWeb.Server", "wwwroot", "dist");

    /// <summary>Files put here are served at /data/{name}.</summary>
    public TempDirectory Data { get; }

    public Uri Address { get; }

    public static async Task<ViewerTestHost> StartAsync()
    {
        var data = new TempDirectory("segweb-viewer-data");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".gz"] = "application/gzip";
        types.Mappings[".nii"] = "application/octet-stream";
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(DistFolder), RequestPath = "/dist", ContentTypeProvider = types });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(data.Path), RequestPath = "/data", ContentTypeProvider = types });
        app.MapGet("/viewer-test.html", () => Results.Content(ViewerTestPage.Html, "text/html; charset=utf-8"));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ViewerTestHost(app, data, new Uri(address));
    }

    /// <summary>Copies (or hard-links when it can) a file into /data/ under a name; returns its URL path.</summary>
    public string Serve(string sourcePath, string name)
    {
        File.Copy(sourcePath, Data.File(name), overwrite: true);
        return "/data/" + name;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Data.Dispose();
    }
}
