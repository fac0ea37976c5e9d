using System.Text;
using FleetVpn.Server.Config;

namespace FleetVpn.Fuzz.Targets;

/// <summary>A client-config-dir file as text (UTF-8). A refused file is a <see cref="ConfigException"/>.</summary>
public sealed class ClientConfigTarget : IFuzzTarget
{
    public string Name => "client-config";

    public void Run(ReadOnlySpan<byte> input)
    {
        try
        {
            ClientConfigFile.ParseText(Encoding.UTF8.GetString(input), "ccd/fuzz");
        }
        catch (ConfigException)
        {
        }
    }
}
