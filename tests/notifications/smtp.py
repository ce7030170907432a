"""A real SMTP server for the tests (aiosmtpd), that can go down and come back."""

import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, server):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.server.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.SMTP)
        self.server.received.append((envelope.rcpt_tos, message))
        return "250 Message accepted"


class SMTPServer:
    """``received`` lists ``(recipients, EmailMessage)``; ``stop()`` takes it
    down, ``start()`` brings it back on the same port."""

    def __init__(self):
        self.port = free_port()
        self.received = []
        self.refuse: set[str] = set()
        self._controller = None

    def start(self):
        if self._controller is None:
            self._controller = Controller(
                _Handler(self), hostname="127.0.0.1", port=self.port
            )
            self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def messages_to(self, address: str) -> list:
        return [msg for rcpts, msg in self.received if address in rcpts]
