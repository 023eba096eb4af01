"""The run-wide limits, across processes (as pytest-xdist workers are): the request rate,
the back-off after throttling, and the lock that keeps site-state cases apart."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from conformance.ratelimit import RateLimiter, SiteStateLock

RATE = 20.0
CTX = multiprocessing.get_context("fork")


def _requests(directory: str, n: int, queue: multiprocessing.Queue) -> None:
    limiter = RateLimiter(Path(directory), RATE)
    for _ in range(n):
        limiter.acquire()
        queue.put(time.time())


def test_rate_is_shared_by_processes(tmp_path: Path) -> None:
    queue: multiprocessing.Queue = CTX.Queue()
    procs = [CTX.Process(target=_requests, args=(str(tmp_path), 5, queue)) for _ in range(3)]
    for p in procs:
        p.start()
    stamps = sorted(queue.get(timeout=30) for _ in range(15))
    for p in procs:
        p.join(timeout=30)
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    # 15 requests of 3 processes at 20/s: the 15 take at least 14/20 s together, and no two
    # come close together (a stamp is taken after the grant, so a busy machine's scheduling
    # can shift one by some milliseconds; an unshared limiter would give gaps near 0)
    assert min(gaps) >= 0.5 / RATE, gaps
    assert stamps[-1] - stamps[0] >= 14 / RATE - 0.02
    assert RateLimiter(tmp_path, RATE).stats()["requests"] == 15


def test_no_rate_means_no_wait(tmp_path: Path) -> None:
    limiter = RateLimiter(tmp_path, None)
    start = time.perf_counter()
    for _ in range(20):
        assert limiter.acquire() == 0.0
    assert time.perf_counter() - start < 1.0


def _throttle(directory: str) -> None:
    RateLimiter(Path(directory), None, backoff=0.6).throttled()


def test_throttling_makes_every_process_back_off(tmp_path: Path) -> None:
    proc = CTX.Process(target=_throttle, args=(str(tmp_path),))
    proc.start()
    proc.join(timeout=30)
    limiter = RateLimiter(tmp_path, None)
    start = time.perf_counter()
    limiter.acquire()
    assert time.perf_counter() - start >= 0.45
    assert limiter.stats()["throttled"] == 1
    start = time.perf_counter()
    limiter.acquire()  # the back-off has passed
    assert time.perf_counter() - start < 0.2


def _hold(directory: str, exclusive: bool, seconds: float, queue: multiprocessing.Queue,
          name: str) -> None:
    lock = SiteStateLock(Path(directory))
    lock.acquire(exclusive)
    queue.put((name, "in", time.time()))
    time.sleep(seconds)
    queue.put((name, "out", time.time()))
    lock.release()


@pytest.mark.parametrize("first_exclusive", [True, False])
def test_site_state_cases_never_overlap_others(tmp_path: Path, first_exclusive: bool) -> None:
    queue: multiprocessing.Queue = CTX.Queue()
    first = CTX.Process(target=_hold, args=(str(tmp_path), first_exclusive, 0.5, queue, "a"))
    first.start()
    assert queue.get(timeout=30)[:2] == ("a", "in")
    others = [CTX.Process(target=_hold, args=(str(tmp_path), not first_exclusive, 0.1, queue,
                                              f"b{i}")) for i in range(2)]
    for p in others:
        p.start()
    events = [queue.get(timeout=30) for _ in range(5)]
    for p in [first, *others]:
        p.join(timeout=30)
    a_out = next(t for n, what, t in events if n == "a" and what == "out")
    b_in = [t for n, what, t in events if n.startswith("b") and what == "in"]
    assert len(b_in) == 2 and all(t >= a_out for t in b_in), events


def test_readers_share(tmp_path: Path) -> None:
    one, two = SiteStateLock(tmp_path), SiteStateLock(tmp_path)
    one.acquire(False)
    start = time.perf_counter()
    two.acquire(False)
    assert time.perf_counter() - start < 0.5
    one.release()
    two.release()
    assert list((tmp_path / "site-state.readers").iterdir()) == []
