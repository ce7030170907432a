"""The bounded LRU behind the per-process caches (knowledge at risk, search)."""

from portal.lru import LRU


def test_the_least_recently_used_goes_first():
    lru = LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "b" is now the oldest
    lru.put("c", 3)
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == (1, None, 3)


def test_a_weight_bound_counts_what_the_entries_weigh():
    lru = LRU(10, weigh=len)
    lru.put("a", "xxxx")
    lru.put("b", "yyyy")
    lru.put("a", "xxxxxx")  # replaced: weighs 6 now, not 4 + 6
    assert lru.total == 10 and lru.get("b") == "yyyy"
    lru.put("c", "z")
    assert lru.get("a") is None and lru.total == 5
    lru.put("huge", "w" * 11)  # heavier than the bound: not kept
    assert lru.get("huge") is None and lru.total <= 10


def test_size_zero_keeps_nothing():
    lru = LRU(0)
    lru.put("a", 1)
    assert lru.get("a") is None


def test_discard_forgets_the_keys_it_is_told_to():
    lru = LRU(100, weigh=len)
    lru.put(("seg1", "w"), "xx")
    lru.put(("seg2", "w"), "yyy")
    lru.discard(lambda key: key[0] != "seg2")
    assert lru.get(("seg1", "w")) is None and lru.total == 3
