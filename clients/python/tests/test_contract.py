"""The client contract against the real server over loopback (the same cases as the Java client's
ContractTest): typed results and advice, 1001, 503 + Retry-After, 1013, 4000, 1009, the silence rule."""
import asyncio
import io
import os
import signal
import struct
import sys
import time
import unittest
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from framewire_client import (CLOSE_SILENCE, FrameError, FramewireClient, OPEN, Result, STOPPED, SyncClient,  # noqa: E402
                              WAITING, Watching)
from server import Server  # noqa: E402


def noisy_png(width=160, height=120) -> bytes:
    """A frame with sensor noise (never the same bytes twice), as PNG: the server takes JPEG or PNG."""
    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))


class Recorder:
    def __init__(self):
        self.messages, self.states, self.closes = [], [], []

    def on_message(self, m):
        self.messages.append(m)

    def on_state(self, state, closed):
        self.states.append(state)
        if closed is not None:
            self.closes.append(closed)

    def results(self):
        return [m for m in self.messages if isinstance(m, Result)]


async def until(cond, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within %g s" % timeout)
        await asyncio.sleep(0.05)


async def camera(fw, fps=20, stop=None):
    """Sends a fresh frame at fps until cancelled."""
    frames = [noisy_png() for _ in range(8)]
    i = 0
    while True:
        fw.send_nowait(frames[i % len(frames)])
        i += 1
        await asyncio.sleep(1 / fps)


def client(server, stream, rec, **kw):
    return FramewireClient(server.url, stream, on_message=rec.on_message, on_state=rec.on_state, **kw)


class ContractTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        # one server for most cases: frames over 1 MiB of frame memory get 1013, messages over 2 MiB 1009
        cls.server = Server("--ws.maxMessageBytes", "2097152", "--ws.maxBufferedBytes", "1048576")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    async def test_results_are_typed_and_advice_paces(self):
        rec = Recorder()
        async with client(self.server, "py-cam", rec) as fw:
            cam = asyncio.ensure_future(camera(fw))
            await until(lambda: len(rec.results()) >= 5 and fw.advised_fps > 0)
            cam.cancel()
        r = rec.results()[0]
        self.assertEqual((r.stream, r.width, r.height), ("py-cam", 160, 120))
        self.assertGreaterEqual(r.seq, 0)
        self.assertEqual(fw.pace(1), 1)
        self.assertEqual(fw.state, STOPPED)
        self.assertEqual(fw.stats.last_close.code, 1000)

    async def test_bad_frame_is_a_typed_error_and_the_connection_stays(self):
        rec = Recorder()
        async with client(self.server, "py-bad", rec) as fw:
            await until(lambda: fw.is_open)
            self.assertEqual(await fw.send(b"not an image"), 0)
            await until(lambda: rec.messages)
            self.assertIsInstance(rec.messages[0], FrameError)
            self.assertEqual(rec.messages[0].seq, 0)
            self.assertEqual(fw.stats.connections, 1)

    async def test_out_of_frame_memory_1013_backs_off_and_reconnects(self):
        rec = Recorder()
        async with client(self.server, "py-1013", rec) as fw:
            await until(lambda: fw.is_open)
            await fw.send(bytes(1_500_000))
            await until(lambda: rec.closes)
            self.assertEqual(rec.closes[0].code, 1013)
            self.assertLessEqual(rec.closes[0].delay, 0.25)
            await until(lambda: fw.stats.connections == 2 and fw.is_open)

    async def test_replaced_4000_waits_five_seconds(self):
        first = Recorder()
        async with client(self.server, "py-same", first) as a:
            await until(lambda: a.is_open)
            async with client(self.server, "py-same", Recorder()) as b:
                await until(lambda: first.closes)
                self.assertEqual(first.closes[0].code, 4000)
                self.assertTrue(5.0 <= first.closes[0].delay <= 6.0)
                self.assertEqual(a.state, WAITING)
                self.assertTrue(b.is_open)

    async def test_watch_gets_the_streams_results_with_entries(self):
        seen = Recorder()
        async with client(self.server, "py-w", seen, watch=True) as w:
            await until(lambda: w.is_open)
            async with client(self.server, "py-w", Recorder()) as fw:
                cam = asyncio.ensure_future(camera(fw))
                await until(lambda: len(seen.results()) >= 3)
                cam.cancel()
            self.assertEqual(w.send_nowait(b"x"), -1)
        self.assertIsInstance(seen.messages[0], Watching)
        self.assertTrue(all(r.entry for r in seen.results()))

    def test_sync_wrapper(self):
        with SyncClient(self.server.url, "py-sync") as fw:
            deadline = time.monotonic() + 20
            while fw.state != OPEN and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(fw.send(noisy_png()), 0)
            m = fw.get(timeout=20)
            self.assertIsInstance(m, Result)
            self.assertEqual(m.seq, 0)


class FullHostTest(unittest.IsolatedAsyncioTestCase):
    async def test_503_honours_retry_after_then_gets_in(self):
        server = await asyncio.to_thread(Server, "--streams.max", "1")
        try:
            first = Recorder()
            async with client(server, "py-a", first) as a:
                await until(lambda: a.is_open)
                await a.send(noisy_png())
                await until(lambda: first.results())  # the host has counted it
                rec = Recorder()
                b = await client(server, "py-b", rec).start()
                await until(lambda: rec.closes)
                self.assertEqual(rec.closes[0].http_status, 503)
                self.assertGreaterEqual(rec.closes[0].delay, 5.0)
            await until(lambda: b.is_open, timeout=20)
            await b.close()
        finally:
            server.stop()


class TooBigHungAndDrainingHostTest(unittest.IsolatedAsyncioTestCase):
    async def test_1009_then_silence_rule_then_drain_1001(self):
        server = await asyncio.to_thread(Server, "--ws.maxMessageBytes", "1048576")
        try:
            rec = Recorder()  # first 1009: a message too big stops the client
            async with client(server, "py-1009", rec) as fw:
                await until(lambda: fw.is_open)
                await fw.send(bytes(1_500_000))
                await until(lambda: fw.state == STOPPED)
                self.assertEqual(rec.closes[-1].code, 1009)
                self.assertIsNone(rec.closes[-1].delay)

            rec = Recorder()
            fw = await client(server, "py-hung", rec).start()
            cam = asyncio.ensure_future(camera(fw))
            await until(lambda: len(rec.results()) >= 5)
            frozen = time.monotonic()
            server.signal(signal.SIGSTOP)  # a hung host: the kernel keeps the socket open, no close comes
            await until(lambda: rec.closes, timeout=10)
            took = time.monotonic() - frozen
            self.assertEqual(rec.closes[0].code, CLOSE_SILENCE)
            self.assertTrue(2.5 <= took <= 6.0, took)
            self.assertLessEqual(rec.closes[0].delay, 0.25)
            server.signal(signal.SIGCONT)
            n = len(rec.results())
            await until(lambda: len(rec.results()) > n + 3, timeout=30)

            server.signal(signal.SIGTERM)  # drain: 1001, reconnect at once
            await until(lambda: any(c.code == 1001 for c in rec.closes), timeout=20)
            self.assertLessEqual(next(c for c in rec.closes if c.code == 1001).delay, 0.25)
            server.proc.wait(20)
            cam.cancel()
            await fw.close()
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
