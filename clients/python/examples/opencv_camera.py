#!/usr/bin/python3
"""Publish an OpenCV VideoCapture (a USB camera, a file, an RTSP URL) to framewire and print the
detections: the Python client's blocking wrapper, frames paced at min(--fps, advice.fps).

    python3 examples/opencv_camera.py --server ws://127.0.0.1:8080 --stream cam-1 --source 0
    python3 examples/opencv_camera.py --source Megamind.avi --seconds 10
"""
import argparse
import sys
import time
from pathlib import Path

import cv2  # Debian: python3-opencv

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from framewire_client import FrameError, Result, SyncClient  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", default="ws://127.0.0.1:8080")
    ap.add_argument("--stream", default="cam-1")
    ap.add_argument("--source", default="0", help="a camera index, a file or a URL")
    ap.add_argument("--fps", type=float, default=10, help="upper bound; the server's advice.fps may lower it")
    ap.add_argument("--width", type=int, default=640, help="scale to this width before encoding (0: as captured)")
    ap.add_argument("--quality", type=int, default=80)
    ap.add_argument("--token", default=None)
    ap.add_argument("--seconds", type=float, default=0, help="stop after this long (0: run until the source ends)")
    args = ap.parse_args()

    source = int(args.source) if args.source.isdigit() else args.source
    cap = cv2.VideoCapture(source)
    if not cap.isOpened():
        print("cannot open %s" % args.source, file=sys.stderr)
        return 1
    is_file = isinstance(source, str) and Path(source).exists()

    def show(m):
        if isinstance(m, Result):
            faces = ", ".join("%s %.2f at %s" % (d.label, d.score, list(d.box)) for d in m.detections)
            print("seq %d: %s (advice %.1f fps)" % (m.seq, faces or "nothing", m.advice_fps), flush=True)
        elif isinstance(m, FrameError):
            print("seq %d: error %s: %s" % (m.seq, m.code, m.message), flush=True)

    with SyncClient(args.server, args.stream, token=args.token, on_message=show) as fw:
        started = time.monotonic()
        next_send = started
        while not args.seconds or time.monotonic() - started < args.seconds:
            ok, frame = cap.read()
            if not ok:
                if is_file:  # a file loops, like the camera bridge's file sources
                    cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    continue
                print("the source ended", file=sys.stderr)
                break
            now = time.monotonic()
            if now < next_send:
                if is_file:  # a file is read at the send rate; a live camera is read as it delivers
                    time.sleep(next_send - now)
                else:
                    continue
            if args.width and frame.shape[1] != args.width:
                frame = cv2.resize(frame, (args.width, round(frame.shape[0] * args.width / frame.shape[1])))
            ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, args.quality])
            if ok:
                fw.send(jpeg.tobytes())
            next_send = max(next_send + 1 / fw.pace(args.fps), time.monotonic() - 0.5 / args.fps)
        print("sent %d frames, %d results, %d connections" % (fw.stats.sent, fw.stats.results, fw.stats.connections))
    return 0


if __name__ == "__main__":
    sys.exit(main())
