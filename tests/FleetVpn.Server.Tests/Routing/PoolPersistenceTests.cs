using System.Net;
using FleetVpn.Server.Logging;
using FleetVpn.Server.Routing;
using FleetVpn.Server.Tests.Config;

namespace FleetVpn.Server.Tests.Routing;

public sealed class PoolPersistenceTests : IDisposable
{
    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static AddressPool Pool() => new(IPAddress.Parse("10.8.0.0"), IPAddress.Parse("255.255.255.0"));

    private static uint A(string text) => AddressPool.ToUInt32(IPAddress.Parse(text));

    private static (ServerLog Log, StringWriter Output) Log()
    {
        var output = new StringWriter();
        return (new ServerLog(verb: 3, mute: 0, output), output);
    }

    [Fact]
    public void OpenVpn_lines_parse_with_and_without_the_ipv6_field()
    {
        var entries = PoolPersistence.Parse("client1,10.8.0.4,\nclient2,10.8.0.5\r\nclient3,10.8.0.6,fd00::1006\n");
        Assert.Equal(
            [new("client1", A("10.8.0.4")), new("client2", A("10.8.0.5")), new PoolPersistence.Entry("client3", A("10.8.0.6"))],
            entries);
    }

    [Fact]
    public void Malformed_lines_are_skipped_with_a_warning_and_the_rest_is_read()
    {
        var warnings = new List<string>();
        var entries = PoolPersistence.Parse(
            "# comment\n" +
            "; comment\n" +
            "\n" +
            "just-a-name\n" +
            ",10.8.0.9,\n" +
            "v6only,,fd00::2\n" +
            "bad,10.8.0.300,\n" +
            "short,10.8,\n" +
            "words,not-an-address,\n" +
            "good,10.8.0.10,\n",
            warnings.Add);

        Assert.Equal([new PoolPersistence.Entry("good", A("10.8.0.10"))], entries);
        Assert.Equal(6, warnings.Count);
        Assert.StartsWith("line 4:", warnings[0]);
        Assert.Contains("10.8.0.300", warnings[3]);
    }

    [Fact]
    public void Write_then_read_gives_the_same_names_and_addresses()
    {
        var path = Path.Combine(_temp.Path, "ipp.txt");
        var pool = Pool();
        Assert.True(pool.TryAllocate("device-1", out _));
        Assert.True(pool.TryAllocate("device-2", out var second));
        pool.Release(second);
        Assert.True(pool.Remember("device-9", A("10.8.0.99")));
        var (log, _) = Log();

        Assert.True(new PoolPersistence(path, 600).Save(pool, log));
        Assert.Equal("device-1,10.8.0.2,\ndevice-2,10.8.0.3,\ndevice-9,10.8.0.99,\n", File.ReadAllText(path));

        var restarted = Pool();
        Assert.Equal(3, new PoolPersistence(path, 600).Load(restarted, log));
        Assert.Equal(pool.RememberedAddresses(), restarted.RememberedAddresses());
        Assert.True(restarted.TryAllocate("device-9", out var address));
        Assert.Equal(A("10.8.0.99"), address);
        Assert.True(restarted.TryAllocate("newcomer", out var fresh));
        Assert.Equal(A("10.8.0.4"), fresh);
    }

    [Fact]
    public void Load_warns_about_addresses_outside_the_pool()
    {
        var path = _temp.File("ipp.txt", "inside,10.8.0.7,\noutside,10.9.0.7,\nserver,10.8.0.1,\n");
        var (log, output) = Log();
        var pool = Pool();

        Assert.Equal(1, new PoolPersistence(path, 600).Load(pool, log));
        Assert.True(log.Flush()); // the log is written by its own thread
        Assert.Contains("10.9.0.7) out of pool range for CN=outside", output.ToString());
        Assert.Contains("10.8.0.1) out of pool range for CN=server", output.ToString());
        Assert.Equal([("inside", A("10.8.0.7"))], pool.RememberedAddresses());
    }

    [Fact]
    public void A_missing_file_is_empty_and_is_created_by_the_first_write()
    {
        var path = Path.Combine(_temp.Path, "ipp.txt");
        var (log, _) = Log();
        var pool = Pool();
        var persistence = new PoolPersistence(path, 600);

        Assert.Equal(0, persistence.Load(pool, log));
        Assert.True(pool.TryAllocate("a", out _));
        Assert.True(persistence.Save(pool, log));
        Assert.Equal("a,10.8.0.2,\n", File.ReadAllText(path));
    }

    [Fact]
    public void Interval_zero_reads_fixed_addresses_and_never_writes()
    {
        var path = _temp.File("ipp.txt", "gateway,10.8.0.2,\n");
        var (log, _) = Log();
        var pool = Pool();
        var persistence = new PoolPersistence(path, 0);

        Assert.True(persistence.IsReadOnly);
        Assert.Equal(1, persistence.Load(pool, log));
        Assert.True(pool.TryAllocate("other", out var other));
        Assert.Equal(A("10.8.0.3"), other);

        Assert.False(persistence.Save(pool, log));
        Assert.Equal("gateway,10.8.0.2,\n", File.ReadAllText(path));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_atomic_write_replaces_the_file_keeps_its_mode_and_leaves_no_temporary_file()
    {
        var path = _temp.File("ipp.txt", "old,10.8.0.2,\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        PoolPersistence.WriteAtomically(path, "new,10.8.0.3,\n");

        Assert.Equal("new,10.8.0.3,\n", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal([path], Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public async Task A_reader_never_sees_a_partly_written_file()
    {
        var path = _temp.File("ipp.txt", Content(0));
        using var stop = new CancellationTokenSource();
        var torn = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var text = File.ReadAllText(path);
                if (text.Length == 0 || !text.EndsWith(",\n", StringComparison.Ordinal) || text.Split('\n').Length != 201) torn++;
            }
        });
        for (int i = 1; i <= 200; i++) PoolPersistence.WriteAtomically(path, Content(i));
        stop.Cancel();
        await reader;

        Assert.Equal(0, torn);
        Assert.Equal(Content(200), File.ReadAllText(path));

        static string Content(int generation) =>
            string.Concat(Enumerable.Range(0, 200).Select(n => $"gen{generation}-device-{n},10.8.{n / 250}.{2 + n % 250},\n"));
    }

    [Fact]
    public void A_failed_write_leaves_the_old_file_and_is_logged()
    {
        var path = Path.Combine(_temp.Path, "missing-dir", "ipp.txt");
        var (log, output) = Log();
        var pool = Pool();
        Assert.True(pool.TryAllocate("a", out _));

        Assert.False(new PoolPersistence(path, 600).Save(pool, log));
        Assert.True(log.Flush());
        Assert.Contains("cannot write", output.ToString());
    }

    [Fact]
    public void Names_that_cannot_be_read_back_are_not_written()
    {
        var text = PoolPersistence.Format([("ok", A("10.8.0.2")), ("with,comma", A("10.8.0.3")), ("line\nbreak", A("10.8.0.4"))]);
        Assert.Equal("ok,10.8.0.2,\n", text);
    }
}
