#!/usr/bin/python3
"""Send one image to framewire and print its answer (JSON): the quick start's "try it from a shell".

    python3 clients/python/examples/send_image.py src/test/data/testdata/messi5.jpg
    python3 clients/python/examples/send_image.py face.jpg --server ws://127.0.0.1:8080 --stream cam-1
"""
import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from framewire_client import FrameError, Result, SyncClient  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("image", help="a JPEG or PNG file")
    ap.add_argument("--server", default="ws://127.0.0.1:8080")
    ap.add_argument("--stream", default="cam-1")
    ap.add_argument("--token", default=None)
    ap.add_argument("--timeout", type=float, default=10, help="seconds to wait for the connection and the answer")
    args = ap.parse_args()
    image = Path(args.image).read_bytes()
    with SyncClient(args.server, args.stream, token=args.token) as fw:
        deadline = time.monotonic() + args.timeout
        # the client connects in the background; a frame sent before the connection opens is not sent
        while fw.send(image) < 0:
            if time.monotonic() > deadline:
                print("no connection to %s (state: %s)" % (args.server, fw.state), file=sys.stderr)
                return 1
            time.sleep(0.05)
        while time.monotonic() < deadline:
            m = fw.get(timeout=max(0.0, deadline - time.monotonic()))
            if isinstance(m, (Result, FrameError)):
                print(json.dumps(asdict(m), default=list))
                return 0 if isinstance(m, Result) else 1
    print("no answer within %.0f s" % args.timeout, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
