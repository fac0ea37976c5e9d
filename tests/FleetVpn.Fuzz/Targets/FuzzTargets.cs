namespace FleetVpn.Fuzz.Targets;

/// <summary>Every fuzz target; FleetVpn.Fuzz.Tests fails when one has no seeds.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<string> Names { get; } =
    [
        "packet-header", "tls-auth", "tls-crypt", "reliability", "key-method-2", "control-messages",
        "data-aead", "data-cbc", "server-config", "client-config",
    ];

    /// <summary>A new instance of the target named <paramref name="name"/>; null when there is none.</summary>
    public static IFuzzTarget? Create(string name) => name switch
    {
        "packet-header" => new PacketHeaderTarget(),
        "tls-auth" => new TlsAuthTarget(),
        "tls-crypt" => new TlsCryptTarget(),
        "reliability" => new ReliabilityTarget(),
        "key-method-2" => new KeyMethod2Target(),
        "control-messages" => new ControlMessagesTarget(),
        "data-aead" => new DataAeadTarget(),
        "data-cbc" => new DataCbcTarget(),
        "server-config" => new ServerConfigTarget(),
        "client-config" => new ClientConfigTarget(),
        _ => null,
    };

    /// <summary>The seed folder of a target in the build output.</summary>
    public static string CorpusDirectory(string name) => Path.Combine(AppContext.BaseDirectory, "Corpus", name);
}
