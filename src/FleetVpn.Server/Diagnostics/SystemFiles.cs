namespace FleetVpn.Server.Diagnostics;

/// <summary>
/// Reads the kernel's files (/proc, /sys, /dev) under a root directory: "/" on a real machine, a folder with a
/// made-up tree in tests, so the doctor's checks and the metrics' kernel readings can be tried on known values.
/// </summary>
public sealed class SystemFiles
{
    public SystemFiles(string root) => Root = root;

    /// <summary>The machine's own files.</summary>
    public static SystemFiles Machine { get; } = new("/");

    public string Root { get; }

    /// <summary>The path of <paramref name="absolutePath"/> (e.g. /proc/net/snmp) under the root.</summary>
    public string PathOf(string absolutePath) => Path.Combine(Root, absolutePath.TrimStart('/'));

    /// <summary>The file's text, or null when it is missing or unreadable (a module not loaded, a kernel without it).</summary>
    public string? ReadText(string absolutePath)
    {
        try
        {
            return File.ReadAllText(PathOf(absolutePath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A sysctl by its dotted name (net.core.rmem_max is /proc/sys/net/core/rmem_max), trimmed; null when absent.</summary>
    public string? Sysctl(string name) => ReadText("/proc/sys/" + name.Replace('.', '/'))?.Trim();

    /// <summary>The sysctl's whitespace-separated numbers; null when absent or not numeric.</summary>
    public long[]? SysctlNumbers(string name)
    {
        var text = Sysctl(name);
        if (text is null) return null;
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var numbers = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out numbers[i])) return null;
        return numbers.Length == 0 ? null : numbers;
    }

    public bool Exists(string absolutePath) => Path.Exists(PathOf(absolutePath));
}
