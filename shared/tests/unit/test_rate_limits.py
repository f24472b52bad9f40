"""Rate limit buckets (issue 18, item 5): bounded in memory, evicted, each key its own allowance."""

from __future__ import annotations

from nwd_shared import auth
from nwd_shared.auth import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_a_key_gets_its_allowance_then_waits(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(auth, "time", clock)
    limiter = RateLimiter(per_minute=3)
    assert [limiter.retry_after("a") for _ in range(3)] == [None, None, None]
    assert limiter.retry_after("a") == 20.0  # one more token in 60/3 seconds
    assert limiter.retry_after("b") is None  # another key has its own
    clock.now += 20
    assert limiter.retry_after("a") is None


def test_waiting_spends_nothing(monkeypatch):
    monkeypatch.setattr(auth, "time", Clock())
    limiter = RateLimiter(per_minute=1)
    assert limiter.waiting("a") is None and limiter.waiting("a") is None and len(limiter) == 0
    limiter.retry_after("a")
    assert limiter.waiting("a") == 60.0


def test_a_flood_of_keys_never_holds_more_than_max_entries(monkeypatch):
    monkeypatch.setattr(auth, "time", Clock())
    limiter = RateLimiter(per_minute=10, max_entries=100)
    for n in range(100_000):
        limiter.retry_after(f"203.0.113.{n}")
    assert len(limiter) == 100
    # The least recently used went first: the newest keys are the ones kept.
    assert set(limiter._buckets) == {f"203.0.113.{n}" for n in range(99_900, 100_000)}


def test_a_bucket_full_again_is_dropped(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(auth, "time", clock)
    limiter = RateLimiter(per_minute=60)
    limiter.retry_after("old")
    clock.now += 61  # refilled: the same as no bucket at all
    limiter.retry_after("new")
    assert set(limiter._buckets) == {"new"}
