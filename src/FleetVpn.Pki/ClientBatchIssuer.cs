using System.Diagnostics;

namespace FleetVpn.Pki;

/// <summary>What <c>fleetvpn pki clients</c> asks for.</summary>
public sealed record ClientBatchRequest
{
    /// <summary>How many client certificates to make (at least 1).</summary>
    public required int Count { get; init; }

    /// <summary>Common names are this prefix and a 6-digit number: <c>device-000001</c>.</summary>
    public string Prefix { get; init; } = PkiNames.DefaultClientPrefix;

    public int Days { get; init; } = CertificateAuthority.DefaultLeafDays;

    public PkiKeyType KeyType { get; init; } = PkiKeyType.EcdsaP256;

    /// <summary>The moment the certificates are made (default: now); tests set it.</summary>
    public DateTimeOffset? Now { get; init; }

    /// <summary>Most threads to use (default: every core).</summary>
    public int? MaxDegreeOfParallelism { get; init; }
}

/// <summary>What a batch made: numbers <see cref="FirstNumber"/> to <see cref="LastNumber"/>, in <see cref="Elapsed"/>.</summary>
public sealed record ClientBatchResult(string Prefix, long FirstNumber, long LastNumber, TimeSpan Elapsed)
{
    public int Count => checked((int)(LastNumber - FirstNumber + 1));

    public string FirstName => PkiNames.ClientName(Prefix, FirstNumber);

    public string LastName => PkiNames.ClientName(Prefix, LastNumber);

    public double PerSecond => Elapsed > TimeSpan.Zero ? Count / Elapsed.TotalSeconds : double.PositiveInfinity;
}

/// <summary>
/// Issues many client certificates on all cores: numbers are split into batches that
/// <see cref="Parallel.For(int, int, ParallelOptions, Func{int, ParallelLoopState, long, long})"/> hands to
/// workers, each with its own copy of the CA key; each certificate is a fresh key pair, a signature,
/// and two small files written straight from memory.
/// </summary>
internal static class ClientBatchIssuer
{
    /// <summary>Certificates per batch at most (progress moves in batches).</summary>
    private const int MaxBatchSize = 256;

    public static ClientBatchResult Issue(CertificateAuthority ca, ClientBatchRequest request, Action<int>? progress, CancellationToken cancellation)
    {
        if (request.Count < 1) throw new PkiException($"--count must be at least 1, not {request.Count}");
        PkiNames.ValidateClientPrefix(request.Prefix);
        var (notBefore, notAfter) = ca.LeafValidity(request.Days, request.Now);

        ca.EnsureLeafDirectories();
        var first = PkiNames.HighestClientNumber(ca.Layout, request.Prefix) + 1;
        var last = first + request.Count - 1;
        // The last name must still be a valid common name (length) before anything is written.
        PkiNames.ValidateCommonName(PkiNames.ClientName(request.Prefix, last));

        var common = CertificateProfiles.LeafCommonExtensions(CertificateRole.Client, request.KeyType, ca.AuthorityKeyIdentifier);
        var workers = Math.Max(1, request.MaxDegreeOfParallelism ?? Environment.ProcessorCount);
        // Enough batches to keep every worker busy to the end, none so large that progress stalls.
        var batchSize = Math.Clamp(request.Count / (workers * 16), 1, MaxBatchSize);
        var batches = (request.Count + batchSize - 1) / batchSize;
        var done = 0;

        var clock = Stopwatch.StartNew();
        try
        {
            Run();
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0 && e.InnerExceptions.All(x => x is PkiException))
        {
            // A refusal from a worker (a file that appeared meanwhile) reads as the refusal itself.
            throw e.InnerExceptions[0];
        }
        clock.Stop();
        return new ClientBatchResult(request.Prefix, first, last, clock.Elapsed);

        void Run() => Parallel.For(0, batches,
            new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellation },
            ca.CreateSigner,
            (batch, _, signer) =>
            {
                var start = batch * batchSize;
                var end = Math.Min(start + batchSize, request.Count);
                for (var i = start; i < end; i++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var name = PkiNames.ClientName(request.Prefix, first + i);
                    ca.Issue(signer, common, name, CertificateRole.Client, request.KeyType, notBefore, notAfter);
                }
                var total = Interlocked.Add(ref done, end - start);
                progress?.Invoke(total);
                return signer;
            },
            signer => signer.Dispose());
    }
}
