using FleetVpn.Server.Diagnostics;

namespace FleetVpn.Server.Tests.Diagnostics;

/// <summary>A made-up /proc, /sys and /dev under a temporary folder, with the values a test writes; deleted on dispose.</summary>
internal sealed class FakeSystemTree : IDisposable
{
    public FakeSystemTree()
    {
        Root = Directory.CreateTempSubdirectory("fleetvpn-fake-root-").FullName;
        Files = new SystemFiles(Root);
    }

    public string Root { get; }
    public SystemFiles Files { get; }

    /// <summary>Writes <paramref name="text"/> at <paramref name="absolutePath"/> (e.g. /proc/net/snmp) inside the tree.</summary>
    public FakeSystemTree Write(string absolutePath, string text)
    {
        var path = Files.PathOf(absolutePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return this;
    }

    /// <summary>A sysctl by its dotted name, as the kernel shows it (value and a newline).</summary>
    public FakeSystemTree Sysctl(string name, string value) => Write("/proc/sys/" + name.Replace('.', '/'), value + "\n");

    public void Remove(string absolutePath) => File.Delete(Files.PathOf(absolutePath));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
