"""Reconnect delays under the client contract (docs/protocol.md, "Client side of the contract")."""
from __future__ import annotations

import random
from typing import Callable, Optional

STOP = None  # no reconnect
BASE_S = 0.25
CAP_S = 10.0
REPLACED_S = 5.0


class Backoff:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**n)), doubling per attempt,
    back to the base after a connection that got a result; 1001 at once (0-250 ms); 4000 after 5 s + up
    to 1 s; 1000, 1009 and a refused upgrade (400, 401, 403) stop; a 503's Retry-After is a floor."""

    def __init__(self, rand: Callable[[], float] = random.random):
        self._rand = rand
        self._attempt = 0

    def after_close(self, code: int, got_result: bool) -> Optional[float]:
        if got_result:
            self._attempt = 0
        if code in (1000, 1009):
            return STOP
        if code == 1001:
            return self._rand() * BASE_S
        if code == 4000:
            return REPLACED_S + self._rand() * 1.0
        return self._next()  # 1013, 1008, 1006, 1011, the silence rule, anything else

    def after_failed_connect(self, status: int, retry_after_s: float) -> Optional[float]:
        if status in (400, 401, 403):
            return STOP
        return max(retry_after_s, self._next())

    def _next(self) -> float:
        ceiling = min(CAP_S, BASE_S * (2 ** min(self._attempt, 16)))
        self._attempt += 1
        return self._rand() * ceiling
