using System.Globalization;
using System.Text;
using FleetVpn.Server.Logging;

namespace FleetVpn.Server.Routing;

/// <summary>
/// `ifconfig-pool-persist FILE [N]` (OpenVPN 2.6 pool.c): the file remembers which common name had
/// which pool address, one <c>common_name,ip4_address[,ip6_address]</c> a line. It is read when the
/// server starts (into <see cref="AddressPool.Remember"/>) and, with N &gt; 0, rewritten every N
/// seconds and at shutdown with every address that remembers a name, connected or not.
/// N = 0 makes the file read-only and its addresses fixed: each is only ever given to its own name.
/// </summary>
public sealed class PoolPersistence
{
    /// <summary>OpenVPN's default N.</summary>
    public const int DefaultIntervalSeconds = 600;

    private bool _warnedInPlace;

    public PoolPersistence(string path, int intervalSeconds = DefaultIntervalSeconds)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(intervalSeconds);
        Path = path;
        IntervalSeconds = intervalSeconds;
    }

    public string Path { get; }

    /// <summary>Seconds between rewrites; 0 = never written (see <see cref="IsReadOnly"/>).</summary>
    public int IntervalSeconds { get; }

    /// <summary>`ifconfig-pool-persist FILE 0`: read at start, never written, addresses fixed to their names.</summary>
    public bool IsReadOnly => IntervalSeconds == 0;

    /// <summary>One line of the file: a common name and its IPv4 address (host order).</summary>
    public readonly record struct Entry(string CommonName, uint Address);

    /// <summary>
    /// Reads the lines of a persist file. Empty lines and comments (<c>#</c>, <c>;</c>) are skipped silently;
    /// malformed lines (no address field, no common name, a bad IPv4 address, only an IPv6 address, which
    /// FleetVPN has no pool for) are skipped with a message to <paramref name="warn"/>.
    /// </summary>
    public static IReadOnlyList<Entry> Parse(string text, Action<string>? warn = null)
    {
        var entries = new List<Entry>();
        int number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            var fields = line.Split(',');
            if (fields.Length < 2)
            {
                warn?.Invoke($"line {number}: no address after the common name: '{line}'");
                continue;
            }
            string commonName = fields[0], ip4 = fields[1].Trim();
            if (commonName.Length == 0)
            {
                warn?.Invoke($"line {number}: no common name: '{line}'");
                continue;
            }
            if (ip4.Length == 0)
            {
                warn?.Invoke($"line {number}: no IPv4 address for CN={commonName} (FleetVPN has no IPv6 pool)");
                continue;
            }
            if (!TryParseIPv4(ip4, out uint address))
            {
                warn?.Invoke($"line {number}: invalid IPv4 ({ip4}) for CN={commonName}");
                continue;
            }
            entries.Add(new Entry(commonName, address));
        }
        return entries;
    }

    /// <summary>
    /// The file's text for <paramref name="entries"/>: <c>CN,IP4,</c> a line, as OpenVPN 2.6 writes it
    /// without an IPv6 pool. Names that could not be read back (with a comma or a line break) are left out.
    /// </summary>
    public static string Format(IEnumerable<(string CommonName, uint Address)> entries)
    {
        var text = new StringBuilder();
        foreach (var (name, address) in entries)
        {
            if (name.Length == 0 || name.AsSpan().IndexOfAny(",\r\n") >= 0) continue;
            text.Append(name).Append(',').Append(AddressPool.ToAddress(address)).Append(",\n");
        }
        return text.ToString();
    }

    /// <summary>
    /// Reads the file into <paramref name="pool"/>; lines whose address is outside the pool's client range
    /// are skipped with a warning. A missing file is an empty one (it is created by the first write).
    /// Returns how many addresses the pool now remembers from the file.
    /// </summary>
    public int Load(AddressPool pool, ServerLog log)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path);
        }
        catch (FileNotFoundException)
        {
            log.Info($"ifconfig-pool-persist {Path}: no file yet{(IsReadOnly ? "" : ", it is written later")}");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Info($"WARNING: ifconfig-pool-persist {Path}: cannot read: {e.Message}", "pool-persist");
            return 0;
        }

        int remembered = 0;
        foreach (var entry in Parse(text, message => log.Info($"WARNING: ifconfig-pool-persist {Path}: {message}", "pool-persist")))
        {
            if (pool.Remember(entry.CommonName, entry.Address, isFixed: IsReadOnly))
            {
                remembered++;
                log.Debug($"ifconfig-pool-persist: {entry.CommonName} -> {AddressPool.ToAddress(entry.Address)}");
            }
            else
            {
                log.Info($"WARNING: ifconfig-pool-persist {Path}: IPv4 ({AddressPool.ToAddress(entry.Address)}) out of pool range for CN={entry.CommonName}", "pool-persist");
            }
        }
        log.Info($"ifconfig-pool-persist {Path}: {remembered} address(es) remembered{(IsReadOnly ? " (read-only, fixed)" : $", rewritten every {IntervalSeconds} s")}");
        return remembered;
    }

    /// <summary>
    /// Rewrites the file with every address <paramref name="pool"/> remembers (nothing when read-only).
    /// Failures are logged, not thrown; returns whether the file was written.
    /// </summary>
    public bool Save(AddressPool pool, ServerLog log)
    {
        if (IsReadOnly) return false;
        string text = Format(pool.RememberedAddresses());
        try
        {
            WriteAtomically(Path, text);
            return true;
        }
        catch (UnauthorizedAccessException) when (File.Exists(Path))
        {
            // The directory refuses the temporary file (typical after `user`/`group` when only the file
            // itself was handed to that user): rewrite in place, as OpenVPN does.
            if (!_warnedInPlace)
            {
                _warnedInPlace = true;
                log.Info($"WARNING: ifconfig-pool-persist {Path}: its directory is not writable, so the file is rewritten in place (not atomically)");
            }
            try
            {
                File.WriteAllText(Path, text);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.Info($"WARNING: ifconfig-pool-persist {Path}: cannot write: {e.Message}", "pool-persist");
                return false;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.Info($"WARNING: ifconfig-pool-persist {Path}: cannot write: {e.Message}", "pool-persist");
            return false;
        }
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="contents"/> so that a reader sees the old file
    /// or the new one, never a part: the text goes to a temporary file beside it (same permissions as
    /// the old file), is flushed to disk, then renamed over it.
    /// </summary>
    public static void WriteAtomically(string path, string contents)
    {
        string directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        string temp = System.IO.Path.Combine(directory,
            $".{System.IO.Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid().ToString("N")[..8]}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                options.UnixCreateMode = File.GetUnixFileMode(path);
            }
            catch (FileNotFoundException)
            {
                // a new file: the default mode (umask)
            }
        }
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(contents));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* best effort */ }
            throw;
        }
    }

    /// <summary>A dotted quad, strictly (four decimal parts 0-255; no short or octal forms).</summary>
    private static bool TryParseIPv4(string text, out uint address)
    {
        address = 0;
        var parts = text.Split('.');
        if (parts.Length != 4) return false;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int b) || b > 255)
                return false;
            address = (address << 8) | (uint)b;
        }
        return true;
    }
}
