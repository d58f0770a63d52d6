using System.Net.Sockets;
using TamTam.Gateway.Transports;

namespace TamTam.Gateway.Tests.Transports;

/// <summary>Preparing a Unix socket path: stale files go, a live listener stops the start.</summary>
public sealed class UnixSocketFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"tt-{Guid.NewGuid():N}"[..11] + ".sock");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void A_socket_file_nobody_listens_on_is_removed()
    {
        TransportSiloFixture.LeaveStaleSocketFile(_path);
        Assert.True(File.Exists(_path));

        Assert.Equal(_path, UnixSocketFile.PrepareForListen(_path));

        Assert.False(File.Exists(_path));
    }

    [Fact]
    public void A_path_a_process_listens_on_is_refused_and_left_alone()
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(_path));
        listener.Listen();

        InvalidOperationException refused = Assert.Throws<InvalidOperationException>(() => UnixSocketFile.PrepareForListen(_path));

        Assert.Contains(_path, refused.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(_path));
    }

    [Fact]
    public void A_free_path_is_returned_as_is()
    {
        // (TransportSiloFixture leaves a stale file at its path before the silo starts: the silo's own removal.)
        Assert.Equal(_path, UnixSocketFile.PrepareForListen(_path));
        Assert.False(File.Exists(_path));
    }
}
