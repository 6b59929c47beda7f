"""The server's text messages as dataclasses (docs/protocol.md, "Wire protocol"). Fields may be added to the
protocol and are ignored here; unknown message types parse to None (and still count as a sign of life)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import List, Optional, Union


@dataclass(frozen=True)
class Detection:
    label: str
    score: float
    box: tuple  # (x, y, width, height) in pixels of the frame as sent
    track: int = 0  # 0 until the track is confirmed


@dataclass(frozen=True)
class Timing:
    queue_ms: float = 0.0
    decode_ms: float = 0.0
    infer_ms: float = 0.0
    total_ms: float = 0.0
    batch: int = 0


@dataclass(frozen=True)
class Result:
    stream: str
    seq: int
    width: int
    height: int
    dropped: int
    gated: bool
    detections: List[Detection]
    advice_fps: float  # -1 when absent, 0 until measured
    timing: Timing
    entry: Optional[str] = None  # watch connections: the entry id


@dataclass(frozen=True)
class FrameError:
    seq: int  # -1 when it belongs to no frame
    code: str
    message: str
    dropped: int
    entry: Optional[str] = None


@dataclass(frozen=True)
class Status:
    """The server's periodic word on an overloaded stream."""
    stream: str
    dropped: int
    advice_fps: float
    entry: Optional[str] = None


@dataclass(frozen=True)
class Watching:
    stream: str
    start: str  # the "from" field: the feed starts after this entry
    entry: Optional[str] = None


Message = Union[Result, FrameError, Status, Watching]


def _advice(m: dict) -> float:
    fps = (m.get("advice") or {}).get("fps")
    return float(fps) if isinstance(fps, (int, float)) else -1.0


def parse(text: str) -> Optional[Message]:
    """A typed message, or None for a type this library does not know. Raises ValueError for non-objects."""
    m = json.loads(text)
    if not isinstance(m, dict):
        raise ValueError("not a JSON object")
    kind = m.get("type")
    entry = m.get("entry")
    if kind == "result":
        dets = [Detection(d.get("label", ""), float(d.get("score", 0)), tuple(d.get("box", (0, 0, 0, 0))),
                          int(d.get("track", 0))) for d in m.get("detections", [])]
        t = m.get("timing") or {}
        timing = Timing(t.get("queue_ms", 0.0), t.get("decode_ms", 0.0), t.get("infer_ms", 0.0),
                        t.get("total_ms", 0.0), t.get("batch", 0))
        return Result(m.get("stream", ""), int(m.get("seq", -1)), int(m.get("width", 0)), int(m.get("height", 0)),
                      int(m.get("dropped", 0)), bool(m.get("gated", False)), dets, _advice(m), timing, entry)
    if kind == "error":
        return FrameError(int(m.get("seq", -1)), m.get("code", ""), m.get("message", ""), int(m.get("dropped", 0)),
                          entry)
    if kind == "status":
        return Status(m.get("stream", ""), int(m.get("dropped", 0)), _advice(m), entry)
    if kind == "watching":
        return Watching(m.get("stream", ""), m.get("from", ""), entry)
    return None
