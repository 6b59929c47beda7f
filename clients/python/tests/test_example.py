"""The OpenCV example publishes Megamind.avi (as the repository carries it) to a real server with the Haar face detector."""
import os
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import Server  # noqa: E402

HERE = Path(__file__).resolve().parent
TESTDATA = Path(os.environ.get("FRAMEWIRE_TESTDATA", HERE.parent.parent.parent / "src" / "test" / "data"))
VIDEO = TESTDATA / "testdata" / "Megamind.avi"


class ExampleTest(unittest.TestCase):
    def test_opencv_capture_is_published_and_faces_come_back(self):
        server = Server("--detector", "haar", "--gating.enabled", "false")
        try:
            out = subprocess.run([sys.executable, str(HERE.parent / "examples" / "opencv_camera.py"),
                                  "--server", server.url, "--stream", "py-opencv", "--source", str(VIDEO),
                                  "--fps", "8", "--seconds", "6"], capture_output=True, text=True, timeout=60)
        finally:
            server.stop()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("face", out.stdout)
        last = out.stdout.strip().splitlines()[-1]
        self.assertRegex(last, r"sent \d+ frames, \d+ results, 1 connections")
        sent = int(last.split()[1])
        self.assertTrue(20 <= sent <= 52, last)  # 6 s at up to 8 fps


    def test_send_image_prints_the_answer_to_one_image(self):
        """The quick start's "try it from a shell": one image, its answer as JSON, with the built-in YuNet."""
        server = Server("--detector", "yunet")
        try:
            out = subprocess.run([sys.executable, str(HERE.parent / "examples" / "send_image.py"),
                                  str(TESTDATA / "testdata" / "messi5.jpg"), "--server", server.url],
                                 capture_output=True, text=True, timeout=60)
        finally:
            server.stop()
        self.assertEqual(out.returncode, 0, out.stderr)
        import json
        answer = json.loads(out.stdout)
        self.assertEqual(answer["seq"], 0)
        self.assertEqual([d["label"] for d in answer["detections"]], ["face"])
        self.assertGreater(answer["detections"][0]["score"], 0.6)


if __name__ == "__main__":
    unittest.main()
