"""A small blocking wrapper: the asyncio client on an event loop in a daemon thread, for code that
is not asyncio (an OpenCV capture loop)."""
from __future__ import annotations

import asyncio
import queue
import threading
from typing import Optional

from .client import FramewireClient
from .messages import Message


class SyncClient:
    """with SyncClient("ws://127.0.0.1:8080", "cam-1") as fw:
           fw.send(jpeg_bytes)        # the seq, or -1 when not sent; never blocks on the network
           msg = fw.get(timeout=1)    # the next message, or None
    Takes FramewireClient's keyword arguments; on_message/on_state run on the client's thread."""

    def __init__(self, url: str, stream: str, **kwargs):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="framewire-" + stream, daemon=True)
        self._inbox: "queue.Queue[Message]" = queue.Queue(256)
        user = kwargs.pop("on_message", None)

        def on_message(m: Message) -> None:
            if self._inbox.full():
                try:
                    self._inbox.get_nowait()
                except queue.Empty:
                    pass
            self._inbox.put_nowait(m)
            if user:
                user(m)

        async def make() -> FramewireClient:
            return FramewireClient(url, stream, on_message=on_message, **kwargs)

        self._thread.start()
        self.client: FramewireClient = asyncio.run_coroutine_threadsafe(make(), self._loop).result()

    def start(self) -> "SyncClient":
        asyncio.run_coroutine_threadsafe(self.client.start(), self._loop).result()
        return self

    def send(self, image: bytes) -> int:
        return asyncio.run_coroutine_threadsafe(self._send(image), self._loop).result()

    async def _send(self, image: bytes) -> int:
        return self.client.send_nowait(image)

    def get(self, timeout: Optional[float] = None) -> Optional[Message]:
        try:
            return self._inbox.get(timeout=timeout)
        except queue.Empty:
            return None

    def pace(self, max_fps: float) -> float:
        return self.client.pace(max_fps)

    @property
    def state(self) -> str:
        return self.client.state

    @property
    def stats(self):
        return self.client.stats

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.client.close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def __enter__(self) -> "SyncClient":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
