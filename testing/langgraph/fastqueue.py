"""TEST-ONLY scheduler latency patch for the in-memory LangGraph server.

Enabled only when the server process has CLEVERAGENTS_LG_FAST_QUEUE=1 (see
graphs.py and scripts/services). It is NOT LangGraph behaviour and must never be
used to judge production latency.

Why: langgraph-runtime-inmem's scheduler loop calls ``ops.Runs.next(wait=True)``
when its previous poll found nothing. With ``wait=True`` that coroutine takes a
timestamp, sleeps a hard-coded 0.5 s and then only picks up runs created
*before* the timestamp, so every run sits 0.5-1.0 s in the queue. That makes a
test suite with a few hundred runs needlessly slow.

What: we replace ``ops.Runs.next`` (looked up on the class on every scheduler
iteration) with a wrapper that does its own short sleep and then calls the
original with ``wait=False`` (a zero sleep), so a new run is picked up within
about ``poll_seconds``. Nothing else changes. If the runtime's internals change
shape, ``install`` refuses (returns False) and the stock behaviour stays.
"""

from __future__ import annotations

import asyncio
import inspect

_MARKER = "_cleveragents_fast_queue"


def install(poll_seconds: float = 0.01) -> bool:
    """Patch the in-memory run queue; returns True if the patch is active."""
    try:
        from langgraph_runtime_inmem import ops
    except Exception:  # not inside the in-memory server (e.g. plain import)
        return False

    runs = getattr(ops, "Runs", None)
    original = getattr(runs, "next", None) if runs is not None else None
    if original is None:
        return False
    if getattr(original, _MARKER, False):
        return True
    params = list(inspect.signature(original).parameters)
    if not inspect.isasyncgenfunction(original) or params[:1] != ["wait"]:
        return False  # unknown shape: keep the stock scheduler

    async def fast_next(wait: bool, limit: int = 1):
        if wait:
            await asyncio.sleep(poll_seconds)
        async for item in original(False, limit):
            yield item

    setattr(fast_next, _MARKER, True)
    runs.next = staticmethod(fast_next)
    return True
