"""HTTP load at a fixed concurrency for a fixed time: requests/s, p50, p99."""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def closed_loop(url: str, body: dict, headers: dict, concurrency: int, seconds: float) -> dict:
    """`concurrency` clients posting back to back for `seconds`."""
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                started = time.perf_counter()
                response = await client.post(url, json=body, headers=headers)
                if response.status_code == 202:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - began
    return {"requests_per_s": len(latencies) / elapsed, "p50_ms": percentile(latencies, 0.5) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000, "errors": errors, "count": len(latencies),
            "mean_ms": statistics.fmean(latencies) * 1000 if latencies else float("nan")}
