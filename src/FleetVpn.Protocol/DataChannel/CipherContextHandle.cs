using System.Runtime.InteropServices;

namespace FleetVpn.Protocol.DataChannel;

/// <summary>
/// An OpenSSL EVP_CIPHER_CTX, freed on Dispose or, when its owner (a thread's cache) is dropped undisposed, by the
/// finalizer: a thread's contexts must not outlive the thread.
/// </summary>
internal sealed class CipherContextHandle : SafeHandle
{
    private readonly LibCrypto _api;

    public CipherContextHandle(LibCrypto api) : base(0, ownsHandle: true)
    {
        _api = api;
        SetHandle(api.NewContext());
        if (IsInvalid) throw new OutOfMemoryException("EVP_CIPHER_CTX_new failed");
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        _api.FreeContext(handle);
        return true;
    }
}
