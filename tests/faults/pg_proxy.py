"""A TCP proxy in front of PostgreSQL that misbehaves on demand.

Modes, switched at any moment with `proxy.mode = ...`:
- "pass": forward both ways;
- "refuse": nothing listens on the port (connection refused);
- "reset": accept, then reset the connection before any answer;
- "too_many": answer the startup message like a full server (FATAL 53300), then close;
- "blackhole": accept and read, never answer; live connections stop being answered too;
- "reset_mid": live connections are reset at the next message from the client.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading
import time

MODES = ("pass", "refuse", "reset", "too_many", "blackhole", "reset_mid")


def _error_response(code: str, message: str) -> bytes:
    fields = b"".join(
        kind + value.encode() + b"\x00"
        for kind, value in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", code), (b"M", message))
    )
    body = fields + b"\x00"
    return b"E" + struct.pack("!I", len(body) + 4) + body


SSL_REQUEST = struct.pack("!I", 80877103)
TOO_MANY_CLIENTS = _error_response("53300", "sorry, too many clients already")


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed early")
        data += chunk
    return data


def _read_message(sock: socket.socket) -> bytes:
    length = struct.unpack("!I", _read_exactly(sock, 4))[0]
    return _read_exactly(sock, length - 4)


def _reset(sock: socket.socket) -> None:
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class FaultProxy:
    """`with FaultProxy(("127.0.0.1", 5432)) as proxy:` then connect to `proxy.port`."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._mode = "pass"
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener: socket.socket | None = None
        self.port = 0
        self.accepted = 0

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> FaultProxy:
        self._listen()
        self._spawn(self._accept_loop)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stopping.set()
        with self._lock:
            for sock in list(self._sockets):
                _reset(sock)
            self._sockets.clear()
        for thread in self._threads:
            thread.join(timeout=5)
        self._close_listener()

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        assert mode in MODES, mode
        self._mode = mode
        # Only the accept thread opens and closes the listener: a socket closed while
        # another thread waits on it keeps listening until that wait ends.
        deadline = time.monotonic() + 5
        while (self._listener is None) != (mode == "refuse"):
            assert time.monotonic() < deadline, "the proxy did not switch its listener"
            time.sleep(0.01)

    def reset_live_connections(self) -> None:
        """Reset every open connection, as a restarting server or a NAT timeout would."""
        with self._lock:
            for sock in list(self._sockets):
                _reset(sock)
            self._sockets.clear()

    # -- internals -------------------------------------------------------------------------
    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            if self._mode == "refuse":
                self._close_listener()
                time.sleep(0.01)
                continue
            if self._listener is None:
                self._listen()
            readable, _, _ = select.select([self._listener], [], [], 0.05)
            if not readable:
                continue
            client, _ = self._listener.accept()
            self.accepted += 1
            self._track(client)
            self._spawn(self._serve, client, self._mode)
        self._close_listener()

    def _serve(self, client: socket.socket, mode: str) -> None:
        if mode == "reset":
            _reset(client)
            return
        if mode == "too_many":
            self._refuse_as_full(client)
            return
        if mode == "blackhole":
            self._swallow(client)
            return
        try:
            server = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            _reset(client)
            return
        self._track(server)
        self._pump(client, server)

    def _refuse_as_full(self, client: socket.socket) -> None:
        # As PostgreSQL does: read the whole startup message, answer, then close; closing
        # with unread input would reset the connection and lose the answer.
        client.settimeout(5)
        with contextlib.suppress(OSError):
            message = _read_message(client)
            if message == SSL_REQUEST:
                client.sendall(b"N")
                message = _read_message(client)
            client.sendall(TOO_MANY_CLIENTS)
            client.shutdown(socket.SHUT_WR)
            while client.recv(65536):
                pass
        client.close()

    def _swallow(self, client: socket.socket) -> None:
        client.setblocking(False)
        # Stops when the client hangs up or when the proxy closes the socket under it.
        with contextlib.suppress(OSError, ValueError):
            while not self._stopping.is_set():
                readable, _, _ = select.select([client], [], [], 0.1)
                if readable and not client.recv(65536):
                    break
        with contextlib.suppress(OSError):
            client.close()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        peers = {client: server, server: client}
        for sock in peers:
            sock.setblocking(False)
        while not self._stopping.is_set():
            try:
                readable, _, _ = select.select(list(peers), [], [], 0.1)
            except (OSError, ValueError):  # closed by the proxy under this thread
                return
            for sock in readable:
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    _reset(client)
                    _reset(server)
                    return
                mode = self._mode
                if sock is client and mode == "reset_mid":
                    _reset(client)
                    _reset(server)
                    return
                if mode == "blackhole":
                    continue  # swallowed: the other side waits forever
                try:
                    peers[sock].setblocking(True)
                    peers[sock].sendall(data)
                    peers[sock].setblocking(False)
                except OSError:
                    _reset(client)
                    _reset(server)
                    return
