using System.Diagnostics;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A server's status file, OpenVPN status-version 1 (what <c>status FILE N</c> writes by default):
/// "OpenVPN CLIENT LIST" (Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since),
/// "ROUTING TABLE" (Virtual Address,Common Name,Real Address,Last Ref), "GLOBAL STATS", "END".
/// </summary>
public sealed record StatusFile(IReadOnlyList<StatusFile.Client> Clients, IReadOnlyList<StatusFile.Route> Routes, string Text)
{
    public sealed record Client(string CommonName, string RealAddress);

    public sealed record Route(string VirtualAddress, string CommonName, string RealAddress);

    /// <summary>
    /// Reads a complete status file (one that ends with "END"); null while it does not exist or
    /// is being rewritten in place (openvpn truncates and rewrites it; FleetVPN renames a new one over it).
    /// </summary>
    public static StatusFile? TryRead(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != "OpenVPN CLIENT LIST" || lines[^1] != "END") return null;

        var clients = new List<Client>();
        var routes = new List<Route>();
        string? section = null;
        foreach (var line in lines.Skip(1))
        {
            if (line is "ROUTING TABLE" or "GLOBAL STATS" or "END") { section = line; continue; }
            if (line.StartsWith("Updated,", StringComparison.Ordinal) || line.StartsWith("Common Name,", StringComparison.Ordinal)
                || line.StartsWith("Virtual Address,", StringComparison.Ordinal))
                continue;
            var fields = line.Split(',');
            if (section is null && fields.Length >= 2) clients.Add(new Client(fields[0], fields[1]));
            else if (section == "ROUTING TABLE" && fields.Length >= 3) routes.Add(new Route(fields[0], fields[1], fields[2]));
        }
        return new StatusFile(clients, routes, text);
    }

    /// <summary>
    /// Polls the file (every 50 ms, for at most <paramref name="timeout"/>) until a complete version
    /// satisfies <paramref name="condition"/>; returns it, or null when none did in time.
    /// </summary>
    public static async Task<StatusFile?> WaitForAsync(string path, Func<StatusFile, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (TryRead(path) is { } status && condition(status)) return status;
            await Task.Delay(50);
        }
        return null;
    }

    /// <summary>True when the client list or the routing table names <paramref name="commonName"/>.</summary>
    public bool Lists(string commonName) =>
        Clients.Any(c => c.CommonName == commonName) || Routes.Any(r => r.CommonName == commonName);
}
