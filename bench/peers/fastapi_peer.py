"""The design framewire replaces: one FastAPI WebSocket endpoint per stream, as it is usually written.

Each connection's coroutine awaits a frame, decodes it with cv2.imdecode, runs YuNet through
OpenCV DNN (on the event loop, or in a thread with asyncio.to_thread), and sends the
result as JSON; a Redis key marks the client connected. Gunicorn with Uvicorn workers gives it
more cores (one process per worker; the kernel spreads connections over them).

It speaks enough of framewire's wire protocol (docs/protocol.md, "Wire protocol") for framewire's load
generator to drive it unchanged: /ws/streams/{id}, one binary message = one image, one text
message per frame {"type":"result","seq":N,...} in seq order, errors {"type":"error","seq":N,
"code":...}. Unlike framewire it never drops a frame: every frame is answered in turn, so
under overload frames wait in the socket buffers and `dropped` is always 0.

Settings (environment, read once per worker process):
  PEER_DETECTOR     yunet (default) | none (no decode, no forward pass: the transport case)
  PEER_MODEL        YuNet ONNX file (default ../shared/models/yunet_s_640_640.onnx)
  PEER_MODE         inline (default: forward pass on the event loop) | thread (asyncio.to_thread)
  PEER_CV_THREADS   OpenCV threads per process (default 1, as framewire's workers: one core per
                    worker process; -1 = OpenCV's default, all cores)
  PEER_REDIS        redis://HOST:PORT for the per-client "connected" key (default: no Redis)
  PEER_SCORE, PEER_NMS  YuNet thresholds (defaults 0.6 / 0.45, framewire's)

Run: gunicorn -w 2 -k uvicorn.workers.UvicornWorker -b 127.0.0.1:8080 --chdir bench/peers fastapi_peer:app
"""
import asyncio
import json
import os
import re
import struct
import threading
import time

import cv2
import numpy as np
import redis.asyncio as aioredis
from fastapi import FastAPI, WebSocket, status

DETECTOR = os.environ.get("PEER_DETECTOR", "yunet")
MODEL = os.environ.get("PEER_MODEL", os.path.join(os.path.dirname(__file__), "../../../shared/models/yunet_s_640_640.onnx"))
MODE = os.environ.get("PEER_MODE", "inline")
SCORE = float(os.environ.get("PEER_SCORE", "0.6"))
NMS = float(os.environ.get("PEER_NMS", "0.45"))
REDIS_URL = os.environ.get("PEER_REDIS", "")
if DETECTOR not in ("yunet", "none"):
    raise SystemExit(f"PEER_DETECTOR must be yunet or none: {DETECTOR}")
if MODE not in ("inline", "thread"):
    raise SystemExit(f"PEER_MODE must be inline or thread: {MODE}")
if DETECTOR == "yunet" and not os.path.isfile(MODEL):
    raise SystemExit(f"no YuNet model at {MODEL} (PEER_MODEL)")
cv2.setNumThreads(int(os.environ.get("PEER_CV_THREADS", "1")))

STREAM_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
HOST = f"{os.uname().nodename}:{os.getpid()}"

app = FastAPI()
_redis = aioredis.from_url(REDIS_URL) if REDIS_URL else None
_local = threading.local()  # a cv::dnn::Net is not thread-safe: one per thread (to_thread's pool)
OUTPUTS = [f"{k}_{s}" for k in ("cls", "obj", "bbox") for s in (8, 16, 32)]


def header_size(data: bytes):
    """(width, height) from a JPEG's SOF or a PNG's IHDR, or None: the transport case answers
    with the frame's size without decoding it, as framewire's --detector none does."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:2] != b"\xff\xd8":
        return None
    i, n = 2, len(data)
    while i + 9 < n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        length = (data[i + 2] << 8) | data[i + 3]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return (w, h) if w and h else None
        i += 2 + length
    return None


_grids = {}


def grid(stride, pw, ph):
    """Anchor columns and rows of one output level, row-major as the model lays them out."""
    g = _grids.get((stride, pw, ph))
    if g is None:
        cols, rows = pw // stride, ph // stride
        g = _grids[(stride, pw, ph)] = (np.tile(np.arange(cols, dtype=np.float32), rows),
                                        np.repeat(np.arange(rows, dtype=np.float32), cols))
    return g


def detect(data: bytes):
    """decode + YuNet on one frame: (width, height, detections, decode_ms, infer_ms), or an error code.

    OpenCV 4.6 (Debian's python3-opencv) predates the 2023mar YuNet that framewire ships, and its
    cv2.FaceDetectorYN cannot run it; this is what FaceDetectorYN does in OpenCV >= 4.8 (what
    framewire calls): pad to a multiple of 32, one cv::dnn forward pass, boxes from the three
    strides' cls/obj/bbox outputs, NMS."""
    t0 = time.perf_counter()
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        return "bad_image"
    h, w = img.shape[:2]
    t1 = time.perf_counter()
    net = getattr(_local, "net", None)
    if net is None:
        net = _local.net = cv2.dnn.readNet(MODEL)
    pw, ph = -(-w // 32) * 32, -(-h // 32) * 32
    if (pw, ph) != (w, h):
        img = cv2.copyMakeBorder(img, 0, ph - h, 0, pw - w, cv2.BORDER_CONSTANT)
    net.setInput(cv2.dnn.blobFromImage(img))
    outs = dict(zip(OUTPUTS, net.forward(OUTPUTS)))
    boxes, scores = [], []
    for stride in (8, 16, 32):
        cls = np.clip(outs[f"cls_{stride}"].reshape(-1), 0, 1)
        obj = np.clip(outs[f"obj_{stride}"].reshape(-1), 0, 1)
        score = np.sqrt(cls * obj)
        keep = np.nonzero(score >= SCORE)[0]
        if keep.size == 0:
            continue
        b = outs[f"bbox_{stride}"].reshape(-1, 4)[keep]
        cols, rows = grid(stride, pw, ph)
        bw, bh = np.exp(b[:, 2]) * stride, np.exp(b[:, 3]) * stride
        cx, cy = (cols[keep] + b[:, 0]) * stride, (rows[keep] + b[:, 1]) * stride
        boxes.extend(np.stack([cx - bw / 2, cy - bh / 2, bw, bh], axis=1).tolist())
        scores.extend(score[keep].tolist())
    found = []
    for i in np.array(cv2.dnn.NMSBoxes(boxes, scores, SCORE, NMS, top_k=5000)).reshape(-1) if boxes else ():
        x, y, bw, bh = boxes[i]
        x0, y0 = max(0, round(x)), max(0, round(y))
        x1, y1 = min(w, round(x + bw)), min(h, round(y + bh))
        if x1 > x0 and y1 > y0:
            found.append({"label": "face", "score": round(scores[i], 3), "box": [x0, y0, x1 - x0, y1 - y0]})
    t2 = time.perf_counter()
    return w, h, found, (t1 - t0) * 1e3, (t2 - t1) * 1e3


@app.websocket("/ws/streams/{stream_id}")
async def stream(ws: WebSocket, stream_id: str):
    if not STREAM_ID.fullmatch(stream_id):
        await ws.close(code=status.WS_1008_POLICY_VIOLATION)  # before accept: Uvicorn answers HTTP 403
        return
    await ws.accept()
    key = f"peer:connected:{stream_id}"
    if _redis is not None:
        await _redis.set(key, HOST)
    seq = 0
    try:
        while True:
            # receive_bytes(), plus a clear error for a text message instead of a KeyError
            msg = await ws.receive()
            if msg["type"] == "websocket.disconnect":
                return
            data = msg.get("bytes")
            if data is None:
                await ws.send_text(json.dumps({"type": "error", "code": "unexpected_text",
                                               "message": "send frames as binary messages", "dropped": 0}))
                continue
            t0 = time.perf_counter()
            if not data:
                out = "empty_frame"
            elif DETECTOR == "none":
                size = header_size(data)
                out = (size[0], size[1], [], 0.0, 0.0) if size else "bad_image"
            elif MODE == "thread":
                out = await asyncio.to_thread(detect, data)
            else:
                out = detect(data)  # blocks the event loop: every other stream of this process waits
            if isinstance(out, str):
                reply = {"type": "error", "seq": seq, "code": out, "message": "cannot decode this frame", "dropped": 0}
            else:
                w, h, found, decode_ms, infer_ms = out
                reply = {"type": "result", "stream": stream_id, "seq": seq, "width": w, "height": h, "dropped": 0,
                         "detections": found,
                         "timing": {"decode_ms": round(decode_ms, 2), "infer_ms": round(infer_ms, 2),
                                    "total_ms": round((time.perf_counter() - t0) * 1e3, 2), "batch": 1}}
            await ws.send_text(json.dumps(reply))
            seq += 1
    finally:
        if _redis is not None:
            await _redis.delete(key)


if __name__ == "__main__":
    # --bench DIR SECONDS: detect() on DIR's JPEGs in one thread, no network: this OpenCV's own rate.
    import glob
    import sys
    if len(sys.argv) != 4 or sys.argv[1] != "--bench":
        raise SystemExit("usage: fastapi_peer.py --bench FRAMES_DIR SECONDS   (serve it with gunicorn/uvicorn: see the top)")
    frames = [open(f, "rb").read() for f in sorted(glob.glob(os.path.join(sys.argv[2], "*.jpg")))]
    if not frames:
        raise SystemExit(f"no .jpg in {sys.argv[2]}")
    detect(frames[0])  # the first pass plans the network
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < float(sys.argv[3]):
        detect(frames[n % len(frames)])
        n += 1
    dt = time.perf_counter() - t0
    print(json.dumps({"frames": n, "fps": round(n / dt, 1), "ms_per_frame": round(dt * 1e3 / n, 2)}))
