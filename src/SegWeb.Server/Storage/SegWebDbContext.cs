using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using SegWeb.Server.Audit;
using SegWeb.Server.Jobs;

namespace SegWeb.Server.Storage;

/// <summary>
/// The server's SQLite database: Identity's tables plus API keys, inputs, their files and tus uploads.
/// Created with EnsureCreated at start (see docs/server.md: migrations come with the first schema change after release).
/// </summary>
public sealed class SegWebDbContext(DbContextOptions<SegWebDbContext> options) : IdentityDbContext<SegWebUser>(options)
{
    public DbSet<ApiKeyRecord> ApiKeys => Set<ApiKeyRecord>();

    public DbSet<InputRecord> Inputs => Set<InputRecord>();

    public DbSet<InputFileRecord> InputFiles => Set<InputFileRecord>();

    public DbSet<UploadRecord> Uploads => Set<UploadRecord>();

    public DbSet<JobRecord> Jobs => Set<JobRecord>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<ApiKeyRecord>(e =>
        {
            e.HasIndex(k => k.Hash).IsUnique();
            e.HasIndex(k => k.OwnerId);
            e.HasOne<SegWebUser>().WithMany().HasForeignKey(k => k.OwnerId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<InputRecord>(e =>
        {
            e.HasIndex(i => i.OwnerId);
            e.HasMany(i => i.Files).WithOne().HasForeignKey(f => f.InputId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<SegWebUser>().WithMany().HasForeignKey(i => i.OwnerId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<JobRecord>(e =>
        {
            e.HasIndex(j => j.OwnerId);
            e.HasIndex(j => j.State);
            e.HasOne<SegWebUser>().WithMany().HasForeignKey(j => j.OwnerId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<InputRecord>().WithMany().HasForeignKey(j => j.InputId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<AuditEvent>(e =>
        {
            e.HasIndex(a => a.Time);
            e.Property(a => a.Action).HasMaxLength(32);
        });
        builder.Entity<UploadRecord>(e =>
        {
            e.HasIndex(u => u.OwnerId);
            e.HasOne<SegWebUser>().WithMany().HasForeignKey(u => u.OwnerId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
