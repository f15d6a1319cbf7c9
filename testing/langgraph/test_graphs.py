"""Checks the test graphs on the real LangGraph server that scripts/services runs.

    scripts/services up && . .local/services.env
    "$CLEVERAGENTS_TEST_PYTHON" -m pytest -p no:cacheprovider -q testing/langgraph

Each test drives the HTTP API the way CleverAgents Server does:
POST /threads/{tid}/runs/stream with if_not_exists=create and
stream_mode values+updates+custom, and reads the SSE.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid

import httpx
import pytest

BASE = os.environ.get("CLEVERAGENTS_TEST_LANGGRAPH_URL", "")
pytestmark = pytest.mark.skipif(not BASE, reason="CLEVERAGENTS_TEST_LANGGRAPH_URL not set")
MODES = ["values", "updates", "custom"]


def human(text: str) -> dict:
    return {"messages": [{"type": "human", "content": text, "id": f"m-{uuid.uuid4()}"}]}


def stream(client: httpx.Client, graph: str, thread: str, **body) -> list[tuple[str, object]]:
    """One run on `thread`; returns the SSE events as (event, data) pairs."""
    payload = {"assistant_id": graph, "if_not_exists": "create", "stream_mode": MODES, **body}
    events, name = [], None
    with client.stream("POST", f"{BASE}/threads/{thread}/runs/stream", json=payload) as response:
        assert response.status_code == 200, response.read()
        for line in response.iter_lines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                events.append((name, json.loads(line[5:])))
    return events


def of(events, kind):
    return [data for name, data in events if name == kind]


def ai_texts(values: dict) -> list[str]:
    return [m["content"] for m in values.get("messages", []) if m["type"] == "ai"]


def thread_state(client, thread) -> dict:
    return client.get(f"{BASE}/threads/{thread}").json()


@pytest.fixture
def client():
    with httpx.Client(timeout=60) as c:
        yield c


@pytest.fixture
def tid():
    return str(uuid.uuid4())


def test_echo(client, tid):
    events = stream(client, "echo", tid, input=human("hello"))
    assert events[0][0] == "metadata" and "run_id" in events[0][1]
    final = of(events, "values")[-1]
    assert ai_texts(final) == ["echo: hello"]
    assert final["messages"][0]["type"] == "human"
    assert thread_state(client, tid)["status"] == "idle"


def test_echo_boom_fails(client, tid):
    events = stream(client, "echo", tid, input=human("boom"))
    assert of(events, "error") == [{"error": "ValueError", "message": "boom requested"}]
    assert thread_state(client, tid)["status"] == "error"


def test_steps_progress_and_delay(client, tid):
    started = time.monotonic()
    events = stream(client, "steps", tid, input={**human("go"), "delay": 0.2})
    assert time.monotonic() - started >= 0.6
    assert of(events, "custom") == [{"progress": "one"}, {"progress": "two"}, {"progress": "three"}]
    final = of(events, "values")[-1]
    assert ai_texts(final) == ["done: one,two,three"]
    assert final["steps"] == ["one", "two", "three"] and final["delay"] == 0.2


def test_ask_interrupt_then_resume(client, tid):
    events = stream(client, "ask", tid, input=human("deploy"))
    (interrupt,) = of(events, "updates")[-1]["__interrupt__"]
    assert interrupt["value"] == {"question": "Approve 'deploy'?"}
    thread = thread_state(client, tid)
    assert thread["status"] == "interrupted"
    assert [i["id"] for items in thread["interrupts"].values() for i in items] == [interrupt["id"]]

    events = stream(client, "ask", tid, command={"resume": "approved"})
    assert ai_texts(of(events, "values")[-1]) == ["deploy -> approved"]
    assert thread_state(client, tid)["status"] == "idle"


def test_ask_two_resume_by_id(client, tid):
    events = stream(client, "ask_two", tid, input=human("ship"))
    # One updates event per interrupt; the final values event lists only the last one.
    streamed = [i for u in of(events, "updates") for i in u.get("__interrupt__", [])]
    pending = client.get(f"{BASE}/threads/{tid}/state").json()["interrupts"]
    assert sorted(i["id"] for i in streamed) == sorted(i["id"] for i in pending)
    by_key = {i["value"]["key"]: i["id"] for i in pending}
    assert set(by_key) == {"first", "second"} and by_key["first"] != by_key["second"]

    stream(client, "ask_two", tid, command={"resume": {by_key["second"]: "no"}})
    thread = thread_state(client, tid)
    assert thread["status"] == "interrupted"
    left = [i["id"] for items in thread["interrupts"].values() for i in items]
    assert left == [by_key["first"]]

    events = stream(client, "ask_two", tid, command={"resume": {by_key["first"]: "yes"}})
    assert ai_texts(of(events, "values")[-1]) == ["ship -> first=yes, second=no"]
    assert thread_state(client, tid)["status"] == "idle"


def test_chunks(client, tid):
    events = stream(client, "chunks", tid, input=human("hi"))
    chunks = [c["a2a"] for c in of(events, "custom")]
    assert [c["artifact"]["artifactId"] for c in chunks] == ["reply"] * 3
    assert [c["append"] for c in chunks] == [False, True, True]
    assert [c["lastChunk"] for c in chunks] == [False, False, True]
    text = "".join(p["text"] for c in chunks for p in c["artifact"]["parts"])
    assert text == "hello streaming world"
    assert ai_texts(of(events, "values")[-1]) == ["hello streaming world"]


def test_directive(client, tid):
    directive = {"status": {"state": "rejected", "message": "not allowed"}}
    events = stream(client, "directive", tid, input={**human("x"), "directive": directive})
    assert of(events, "custom") == [{"a2a": {"status": {"state": "working", "message": "directing x"}}}]
    final = of(events, "values")[-1]
    assert final["a2a"] == directive and ai_texts(final) == ["directive: x"]


def test_slow_completes_with_progress(client, tid):
    events = stream(client, "slow", tid, input={**human("s"), "seconds": 2})
    assert of(events, "custom") == [
        {"progress": "slow", "elapsed": 1},
        {"progress": "slow", "elapsed": 2},
    ]
    assert ai_texts(of(events, "values")[-1]) == ["slow done"]


def test_slow_cancel(client, tid):
    result = {}

    def run():
        with httpx.Client(timeout=60) as c:
            result["events"] = stream(c, "slow", tid, input={**human("s"), "seconds": 30})

    worker = threading.Thread(target=run)
    worker.start()
    run_id = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        runs = client.get(f"{BASE}/threads/{tid}/runs").json()  # 404 body until the thread exists
        if isinstance(runs, list) and runs and runs[0]["status"] == "running":
            run_id = runs[0]["run_id"]
            break
        time.sleep(0.05)
    assert run_id, "slow run never started"
    started = time.monotonic()
    response = client.post(f"{BASE}/threads/{tid}/runs/{run_id}/cancel", params={"wait": 1, "action": "interrupt"})
    assert response.status_code == 200
    worker.join(10)
    assert not worker.is_alive() and time.monotonic() - started < 5
    assert client.get(f"{BASE}/threads/{tid}/runs/{run_id}").json()["status"] == "interrupted"
    # The cancel may land before the run's first values event is streamed: then there is none.
    values = of(result["events"], "values")
    assert not values or not ai_texts(values[-1]), "a cancelled slow run answers nothing"
