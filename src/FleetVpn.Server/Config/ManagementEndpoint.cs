using System.Net;

namespace FleetVpn.Server.Config;

/// <summary>
/// Where the management interface listens: a TCP address and port (<c>management IP PORT</c>) or a unix
/// socket (<c>management PATH unix</c>), and the password a connection must give first, when a PWFILE was named.
/// </summary>
public sealed record ManagementEndpoint(IPAddress? Address, int Port, string? UnixPath, string? Password)
{
    public bool IsUnix => UnixPath is not null;

    public override string ToString() => UnixPath is { } path ? $"unix:{path}" : $"{Address}:{Port}";
}
