"""Checks the `tck` graph (tck.py) on the real LangGraph server that scripts/services runs,
through the HTTP API the way CleverAgents Server drives it (see test_graphs.py).

    scripts/services up && . .local/services.env
    "$CLEVERAGENTS_TEST_PYTHON" -m pytest -p no:cacheprovider -q testing/langgraph/test_tck_graph.py

Every scenario prefix of the A2A conformance kit is covered, plus the default branch,
longest-prefix matching, follow-up turns on one thread and the key-naming rules.
"""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest

from test_graphs import BASE, of, stream

pytestmark = pytest.mark.skipif(not BASE, reason="CLEVERAGENTS_TEST_LANGGRAPH_URL not set")

SESSION = uuid.uuid4().hex[:8]
SNAKE = re.compile(r"^[a-z]+(_[a-z]+)+$")


def mid(prefix: str, suffix: str = "") -> str:
    """A message id as the TCK makes them: <prefix>-<session>[-jsonrpc]."""
    return f"{prefix}-{SESSION}{suffix}"


def run(client: httpx.Client, message_id: str, thread: str | None = None, content: object = "hi"):
    """One turn; returns (custom a2a events, final a2a directive, seconds taken)."""
    started = time.monotonic()
    events = stream(
        client,
        "tck",
        thread or str(uuid.uuid4()),
        input={"messages": [{"type": "human", "content": content, "id": message_id}]},
    )
    elapsed = time.monotonic() - started
    assert not of(events, "error"), of(events, "error")
    custom = [c["a2a"] for c in of(events, "custom")]
    return custom, of(events, "values")[-1]["a2a"], elapsed


def keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys(item)


def assert_wire_clean(*values):
    """What DM-SERIAL-001/002 demand of anything that reaches an A2A response."""
    for value in values:
        for key, item in keys(value):
            assert not SNAKE.match(key), f"snake_case key {key!r} in {value}"
            if key in ("state", "role"):
                assert isinstance(item, str), f"{key} = {item!r}"


@pytest.fixture
def client():
    with httpx.Client(timeout=60) as c:
        yield c


def test_complete_task(client):
    custom, a2a, _ = run(client, mid("tck-complete-task", "-jsonrpc"))
    assert custom == []
    assert a2a == {"status": {"state": "completed", "message": "Hello from TCK"}}


def test_input_required_without_interrupt(client):
    thread = str(uuid.uuid4())
    custom, a2a, _ = run(client, mid("tck-input-required"), thread)
    assert custom == [] and a2a == {"status": {"state": "input-required"}}
    thread_info = client.get(f"{BASE}/threads/{thread}").json()
    assert thread_info["status"] == "idle" and not thread_info.get("interrupts")


def test_follow_ups_on_one_thread_follow_the_newest_message(client):
    """The CORE-HIST sequence: the same id twice more, then a completing follow-up, and a
    repeated id after another one (plain add_messages would replace it in place)."""
    thread = str(uuid.uuid4())
    working = mid("tck-input-required")
    for text in ("TCK prerequisite task creation", "TCK history message 1", "TCK history message 2"):
        _, a2a, _ = run(client, working, thread, content=text)
        assert a2a == {"status": {"state": "input-required"}}
    _, a2a, _ = run(client, mid("tck-complete-task"), thread, content="TCK complete after history")
    assert a2a["status"] == {"state": "completed", "message": "Hello from TCK"}
    _, a2a, _ = run(client, working, thread)
    assert a2a == {"status": {"state": "input-required"}}
    _, a2a, _ = run(client, mid("tck-infer-ctx"), thread, content="Follow-up message")
    assert a2a == {"status": {"state": "completed", "message": f"Unhandled messageId prefix: {mid('tck-infer-ctx')}"}}


@pytest.mark.parametrize(
    ("prefix", "part"),
    [
        ("tck-artifact-text", {"text": "Generated text content"}),
        ("tck-artifact-file", {"raw": "dGNr", "mediaType": "text/plain", "filename": "output.txt"}),
        (
            "tck-artifact-file-url",
            {"url": "https://example.com/output.txt", "mediaType": "text/plain", "filename": "output.txt"},
        ),
        ("tck-artifact-data", {"data": {"key": "value", "count": 42}}),
    ],
)
def test_artifacts(client, prefix, part):
    custom, a2a, _ = run(client, mid(prefix))
    assert custom == []
    (artifact,) = a2a["artifacts"]
    assert artifact["artifactId"] and artifact["parts"] == [part]
    assert a2a["status"] == {"state": "completed"}
    assert_wire_clean(a2a)


def test_message_response(client):
    custom, a2a, _ = run(client, mid("tck-message-response"))
    assert custom == [] and a2a == {"message": "Direct message response"}


def test_reject_task(client):
    _, a2a, _ = run(client, mid("tck-reject-task"))
    assert a2a == {"status": {"state": "rejected", "message": "rejected"}}


@pytest.mark.parametrize(
    ("prefix", "suffix", "texts"),
    [
        ("tck-stream-001", "-jsonrpc", ["Stream hello from TCK"]),
        ("tck-stream-002", "-jsonrpc", []),
        ("tck-stream-003", "-jsonrpc", ["Stream task lifecycle"]),
        ("tck-stream-ordering-001", "", ["Ordered output"]),
        ("tck-stream-artifact-text", "", ["Streamed text content"]),
    ],
)
def test_streams(client, prefix, suffix, texts):
    custom, a2a, _ = run(client, mid(prefix, suffix))
    assert [p["text"] for c in custom for p in c["artifact"]["parts"]] == texts
    for chunk in custom:
        assert chunk["artifact"]["artifactId"] and chunk["append"] is False and chunk["lastChunk"] is True
    assert a2a == {"status": {"state": "completed"}}
    assert_wire_clean(custom, a2a)


def test_stream_artifact_file(client):
    custom, a2a, _ = run(client, mid("tck-stream-artifact-file"))
    (chunk,) = custom
    assert chunk["artifact"]["parts"] == [{"raw": "dGNr", "mediaType": "text/plain", "filename": "output.txt"}]
    assert a2a == {"status": {"state": "completed"}}


def test_stream_artifact_chunked(client):
    custom, a2a, _ = run(client, mid("tck-stream-artifact-chunked"))
    assert [c["artifact"]["parts"] for c in custom] == [[{"text": "chunk-1 "}], [{"text": "chunk-2"}]]
    assert len({c["artifact"]["artifactId"] for c in custom}) == 1
    assert [(c["append"], c["lastChunk"]) for c in custom] == [(False, False), (True, True)]
    assert a2a == {"status": {"state": "completed"}}


def test_resubscribe_stays_working(client):
    custom, a2a, elapsed = run(client, mid("test-resubscribe-message-id"))
    assert elapsed >= 3.5  # four 1 s sleeps
    assert [c["status"]["state"] for c in custom] == ["working"] * 4
    assert custom[-1]["status"]["message"] == "Working 4/4"
    assert a2a == {"status": {"state": "completed"}}


@pytest.mark.parametrize(
    "message_id",
    [
        mid("tck-send-003", "-jsonrpc"),
        mid("tck-transport-test-001"),
        mid("tck-dm-serial-005-jsonrpc"),
        mid("tck-ver-003"),
        "tck-complete",  # a prefix of a prefix is no match
        "",
    ],
)
def test_default_branch(client, message_id):
    custom, a2a, _ = run(client, message_id)
    assert custom == []
    assert a2a == {"status": {"state": "completed", "message": f"Unhandled messageId prefix: {message_id}"}}


def test_content_blocks(client):
    """A message with a raw part reaches the graph as content blocks (CORE-SEND-003)."""
    blocks = [{"type": "file", "base64": "dGNr", "mime_type": "application/x-unsupported-tck-type"}]
    _, a2a, _ = run(client, mid("tck-complete-task"), content=blocks)
    assert a2a["status"]["state"] == "completed"
