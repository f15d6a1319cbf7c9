"""The `tck` graph: every scenario of the A2A conformance kit (a2a-tck, branch 1.0-dev),
LLM-free, expressed purely through our graph convention (docs/graph-convention.md).

The TCK drives behaviour through the A2A `messageId` of the user message, which our server
passes as the `id` of the human message it appends to `messages`. The scenario is picked by
the longest known prefix of that id (the TCK appends a session id, and sometimes
`-jsonrpc`, so `tck-complete-task-1a2b3c4d-jsonrpc` is `tck-complete-task`):

| prefix | graph output |
|---|---|
| tck-complete-task | a2a.status completed, message "Hello from TCK" |
| tck-input-required | a2a.status input-required (no interrupt(): a follow-up message to the task is a new run on the same thread, whose own prefix decides) |
| tck-artifact-text / -file / -file-url / -data | a2a.artifacts with one part each, then completed |
| tck-message-response | a2a.message "Direct message response" (a Message, no task) |
| tck-reject-task | a2a.status rejected, message "rejected" |
| tck-stream-001 / -003, tck-stream-ordering-001, tck-stream-artifact-text / -file | one custom a2a artifact event, then completed |
| tck-stream-002 | completed, nothing else |
| tck-stream-artifact-chunked | two custom a2a chunks of one artifactId ("chunk-1 ", "chunk-2"), then completed |
| test-resubscribe-message-id | working for ~4 s with a custom a2a working status every second, then completed |
| anything else | completed, message "Unhandled messageId prefix: <messageId>" |

The running state (`working`) is our server's own: it reports it when the run starts.
State keys stay camelCase or single words (`messages`, `a2a`), because the TCK rejects any
snake_case key anywhere in a response (DM-SERIAL-001), and no key named `state` or `role`
ever holds a number (DM-SERIAL-002). Every turn writes a fresh `a2a` directive, so nothing
of an earlier turn on the same thread (one thread per A2A context) leaks into the next.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any, Callable, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages

if os.getenv("CLEVERAGENTS_LG_FAST_QUEUE") == "1":  # test-only, see fastqueue.py
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import fastqueue

    if not fastqueue.install():
        print("tck.py: CLEVERAGENTS_LG_FAST_QUEUE=1 but the patch did not apply", file=sys.stderr)


RAW_TCK = "dGNr"  # base64 of b"tck"
RESUBSCRIBE_SECONDS = 4  # 2 x the reference SUTs' streaming timeout of 2 s


def latest_last(left: list[AnyMessage] | None, right: Any) -> list[AnyMessage]:
    """`add_messages`, except that a message whose id is already in the list moves to the end.

    The TCK reuses message ids (e.g. `tck-input-required-<session>` for several follow-ups),
    and plain `add_messages` replaces such a message in place, so the last human message
    would no longer be the one this run answers.
    """
    new = add_messages([], right)
    ids = {message.id for message in new}
    return [message for message in (left or []) if message.id not in ids] + new


class TckState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], latest_last]
    a2a: dict[str, Any]  # the output directive our server reads


def last_human_id(messages: list[AnyMessage] | None) -> str:
    for message in reversed(messages or []):
        if getattr(message, "type", None) == "human":
            return message.id or ""
    return ""


def _new_id() -> str:
    return str(uuid.uuid4())


def _completed(message: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"state": "completed"}
    if message is not None:
        status["message"] = message
    return {"status": status}


def _with_artifact(part: dict[str, Any]) -> Callable[[str], dict[str, Any]]:
    def scenario(_message_id: str) -> dict[str, Any]:
        return {"artifacts": [{"artifactId": _new_id(), "parts": [part]}], **_completed()}

    return scenario


def _streamed(*parts: dict[str, Any]) -> Callable[[str], dict[str, Any]]:
    """One artifact, streamed as a custom event (one chunk per part, one artifactId), then done."""

    def scenario(_message_id: str) -> dict[str, Any]:
        write = get_stream_writer()
        artifact_id = _new_id()
        for index, part in enumerate(parts):
            write({
                "a2a": {
                    "artifact": {"artifactId": artifact_id, "parts": [part]},
                    "append": index > 0,
                    "lastChunk": index == len(parts) - 1,
                }
            })
        return _completed()

    return scenario


FILE_PART = {"raw": RAW_TCK, "mediaType": "text/plain", "filename": "output.txt"}

SCENARIOS: dict[str, Callable[[str], dict[str, Any]]] = {
    "tck-complete-task": lambda _: _completed("Hello from TCK"),
    "tck-input-required": lambda _: {"status": {"state": "input-required"}},
    "tck-artifact-text": _with_artifact({"text": "Generated text content"}),
    "tck-artifact-file": _with_artifact(FILE_PART),
    "tck-artifact-file-url": _with_artifact(
        {"url": "https://example.com/output.txt", "mediaType": "text/plain", "filename": "output.txt"}
    ),
    "tck-artifact-data": _with_artifact({"data": {"key": "value", "count": 42}}),
    "tck-message-response": lambda _: {"message": "Direct message response"},
    "tck-reject-task": lambda _: {"status": {"state": "rejected", "message": "rejected"}},
    "tck-stream-001": _streamed({"text": "Stream hello from TCK"}),
    "tck-stream-002": lambda _: _completed(),
    "tck-stream-003": _streamed({"text": "Stream task lifecycle"}),
    "tck-stream-ordering-001": _streamed({"text": "Ordered output"}),
    "tck-stream-artifact-text": _streamed({"text": "Streamed text content"}),
    "tck-stream-artifact-file": _streamed(FILE_PART),
    "tck-stream-artifact-chunked": _streamed({"text": "chunk-1 "}, {"text": "chunk-2"}),
    # test-resubscribe-message-id is asynchronous: see tck_node.
}
RESUBSCRIBE = "test-resubscribe-message-id"
PREFIXES = sorted([*SCENARIOS, RESUBSCRIBE], key=len, reverse=True)  # longest first


def scenario_of(message_id: str) -> str | None:
    """The longest known prefix of `message_id`, or None (the default branch)."""
    return next((prefix for prefix in PREFIXES if message_id.startswith(prefix)), None)


async def tck_node(state: TckState) -> TckState:
    message_id = last_human_id(state.get("messages"))
    prefix = scenario_of(message_id)
    if prefix == RESUBSCRIBE:
        write = get_stream_writer()
        for second in range(1, RESUBSCRIBE_SECONDS + 1):
            await asyncio.sleep(1)
            write({"a2a": {"status": {"state": "working", "message": f"Working {second}/{RESUBSCRIBE_SECONDS}"}}})
        return {"a2a": _completed()}
    if prefix is None:
        return {"a2a": _completed(f"Unhandled messageId prefix: {message_id}")}
    return {"a2a": SCENARIOS[prefix](message_id)}


tck = (
    StateGraph(TckState)
    .add_node("tck", tck_node)
    .add_edge(START, "tck")
    .add_edge("tck", END)
    .compile(name="tck")
)
