using System.Text;
using FleetVpn.Server.Config;

namespace FleetVpn.Fuzz.Targets;

/// <summary>
/// A server.conf as text (UTF-8), parsed and validated as <c>fleetvpn serve</c> does, with relative paths under Keys/
/// (the fixtures' PKI and static keys). A refused file is a <see cref="ConfigException"/>.
/// </summary>
public sealed class ServerConfigTarget : IFuzzTarget
{
    public string Name => "server-config";

    public void Run(ReadOnlySpan<byte> input)
    {
        try
        {
            ServerConfigParser.ParseText(Encoding.UTF8.GetString(input), "fuzz.conf", null, FuzzKeys.Directory);
        }
        catch (ConfigException)
        {
        }
    }
}
