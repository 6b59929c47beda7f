"""framewire's Python client: publish frames (or watch a stream) under the client contract (docs/protocol.md):
close codes, backoff with full jitter, 503 + Retry-After, the silence rule, advice.fps, the token as
a subprotocol. asyncio, on the standard `websockets` library (Debian: python3-websockets)."""
from __future__ import annotations

import asyncio
import re
import time
import urllib.parse
from dataclasses import dataclass
from typing import AsyncIterator, Callable, Optional

import websockets
import websockets.exceptions

from .backoff import Backoff, STOP
from .messages import FrameError, Message, Result, Status, parse

CLOSE_SILENCE = 4408  # the client's own code when the silence rule closes a connection
SILENCE_S = 3.0
_STREAM_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_CHECK_S = 0.1

CONNECTING, OPEN, WAITING, STOPPED = "connecting", "open", "waiting", "stopped"


@dataclass(frozen=True)
class Closed:
    """Why a connection ended or an upgrade failed, and what the client does next."""
    code: int  # close code (1006: network error, 4408: silence rule); 0 when the upgrade failed
    http_status: int  # status of a refused upgrade, 0 when there was none
    reason: str
    delay: Optional[float]  # seconds until the next attempt; None: no reconnect


@dataclass
class Stats:
    connections: int = 0
    sent: int = 0
    results: int = 0
    errors: int = 0
    dropped: int = 0
    last_close: Optional[Closed] = None


def _retry_after(value: Optional[str]) -> float:
    try:
        return max(0.0, min(3600.0, float(int(value.strip()))))
    except (AttributeError, ValueError):
        return 0.0  # absent, or an HTTP date


class FramewireClient:
    """One stream, published (``watch=False``) or watched.

    async with FramewireClient("ws://127.0.0.1:8080", "cam-1", on_message=print) as fw:
        fw.send_nowait(jpeg_bytes)      # the seq, or -1 when not sent (not open, or still sending)
        await asyncio.sleep(1 / fw.pace(15))
    """

    def __init__(self, url: str, stream: str, *, watch: bool = False, token: Optional[str] = None,
                 gating: bool = True, on_message: Optional[Callable[[Message], None]] = None,
                 on_state: Optional[Callable[[str, Optional[Closed]], None]] = None,
                 open_timeout: float = 5.0, clock: Callable[[], float] = time.monotonic,
                 backoff: Optional[Backoff] = None, queue_size: int = 256):
        if not url.startswith(("ws://", "wss://")):
            raise ValueError("url must be ws:// or wss://, not %r" % url)
        if not _STREAM_ID.fullmatch(stream or ""):
            raise ValueError("stream id must be 1-128 of [A-Za-z0-9._-], not %r" % stream)
        self.url = url.rstrip("/")
        self.stream = stream
        self.watch = watch
        self.token = token.strip() if token and token.strip() else None
        self.gating = gating
        self._on_message = on_message
        self._on_state = on_state
        self._open_timeout = open_timeout
        self._clock = clock
        self._backoff = backoff or Backoff()
        self._queue: asyncio.Queue = asyncio.Queue(queue_size)
        self.stats = Stats()
        self.state = CONNECTING
        self.advised_fps = -1.0
        self._last_entry: Optional[str] = None
        self._ws = None
        self._task: Optional[asyncio.Task] = None
        self._stopped = asyncio.Event()
        self._sending: Optional[asyncio.Future] = None
        # this connection's frame accounting (the silence rule)
        self._next_seq = 0
        self._answered = -1
        self._silence_since = 0.0
        self._got_result = False

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> "FramewireClient":
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())
        return self

    async def close(self) -> None:
        """Close with 1000 and stop reconnecting."""
        self._stopped.set()
        ws = self._ws
        if ws is not None:
            try:
                await asyncio.wait_for(ws.close(1000), 2)
            except Exception:
                pass
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, 5)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._task.cancel()

    async def __aenter__(self) -> "FramewireClient":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # -- publishing ------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    def send_nowait(self, image: bytes) -> int:
        """Send one encoded image (JPEG or PNG); its seq, or -1 when not sent: not open, or the previous
        frame is still being written (the camera's next frame is fresher anyway)."""
        ws = self._ws
        if self.watch or ws is None or self.state != OPEN or (self._sending is not None and not self._sending.done()):
            return -1
        seq = self._next_seq
        self._next_seq += 1
        if seq - 1 <= self._answered:
            self._silence_since = self._clock()  # this frame is now the oldest unanswered one
        self._sending = asyncio.ensure_future(self._send(ws, image))
        self.stats.sent += 1
        return seq

    async def send(self, image: bytes) -> int:
        """Like send_nowait, then waits until the frame is written."""
        seq = self.send_nowait(image)
        if seq >= 0:
            await asyncio.shield(self._sending)
        return seq

    @staticmethod
    async def _send(ws, image: bytes) -> None:
        try:
            await ws.send(image)
        except websockets.exceptions.ConnectionClosed:
            pass  # the reader sees the close and reports it

    def pace(self, max_fps: float) -> float:
        """The rate to send at: min(max_fps, advice.fps), or max_fps while there is no advice yet."""
        return min(max_fps, self.advised_fps) if self.advised_fps > 0 else max_fps

    async def messages(self) -> AsyncIterator[Message]:
        """The messages as an async iterator (bounded: the oldest go when the reader falls behind)."""
        while True:
            yield await self._queue.get()

    # -- the connection loop ---------------------------------------------------------------------
    def _uri(self) -> str:
        path = ("/ws/watch/" if self.watch else "/ws/streams/") + self.stream
        if self.watch and self._last_entry:
            path += "?last=" + urllib.parse.quote(self._last_entry)
        elif not self.watch and not self.gating:
            path += "?gating=off"
        return self.url + path

    def _set_state(self, state: str, closed: Optional[Closed]) -> None:
        self.state = state
        if self._on_state:
            self._on_state(state, closed)

    async def _run(self) -> None:
        while not self._stopped.is_set():
            self._set_state(CONNECTING, None)
            protocols = ["framewire"] + (["framewire.bearer." + self.token] if self.token else [])
            try:
                ws = await websockets.connect(self._uri(), subprotocols=protocols, compression=None,
                                              ping_interval=None, open_timeout=self._open_timeout,
                                              close_timeout=2, max_size=1 << 20)
            except websockets.exceptions.InvalidStatusCode as e:
                status = e.status_code
                retry = _retry_after(e.headers.get("Retry-After")) if getattr(e, "headers", None) else 0.0
                closed = Closed(0, status, "upgrade refused: HTTP %d" % status,
                                None if self._stopped.is_set() else self._backoff.after_failed_connect(status, retry))
            except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException) as e:
                closed = Closed(0, 0, "connect failed: %r" % e,
                                None if self._stopped.is_set() else self._backoff.after_failed_connect(0, 0.0))
            else:
                closed = await self._serve(ws)
                delay = STOP if self._stopped.is_set() else self._backoff.after_close(closed.code, self._got_result)
                closed = Closed(closed.code, 0, closed.reason, delay)
            self.stats.last_close = closed
            if closed.delay is STOP:
                break
            self._set_state(WAITING, closed)
            try:
                await asyncio.wait_for(self._stopped.wait(), closed.delay)
            except asyncio.TimeoutError:
                pass
        self._set_state(STOPPED, self.stats.last_close)

    async def _serve(self, ws) -> Closed:
        self._ws = ws
        self._next_seq, self._answered, self._got_result = 0, -1, False
        self._silence_since = self._clock()
        self.stats.connections += 1
        self._set_state(OPEN, None)
        reader = asyncio.ensure_future(self._read(ws))
        try:
            while not reader.done():
                await asyncio.wait([reader], timeout=_CHECK_S)
                if not reader.done() and self._silent():
                    ws.transport.abort()  # a hung host would never answer a close handshake
                    reader.cancel()
                    return Closed(CLOSE_SILENCE, 0, "no message from the server for %g s with frames outstanding"
                                  % SILENCE_S, 0)
            return reader.result()
        finally:
            self._ws = None
            if not reader.done():
                reader.cancel()

    def _silent(self) -> bool:
        return self._next_seq - 1 > self._answered and self._clock() - self._silence_since > SILENCE_S

    async def _read(self, ws) -> Closed:
        try:
            async for raw in ws:
                if isinstance(raw, str):
                    self._deliver(raw)
        except websockets.exceptions.ConnectionClosed:
            pass
        code = ws.close_code if ws.close_code is not None else 1006
        return Closed(code, 0, ws.close_reason or "", 0)

    def _deliver(self, raw: str) -> None:
        self._silence_since = self._clock()  # any text is a sign of life
        try:
            m = parse(raw)
        except ValueError:
            return
        if m is None:
            return
        seq = -1
        if isinstance(m, Result):
            seq = m.seq
            self._got_result = True
            self.stats.results += 1
            self.stats.dropped += m.dropped
            if m.advice_fps >= 0:
                self.advised_fps = m.advice_fps
        elif isinstance(m, FrameError):
            seq = m.seq
            self.stats.errors += 1
            self.stats.dropped += m.dropped
        elif isinstance(m, Status) and m.advice_fps >= 0:
            self.advised_fps = m.advice_fps
        if m.entry:
            self._last_entry = m.entry
        if not self.watch and seq > self._answered:
            self._answered = seq  # results come in seq order: earlier frames are answered or in this dropped
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(m)
        if self._on_message:
            self._on_message(m)
