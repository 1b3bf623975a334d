"""A fake SMTP server in a thread: it accepts mail, or stalls before answering DATA."""

import contextlib
import socket
import threading


class FakeSMTPServer:
    def __init__(self):
        self.messages: list[bytes] = []  # complete messages, acknowledged with 250
        self.stall = threading.Event()  # set: the next DATA gets no answer
        self.stalled = threading.Event()  # a client is waiting on DATA right now
        self.hold = threading.Event()  # set: DATA waits until `release` is set, then goes on
        self.release = threading.Event()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._running = True
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def _accept(self):
        while self._running:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._sockets.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket):
        reader = conn.makefile("rb")
        with contextlib.suppress(OSError, ValueError):
            conn.sendall(b"220 fake.example ESMTP\r\n")
            while True:
                line = reader.readline()
                if not line:
                    return
                command = line.strip().upper()
                if command.startswith((b"EHLO", b"HELO")):
                    conn.sendall(b"250-fake.example\r\n250 8BITMIME\r\n")
                elif command == b"DATA":
                    if self.hold.is_set():
                        self.stalled.set()
                        self.release.wait(60)
                    if self.stall.is_set():
                        self.stalled.set()
                        reader.read()  # never answer; wait until the client dies
                        return
                    conn.sendall(b"354 go ahead\r\n")
                    body = []
                    while (data := reader.readline()) not in (b".\r\n", b""):
                        body.append(data)
                    self.messages.append(b"".join(body))
                    conn.sendall(b"250 queued\r\n")
                elif command == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:  # MAIL, RCPT, RSET, NOOP
                    conn.sendall(b"250 OK\r\n")

    def close(self):
        self._running = False
        self._listener.close()
        for conn in self._sockets:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()
