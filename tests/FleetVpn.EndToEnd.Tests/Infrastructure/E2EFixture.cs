using System.Globalization;

namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// What one test class shares: checked prerequisites, a <see cref="NetworkNamespacePair"/>, a
/// temp folder for its configuration files, and the run's <see cref="TestPki"/>. Each test starts its own server and clients in
/// these namespaces (so no state leaks between tests) and stops them before it ends.
/// </summary>
public sealed class E2EFixture : IAsyncLifetime
{
    private const string TempPrefix = "fve2e-";

    /// <summary>
    /// One set of certificates for the whole run (RSA key generation takes seconds), in its own
    /// temp folder, deleted when the test host exits.
    /// </summary>
    private static readonly Lazy<TestPki> SharedPki = new(() =>
    {
        RemoveStaleTempDirectories();
        var directory = Path.Combine(Path.GetTempPath(), $"{TempPrefix}{Environment.ProcessId}-pki");
        CleanupRegistry.AddDirectory(directory);
        return TestPki.Create(directory);
    });

    private NetworkNamespacePair? _namespaces;
    private TestPki? _pki;
    private int _fileCounter;
    private readonly SemaphoreSlim _staticKeysGate = new(1, 1);

    public ServerKind ServerKind => E2ESettings.Server;

    public NetworkNamespacePair Namespaces => _namespaces ?? throw new InvalidOperationException("fixture not initialised");

    public TestPki Pki => _pki ?? throw new InvalidOperationException("fixture not initialised");

    public string TempDirectory { get; } =
        Path.Combine(Path.GetTempPath(), $"{TempPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}");

    /// <summary>How long a server may take to print its ready line.</summary>
    public static readonly TimeSpan ServerReadyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a good client may take to connect.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    public async Task InitializeAsync()
    {
        Prerequisites.Require();
        Directory.CreateDirectory(TempDirectory);
        _pki = SharedPki.Value;
        _namespaces = await NetworkNamespacePair.CreateAsync();
    }

    public Task DisposeAsync()
    {
        _namespaces?.Dispose();
        try { Directory.Delete(TempDirectory, recursive: true); }
        catch (IOException) { /* removed by a later run's RemoveStaleTempDirectories */ }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Writes <paramref name="config"/> and starts a server in the server namespace: the server under
    /// test, or <paramref name="kind"/> when a test compares it with another one.
    /// </summary>
    /// <param name="environment">Variables added to the server's environment (e.g. NOTIFY_SOCKET), or null.</param>
    public Task<ServerProcess> StartServerAsync(ITestOutputHelper output, ServerConfig? config = null, ServerKind? kind = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        config ??= new ServerConfig();
        var n = Interlocked.Increment(ref _fileCounter);
        var path = Path.Combine(TempDirectory, $"server-{n}.conf");
        var statusPath = Path.Combine(TempDirectory, $"status-{n}.log");
        File.WriteAllText(path, config.Render(Pki, Namespaces.ServerAddress, statusPath));
        output.WriteLine($"server config {path}:\n{File.ReadAllText(path)}");
        return ServerProcess.StartAsync(kind ?? ServerKind, Namespaces.Server, path, TempDirectory, output, ServerReadyTimeout, statusPath, environment);
    }

    /// <summary>
    /// Writes a client config and starts the real openvpn client in client namespace
    /// <paramref name="side"/> (default: the first), aimed at the server's address on that side's veth link.
    /// </summary>
    public OpenVpnClient StartClient(ITestOutputHelper output, ClientConfig config, ClientSide? side = null, int port = ServerConfig.DefaultPort)
    {
        side ??= Namespaces.FirstClient;
        var n = Interlocked.Increment(ref _fileCounter);
        var path = Path.Combine(TempDirectory, $"client-{config.Identity.CommonName}-{n}.conf");
        File.WriteAllText(path, config.Render(Pki, side.ServerAddress, port));
        return OpenVpnClient.Start(side.Namespace, config.Identity.CommonName, config.Device, path, TempDirectory, output);
    }

    /// <summary>Starts a client and waits until it is connected.</summary>
    public async Task<OpenVpnClient> ConnectClientAsync(ITestOutputHelper output, ClientConfig config, ClientSide? side = null)
    {
        var client = StartClient(output, config, side);
        try
        {
            await client.WaitConnectedAsync(ConnectTimeout);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The path of an OpenVPN static key (<c>openvpn --genkey secret FILE</c>, the format both
    /// tls-auth and tls-crypt read) named <paramref name="name"/> in this class's temp folder,
    /// generated on first use; the same name gives the same key for the rest of the class.
    /// </summary>
    public async Task<string> StaticKeyAsync(string name)
    {
        if (name.Length == 0 || name.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
            throw new ArgumentException($"'{name}' is not a plain key name (letters, digits, '-')", nameof(name));
        var path = Path.Combine(TempDirectory, $"{name}.key");
        await _staticKeysGate.WaitAsync();
        try
        {
            if (File.Exists(path)) return path;
            var result = await Commands.RunAsync(Tools.Resolve("openvpn"), ["--genkey", "secret", path], Commands.DefaultTimeout);
            if (!result.Succeeded || !File.Exists(path)) throw new InvalidOperationException("could not generate a static key:\n" + result);
            return path;
        }
        finally
        {
            _staticKeysGate.Release();
        }
    }

    private static void RemoveStaleTempDirectories()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), TempPrefix + "*"))
        {
            var owner = Path.GetFileName(dir)[TempPrefix.Length..].Split('-')[0];
            if (int.TryParse(owner, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ProcessKiller.IsAlive(pid))
                continue;
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { /* in use or gone: leave it */ }
            catch (UnauthorizedAccessException) { /* not ours to remove */ }
        }
    }
}
