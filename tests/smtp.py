"""A real SMTP server (aiosmtpd) on loopback, that tests can stop and start again."""

import asyncio
import socket
import threading
import time
from email import message_from_bytes
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


class Recorder:
    """Keeps every e-mail received; ``delay`` slows each one down.

    ``hold_after = n``: the e-mail after the n-th accepted one is held (no answer) until
    ``release`` is set, and ``holding`` is set meanwhile, so a test can kill the sender at
    that exact point; the held e-mail is then refused, not kept. ``refuse`` (a predicate on
    the parsed e-mail) answers "451" (try again later) to the e-mails it picks. ``peers``
    tells how many connections were used.
    """

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.delay = 0.0
        self.hold_after = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.refuse = None
        self.peers = set()  # the client's (address, port) of each connection that sent DATA

    async def handle_DATA(self, server, session, envelope):
        self.peers.add(session.peer)
        if self.delay:
            time.sleep(self.delay)
        message = message_from_bytes(envelope.content, policy=default_policy)
        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 120)
            return "451 4.3.0 Held, not kept"
        if self.refuse is not None and self.refuse(message):
            return "451 4.3.0 Try again later"
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(message["Message-ID"]) for message in self.messages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.recorder = Recorder()
        self.controller = None

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.recorder.release.set()  # an e-mail held by ``hold_after`` must not block the stop
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.recorder.messages

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
