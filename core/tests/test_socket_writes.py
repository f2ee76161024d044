"""core.socket_writes: twisted's TCP connections send at once when nothing is buffered, and otherwise behave as
twisted's own — order, back-pressure, lost connections, TLS. Real sockets; twisted's in-memory reactor records
which connections wait to be writable."""

import socket

import pytest
from twisted.internet import tcp
from twisted.internet.protocol import Protocol
from twisted.internet.testing import MemoryReactor

from core.socket_writes import send_writes_at_once
from core.tests.processes import after_asgi_start


@pytest.fixture
def pair():
    send_writes_at_once()
    ours, peer = socket.socketpair()
    peer.setblocking(False)
    reactor = MemoryReactor()
    connection = tcp.Connection(ours, Protocol(), reactor)
    connection.connected = 1
    yield connection, peer, reactor
    ours.close()
    peer.close()


def _nothing_arrived(peer: socket.socket) -> bool:
    try:
        peer.recv(1)
    except BlockingIOError:
        return True
    return False


def test_a_write_is_sent_at_once_without_waiting_for_the_loop(pair):
    connection, peer, reactor = pair
    connection.write(b"a frame")
    assert peer.recv(100) == b"a frame"
    assert connection not in reactor.getWriters()  # nothing left for the loop to send


def test_a_sequence_is_sent_at_once_as_one_write(pair):
    connection, peer, reactor = pair
    connection.writeSequence([b"4\r\n", b"data", b"\r\n"])
    assert peer.recv(100) == b"4\r\ndata\r\n"
    assert connection not in reactor.getWriters()


def test_what_the_kernel_does_not_take_waits_and_later_writes_queue_behind_it(pair):
    connection, peer, reactor = pair
    connection.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    big = bytes(range(256)) * 4096  # 1 MB: far more than the socket takes at once
    connection.write(big)
    assert connection in reactor.getWriters()  # the rest is twisted's to send when writable
    connection.write(b"after")  # must not overtake what is buffered
    received = bytearray()
    for _ in range(100_000):
        if len(received) == len(big) + 5:
            break
        try:
            received += peer.recv(65536)
        except BlockingIOError:
            assert connection.doWrite() is None  # what the loop does when the socket is writable
    assert bytes(received) == big + b"after"
    assert connection not in reactor.getWriters()


def test_a_write_to_a_lost_connection_is_left_to_twisted_which_reports_it(pair):
    connection, peer, reactor = pair
    peer.close()
    connection.write(b"too late")
    assert connection in reactor.getWriters()
    assert isinstance(connection.doWrite(), Exception)  # the reactor then closes the connection


def test_a_closed_connection_sends_nothing(pair):
    connection, peer, reactor = pair
    connection.connected = 0
    connection.write(b"nothing")
    assert _nothing_arrived(peer)
    assert connection not in reactor.getWriters()


def test_a_tls_connection_writes_through_its_tls_layer_not_the_raw_socket(pair):
    connection, peer, reactor = pair
    written = []
    connection.protocol.write = written.append  # twisted's TLS layer, as _newtls wires it
    connection.TLS = True
    connection.write(b"secret")
    assert written == [b"secret"]
    assert _nothing_arrived(peer)


def test_anything_but_bytes_is_refused_as_twisted_refuses_it(pair):
    connection, _, _ = pair
    with pytest.raises(TypeError):
        connection.write("text")


def test_the_asgi_application_installs_it():
    installed = after_asgi_start(
        "from twisted.internet import tcp\n"
        "from core import socket_writes\n"
        "print(tcp.Connection.write is socket_writes._write, "
        "tcp.Connection.writeSequence is socket_writes._write_sequence)"
    )
    assert installed.split() == ["True", "True"]
