using SegWeb.Server;

var app = ServerApplication.Build(args);
await app.RunAsync();

/// <summary>The entry point; public so tests can start the real server with WebApplicationFactory.</summary>
public partial class Program;
