"""The readers' side of ``bench.live``: Socket.IO clients in processes of their own.

A module of its own so that ``multiprocessing`` can start ``client_process``
in a fresh interpreter (``python -m bench.live`` runs as ``__main__``).
"""

import time
from concurrent.futures import ThreadPoolExecutor

import engineio
import socketio

from bench import serving

PASSWORD = "bench-live-password"  # noqa: S105 (throwaway users in a scratch database)


class InlineEngineIOClient(engineio.Client):
    """Run message handlers in the thread that read the message, as a browser's
    one JavaScript thread does. The library starts a thread per message, which
    with dozens of clients to a process would be measured as push latency."""

    def _trigger_event(self, event, *args, **kwargs):
        kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class InlineClient(socketio.Client):
    def _engineio_client_class(self):
        return InlineEngineIOClient


class Reader:
    """One person's browser tab on the thread: a logged-in Socket.IO client."""

    def __init__(self, username: str, base: str):
        self.username = username
        self.base = base
        self.post_created: dict[int, float] = {}  # post id -> receipt time
        self.unread: dict[int, float] = {}  # count -> first receipt time
        self.client = InlineClient(reconnection=False)
        self.client.on("post_created", self._on_post_created)
        self.client.on("unread_count", self._on_unread)

    def _on_post_created(self, data):
        self.post_created.setdefault(data["post_id"], time.time())

    def _on_unread(self, data):
        self.unread.setdefault(data["count"], time.time())

    def connect(self, thread_id: int) -> None:
        visitor = serving.Visitor()
        try:
            response = visitor.log_in(self.base, self.username, PASSWORD)
            if response.status_code != 302:
                raise RuntimeError(f"{self.username} could not log in")
            self.client.connect(
                self.base,
                headers={"Cookie": visitor.cookie_header()},
                transports=["websocket"],
                wait_timeout=60,
            )
        finally:
            visitor.close()
        joined = self.client.call("join_thread", {"thread_id": thread_id}, timeout=60)
        if joined != {"ok": True}:
            raise RuntimeError(f"{self.username} could not join the thread")

    def disconnect(self) -> None:
        if self.client.connected:
            self.client.disconnect()


def wait_for_all(readers: list[Reader], sent: list[dict], timeout: float) -> None:
    want = {s["post_id"] for s in sent}
    counts = {s["count"] for s in sent}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(
            want <= r.post_created.keys() and counts <= r.unread.keys() for r in readers
        ):
            return
        time.sleep(0.1)


def client_process(assigned: list[tuple[str, str]], thread_id: int, conn) -> None:
    """Run in a process of its own: connect ``assigned`` (username, server)
    readers, say so, wait for the list of replies, then send back when each
    reader received each push."""
    readers = [Reader(name, base) for name, base in assigned]
    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda r: r.connect(thread_id), readers))
        conn.send("ready")
        sent, wait = conn.recv()
        wait_for_all(readers, sent, wait)
    except Exception as error:  # reported by the parent, which stops the run
        conn.send(f"failed: {error!r}")
        raise
    finally:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(Reader.disconnect, readers))
    conn.send([(r.base, r.post_created, r.unread) for r in readers])
