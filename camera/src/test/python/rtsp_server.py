#!/usr/bin/python3
"""An RTSP server for the camera bridge's tests and bench: GStreamer's gst-rtsp-server (Debian:
gir1.2-gst-rtsp-server-1.0, python3-gi, gstreamer1.0-plugins-good and -bad) serving an H.264 MP4
file, without re-encoding, on /cam0 .. /camN-1, each client its own pipeline at the file's real rate.

    rtsp_server.py --file megamind-640.mp4 --mounts 20 --port 0   # prints "ready PORT" once listening
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", required=True, help="H.264 in MP4")
    ap.add_argument("--mounts", type=int, default=1)
    ap.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(args.host)
    server.set_service(str(args.port))
    launch = ("( filesrc location=\"%s\" ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )"
              % args.file.replace('"', ''))
    mounts = server.get_mount_points()
    for i in range(args.mounts):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch)
        factory.set_shared(False)
        mounts.add_factory("/cam%d" % i, factory)
    if server.attach(None) == 0:
        print("cannot listen on %s:%d" % (args.host, args.port), file=sys.stderr)
        sys.exit(1)
    print("ready %d" % server.get_bound_port(), flush=True)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    loop.run()


if __name__ == "__main__":
    main()
