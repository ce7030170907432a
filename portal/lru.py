"""A bounded least-recently-used mapping, safe across threads.

Bounded by the number of entries, or by their summed weight (bytes, say) when
``weigh`` is given; the least recently used go first (an entry heavier than
the whole bound is not kept).
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class LRU:
    def __init__(self, size: int, weigh: Callable[[object], int] | None = None):
        self.size = size
        self.weigh = weigh or (lambda value: 1)
        self.entries: OrderedDict = OrderedDict()
        self.total = 0  # the summed weight of the entries
        self.lock = threading.Lock()

    def get(self, key: Hashable):
        with self.lock:
            value = self.entries.get(key)
            if value is not None:
                self.entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.total -= self.weigh(old)
            self.entries[key] = value
            self.total += self.weigh(value)
            while self.total > self.size and self.entries:
                _, gone = self.entries.popitem(last=False)
                self.total -= self.weigh(gone)

    def discard(self, drop: Callable[[Hashable], bool]) -> None:
        """Forget the entries whose key ``drop`` says to."""
        with self.lock:
            for key in [key for key in self.entries if drop(key)]:
                self.total -= self.weigh(self.entries.pop(key))
