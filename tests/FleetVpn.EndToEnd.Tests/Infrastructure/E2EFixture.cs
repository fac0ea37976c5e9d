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

    /// <summary>Writes <paramref name="config"/> and starts the server under test in the server namespace.</summary>
    public Task<ServerProcess> StartServerAsync(ITestOutputHelper output, ServerConfig? config = null)
    {
        config ??= new ServerConfig();
        var n = Interlocked.Increment(ref _fileCounter);
        var path = Path.Combine(TempDirectory, $"server-{n}.conf");
        File.WriteAllText(path, config.Render(Pki, Namespaces.ServerAddress, Path.Combine(TempDirectory, $"status-{n}.log")));
        output.WriteLine($"server config {path}:\n{File.ReadAllText(path)}");
        return ServerProcess.StartAsync(ServerKind, Namespaces.Server, path, TempDirectory, output, ServerReadyTimeout);
    }

    /// <summary>Writes a client config and starts the real openvpn client in the client namespace.</summary>
    public OpenVpnClient StartClient(ITestOutputHelper output, ClientConfig config, int port = ServerConfig.DefaultPort)
    {
        var n = Interlocked.Increment(ref _fileCounter);
        var path = Path.Combine(TempDirectory, $"client-{config.Identity.CommonName}-{n}.conf");
        File.WriteAllText(path, config.Render(Pki, Namespaces.ServerAddress, port));
        return OpenVpnClient.Start(Namespaces.Client, config.Identity.CommonName, config.Device, path, TempDirectory, output);
    }

    /// <summary>Starts a client and waits until it is connected.</summary>
    public async Task<OpenVpnClient> ConnectClientAsync(ITestOutputHelper output, ClientConfig config)
    {
        var client = StartClient(output, config);
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
