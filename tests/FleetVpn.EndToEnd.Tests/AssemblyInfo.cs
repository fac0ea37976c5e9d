using System.Runtime.Versioning;

// The end-to-end tests create network namespaces, tun devices and UDP/TCP listeners with
// fixed ports: they must never run at the same time as each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// Network namespaces, tun devices, setns(2): Linux only.
[assembly: SupportedOSPlatform("linux")]
