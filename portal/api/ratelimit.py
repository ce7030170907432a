"""Requests per token per minute: in Redis when configured, else in this process."""

import threading
from collections import defaultdict

from portal import clock


class RateLimiter:
    """A fixed one-minute window per key.

    With ``REDIS_URL`` set the counters live in Redis, shared by every server
    process; otherwise in memory (one process, the embedded default).
    """

    def __init__(self, redis_url: str | None, prefix: str = "tacit:rl:"):
        self.prefix = prefix
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url)
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, int], int] = defaultdict(int)

    def hit(self, key: str, limit: int) -> tuple[bool, int]:
        """Count one request; return (allowed, seconds until the window resets)."""
        now = clock.now().timestamp()
        window = int(now // 60)
        retry_after = max(1, int(60 - now % 60))
        if self._redis is not None:
            name = f"{self.prefix}{key}:{window}"
            pipe = self._redis.pipeline()
            pipe.incr(name)
            pipe.expire(name, 120)
            count = pipe.execute()[0]
        else:
            with self._lock:
                self._counts[(key, window)] += 1
                count = self._counts[(key, window)]
                for old in [k for k in self._counts if k[1] < window]:
                    del self._counts[old]
        return count <= limit, retry_after
