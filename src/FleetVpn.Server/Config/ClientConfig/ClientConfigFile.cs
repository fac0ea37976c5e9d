namespace FleetVpn.Server.Config;

/// <summary>
/// Reads a client-config-dir file into a <see cref="ClientConfig"/>. The text is read exactly as
/// server.conf is (<see cref="ConfigReader"/>: comments, quoting, a leading <c>--</c>), as OpenVPN reads
/// it with <c>options_server_import()</c>. FleetVPN accepts <c>ifconfig-push</c>, <c>push</c>,
/// <c>push-reset</c>, <c>disable</c> and <c>iroute</c>; any other directive, including those OpenVPN
/// allows there (<c>ifconfig-ipv6-push</c>, <c>iroute-ipv6</c>, <c>push-remove</c>, <c>config</c>,
/// <c>setenv</c>, ...), is a <see cref="ConfigException"/> with the file, line and directive.
/// </summary>
public static class ClientConfigFile
{
    /// <summary>The reason given for a directive FleetVPN does not take in a client-config-dir file.</summary>
    public const string NotSupportedReason = "not supported in client-config-dir files";

    /// <summary>Reads and parses the file at <paramref name="path"/>; errors name the file as given.</summary>
    /// <exception cref="ConfigException">The file cannot be read, or a line is refused.</exception>
    public static ClientConfig Parse(string path)
    {
        if (!ConfigFiles.TryReadText(Path.GetFullPath(path), out var text, out var reason))
            throw new ConfigException(path, 0, null, $"cannot read the client-config-dir file: {reason}");
        return ParseText(text, path);
    }

    /// <summary>Parses client-config-dir text as if read from a file named <paramref name="fileName"/> (used only in messages).</summary>
    /// <exception cref="ConfigException">A line is refused.</exception>
    public static ClientConfig ParseText(string text, string fileName)
    {
        ClientIfconfigPush? ifconfigPush = null;
        var push = new List<string>();
        var pushReset = false;
        var disable = false;
        var iroutes = new List<ClientIRoute>();

        foreach (var directive in ConfigReader.ReadText(text, fileName))
        {
            switch (directive.Name)
            {
                case "ifconfig-push":
                    ifconfigPush = ParseIfconfigPush(directive);
                    break;
                case "push":
                    push.Add(ConfigValues.PushOption(directive, DirectiveArguments.Single(directive)));
                    break;
                case "push-reset":
                    DirectiveArguments.None(directive);
                    push.Clear();
                    pushReset = true;
                    break;
                case "disable":
                    DirectiveArguments.None(directive);
                    disable = true;
                    break;
                case "iroute":
                    iroutes.Add(ParseIRoute(directive));
                    break;
                default:
                    throw directive.Error(NotSupportedReason);
            }
        }

        if (ifconfigPush is null && push.Count == 0 && !pushReset && !disable && iroutes.Count == 0) return ClientConfig.Empty;
        return new ClientConfig
        {
            IfconfigPush = ifconfigPush,
            Push = push,
            PushReset = pushReset,
            Disable = disable,
            IRoutes = iroutes,
        };
    }

    private static ClientIfconfigPush ParseIfconfigPush(ConfigDirective directive)
    {
        var arguments = DirectiveArguments.Expect(directive, 2, 3);
        if (arguments.Count == 3) throw directive.Error("not supported: the third argument (alias address)");
        var address = ConfigValues.IPv4(directive, arguments[0]);
        var netmask = ConfigValues.IPv4(directive, arguments[1]);
        var addressBits = ConfigValues.ToUInt32(address);
        var maskBits = ConfigValues.ToUInt32(netmask);

        var prefix = ConfigValues.PrefixLength(maskBits);
        if (prefix <= 0)
            throw directive.Error($"{netmask} is not a netmask (with topology subnet the second value is the client's netmask, e.g. 255.255.255.0)");
        if (addressBits == 0) throw directive.Error("0.0.0.0 cannot be a client address");
        // Below /31 the all-zeros and all-ones host parts are the network and broadcast addresses.
        if (prefix <= 30)
        {
            var host = addressBits & ~maskBits;
            if (host == 0) throw directive.Error($"{address} is the network address of netmask {netmask}, not a client address");
            if (host == ~maskBits) throw directive.Error($"{address} is the broadcast address of netmask {netmask}, not a client address");
        }
        return new ClientIfconfigPush(address, netmask);
    }

    private static ClientIRoute ParseIRoute(ConfigDirective directive)
    {
        // option_iroute() in options.c: without a netmask the route is a host route (netbits 32).
        var arguments = DirectiveArguments.Expect(directive, 1, 2);
        var network = ConfigValues.IPv4(directive, arguments[0]);
        var netmask = arguments.Count == 2 ? ConfigValues.IPv4(directive, arguments[1]) : ConfigValues.FromUInt32(uint.MaxValue);
        var networkBits = ConfigValues.ToUInt32(network);
        var maskBits = ConfigValues.ToUInt32(netmask);

        if (ConfigValues.PrefixLength(maskBits) < 0) throw directive.Error($"{netmask} is not a netmask");
        if ((networkBits & maskBits) != networkBits)
            throw directive.Error($"{network} is not the network address of netmask {netmask} (did you mean {ConfigValues.FromUInt32(networkBits & maskBits)}?)");
        return new ClientIRoute(network, netmask);
    }
}
