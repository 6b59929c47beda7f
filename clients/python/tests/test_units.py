"""Message parsing and backoff, without a server."""
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from framewire_client import Backoff, Detection, FrameError, Result, Status, Watching, parse  # noqa: E402
from framewire_client.client import _retry_after  # noqa: E402

TOP = 0.9999999


class ParseTest(unittest.TestCase):
    def test_result(self):
        r = parse('{"type":"result","stream":"cam-1","seq":41,"width":320,"height":240,"dropped":3,"gated":false,'
                  '"detections":[{"label":"face","score":0.93,"box":[10,20,30,40],"track":7}],'
                  '"advice":{"fps":12.5},"timing":{"queue_ms":1.2,"decode_ms":0.4,"infer_ms":3.1,"total_ms":4.9,'
                  '"batch":1},"new_field":1}')
        self.assertIsInstance(r, Result)
        self.assertEqual((r.seq, r.dropped, r.advice_fps), (41, 3, 12.5))
        self.assertEqual(r.detections, [Detection("face", 0.93, (10, 20, 30, 40), 7)])
        self.assertEqual(r.timing.batch, 1)

    def test_status_error_watching_unknown(self):
        self.assertEqual(parse('{"type":"status","stream":"s","dropped":17,"advice":{"fps":4.5}}'),
                         Status("s", 17, 4.5))
        self.assertEqual(parse('{"type":"error","code":"rate_limited","message":"m","dropped":2}'),
                         FrameError(-1, "rate_limited", "m", 2))
        self.assertEqual(parse('{"entry":"1-0","type":"watching","stream":"s","from":"0-0"}'),
                         Watching("s", "0-0", "1-0"))
        self.assertIsNone(parse('{"type":"something-new"}'))
        self.assertEqual(parse('{"type":"result","seq":1}').advice_fps, -1)
        with self.assertRaises(ValueError):
            parse("[1]")


class BackoffTest(unittest.TestCase):
    def test_doubles_to_the_cap_and_resets(self):
        b = Backoff(lambda: TOP)
        self.assertAlmostEqual(b.after_close(1013, False), 0.25, 3)
        self.assertAlmostEqual(b.after_close(1006, False), 0.5, 3)
        for _ in range(10):
            b.after_close(1008, False)
        self.assertAlmostEqual(b.after_close(4408, False), 10.0, 3)
        self.assertAlmostEqual(b.after_close(1013, True), 0.25, 3)

    def test_codes(self):
        b = Backoff(lambda: TOP)
        self.assertIsNone(b.after_close(1000, True))
        self.assertIsNone(b.after_close(1009, True))
        self.assertLessEqual(b.after_close(1001, False), 0.25)
        self.assertTrue(5 <= b.after_close(4000, False) <= 6)
        for status in (400, 401, 403):
            self.assertIsNone(b.after_failed_connect(status, 0))
        self.assertEqual(b.after_failed_connect(503, 5.0), 5.0)

    def test_retry_after(self):
        self.assertEqual(_retry_after("5"), 5.0)
        self.assertEqual(_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), 0.0)
        self.assertEqual(_retry_after(None), 0.0)


if __name__ == "__main__":
    unittest.main()
