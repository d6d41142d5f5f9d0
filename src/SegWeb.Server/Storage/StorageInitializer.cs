using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SegWeb.Server.Accounts;
using SegWeb.Server.Jobs;
using SegWeb.Server.Options;

namespace SegWeb.Server.Storage;

/// <summary>
/// Runs once at start, before requests: creates the data folder and the database, sweeps files a crash left behind,
/// creates the roles, and on the very first start the administrator.
/// </summary>
internal sealed partial class StorageInitializer(IServiceProvider services, FileStore store, IOptions<ServerOptions> options, ILogger<StorageInitializer> logger) : IHostedService
{
    /// <summary>Set once the database is usable; /health/ready reports it.</summary>
    public bool IsReady { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        store.EnsureFolders();
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        await db.Database.EnsureCreatedAsync(cancellationToken);
        await CheckSchemaAsync(db, cancellationToken);

        var inputs = (await db.Inputs.Select(i => i.Id).ToListAsync(cancellationToken)).ToHashSet();
        var uploads = (await db.Uploads.Where(u => u.ResultInputId == null).Select(u => u.Id).ToListAsync(cancellationToken)).ToHashSet();
        int swept = store.Sweep(inputs, uploads);
        if (swept > 0)
        {
            LogSwept(swept, store.Root);
        }

        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in new[] { Roles.Admin, Roles.User })
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)), $"create role {role}");
            }
        }

        var users = scope.ServiceProvider.GetRequiredService<UserManager<SegWebUser>>();
        if (!await users.Users.AnyAsync(cancellationToken))
        {
            var admin = options.Value.Admin;
            bool generated = string.IsNullOrEmpty(admin.Password);
            string password = generated ? GeneratePassword() : admin.Password!;
            var user = new SegWebUser { UserName = admin.Email, Email = admin.Email, EmailConfirmed = true };
            Check(await users.CreateAsync(user, password), $"create the administrator {admin.Email}");
            Check(await users.AddToRolesAsync(user, [Roles.Admin, Roles.User]), "give the administrator its roles");
            if (generated)
            {
                // Printed once, on the first start only: the operator's one way to log in before setting a password.
                LogGeneratedAdmin(admin.Email, password);
            }
            else
            {
                LogConfiguredAdmin(admin.Email);
            }
        }

        // A crash or restart loses no job: whatever SQLite shows queued or running is handed to the queue again
        // (the queue's jobs are idempotent; see IJobQueue.EnqueueAsync).
        var queue = scope.ServiceProvider.GetRequiredService<IJobQueue>();
        if (queue.IsAvailable)
        {
            var pending = await db.Jobs.Where(j => j.State == JobState.Queued || j.State == JobState.Running)
                .OrderBy(j => j.CreatedAt).Select(j => j.Id).ToListAsync(cancellationToken);
            foreach (var id in pending)
            {
                await queue.EnqueueAsync(id, cancellationToken);
            }

            if (pending.Count > 0)
            {
                LogRequeued(pending.Count);
            }
        }

        IsReady = true;
        LogReady(store.Root);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// EnsureCreated does nothing to a database that exists, so one made by an older build lacks newer tables and columns
    /// (there are no migrations before the first release). Say so at start instead of failing requests later.
    /// </summary>
    private async Task CheckSchemaAsync(SegWebDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            _ = await db.AuditEvents.AnyAsync(cancellationToken);
            _ = await db.Jobs.OrderBy(j => j.ExpiresAt).Select(j => j.ExpiresAt).FirstOrDefaultAsync(cancellationToken);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            throw new InvalidOperationException(
                $"The database {store.DatabasePath} was created by an older SegWeb build and lacks part of the current schema ({e.Message}). " +
                "There are no migrations before the first release: move the data folder away (or delete it) and start again.", e);
        }
    }

    private static string GeneratePassword() =>
        // 18 random bytes in URL-safe base64, plus one of each class Identity's default password rules demand.
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_') + "a1A!";

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Cannot {what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "First start: created the administrator {Email} with the one-time password {Password} (log in and create an API key; this is printed only once)")]
    private partial void LogGeneratedAdmin(string email, string password);

    [LoggerMessage(Level = LogLevel.Information, Message = "First start: created the administrator {Email} with the configured password")]
    private partial void LogConfiguredAdmin(string email);

    [LoggerMessage(Level = LogLevel.Information, Message = "Swept {Count} leftover files or folders from {DataFolder}")]
    private partial void LogSwept(int count, string dataFolder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Enqueued again {Count} jobs that were queued or running before the restart")]
    private partial void LogRequeued(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage ready in {DataFolder}")]
    private partial void LogReady(string dataFolder);
}
