"""framewire's Python client: publish JPEG frames to a framewire server (or watch a stream) and get
the detections back as dataclasses, under the client contract (docs/protocol.md)."""
from .backoff import Backoff
from .client import CLOSE_SILENCE, CONNECTING, OPEN, SILENCE_S, STOPPED, WAITING, Closed, FramewireClient, Stats
from .messages import Detection, FrameError, Message, Result, Status, Timing, Watching, parse
from .sync import SyncClient

__all__ = ["Backoff", "CLOSE_SILENCE", "CONNECTING", "OPEN", "SILENCE_S", "STOPPED", "WAITING", "Closed",
           "FramewireClient", "Stats", "Detection", "FrameError", "Message", "Result", "Status", "Timing",
           "Watching", "parse", "SyncClient"]
