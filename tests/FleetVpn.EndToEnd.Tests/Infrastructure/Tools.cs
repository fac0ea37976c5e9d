namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>Finds the external programs the tests run, by absolute path.</summary>
public static class Tools
{
    private static readonly string[] ExtraDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>The absolute path of <paramref name="name"/> on PATH or in the usual system folders, or null.</summary>
    public static string? Find(string name)
    {
        if (name.Contains('/')) return File.Exists(name) ? name : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(ExtraDirectories))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static string Resolve(string name) =>
        Find(name) ?? throw new FileNotFoundException($"`{name}` is not installed (not on PATH nor in /usr/sbin, /sbin, /usr/bin, /bin)");

    /// <summary>The `dotnet` host that runs fleetvpn.dll.</summary>
    public static string? FindDotnet()
    {
        var fromHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromHost) && File.Exists(fromHost)) return fromHost;
        var processPath = Environment.ProcessPath;
        if (processPath is not null && Path.GetFileName(processPath) == "dotnet") return processPath;
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        return Find("dotnet");
    }
}
