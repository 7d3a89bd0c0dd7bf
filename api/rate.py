"""Requests per caller per minute: a token bucket per API key (or per address for anonymous callers), held
in this process. Several server processes each hold their own buckets, so a city's gateway in front of them
is where a global limit belongs; this one keeps one runaway client from starving the others here."""

from __future__ import annotations

import math
import threading
import time

from core.exceptions import TooManyRequests


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.refill = per_minute / 60.0  # tokens a second
        self.buckets: dict[str, tuple[float, float]] = {}  # caller → (tokens, when counted)
        self.lock = threading.Lock()

    def take(self, caller: str) -> None:
        """One request of ``caller``; raises ``TooManyRequests`` with the seconds to wait when none is left."""
        if self.capacity <= 0:
            return
        now = time.monotonic()
        with self.lock:
            tokens, then = self.buckets.get(caller, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.refill)
            if tokens < 1:
                self.buckets[caller] = (tokens, now)
                wait = math.ceil((1 - tokens) / self.refill)
                raise TooManyRequests(f"请求过于频繁: 每分钟最多 {int(self.capacity)} 次, 请 {wait} 秒后再试 / rate limit "
                                      f"reached, retry in {wait} s", retry_after=wait)  # fmt: skip
            self.buckets[caller] = (tokens - 1, now)
            if len(self.buckets) > 100_000:  # forget the long idle, whose buckets are full again anyway
                horizon = now - 60
                self.buckets = {k: v for k, v in self.buckets.items() if v[1] > horizon}
