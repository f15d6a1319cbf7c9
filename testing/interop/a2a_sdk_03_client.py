"""Drives a CleverAgents namespace with the official A2A 0.3 Python client (a2a-sdk 0.3.26), as a
0.3 client starts: from the namespace's agent card.

Usage: a2a_sdk_03_client.py BASE_URL    (BASE_URL = http://host:port/ns/NAME)

Resolves the card at BASE_URL/.well-known/agent-card.json with the SDK's own resolver (which
validates it as a 0.3 card), builds the SDK's client from it, and sends, streams, gets and
cancels. The namespace must have the actors of testing/langgraph: echo (default) and slow.
Prints one JSON summary line; exits non-zero on the first broken expectation.
"""
import asyncio
import json
import sys
import uuid

import httpx
from a2a.client import ClientConfig, ClientFactory
from a2a.client.card_resolver import A2ACardResolver
from a2a.types import (
    DataPart,
    Message,
    Part,
    Role,
    Task,
    TaskIdParams,
    TaskQueryParams,
    TaskState,
    TextPart,
)

summary: dict = {}


def fail(message: str) -> None:
    print(json.dumps({"ok": False, "error": message, **summary}))
    sys.exit(1)


def expect(condition: bool, message: str) -> None:
    if not condition:
        fail(message)


def user_message(text: str, *, actor: str | None = None, data: dict | None = None) -> Message:
    parts = [Part(root=TextPart(text=text))]
    if data is not None:
        parts.append(Part(root=DataPart(data=data)))
    return Message(
        message_id=str(uuid.uuid4()),
        role=Role.user,
        parts=parts,
        metadata={"actor": actor} if actor else None,
    )


def text_of(task: Task) -> str:
    texts = []
    for artifact in task.artifacts or []:
        for part in artifact.parts:
            if isinstance(part.root, TextPart):
                texts.append(part.root.text)
    return "".join(texts)


async def main(base_url: str) -> None:
    async with httpx.AsyncClient(timeout=60) as http:
        card = await A2ACardResolver(http, base_url).get_agent_card()
        summary["card"] = {"url": card.url, "preferredTransport": card.preferred_transport, "protocolVersion": card.protocol_version}
        expect(card.url == base_url, f"the card's url is the namespace endpoint: {card.url}")
        expect(card.preferred_transport == "JSONRPC", f"preferredTransport: {card.preferred_transport}")

        # Send (blocking), then get the task again.
        client = ClientFactory(ClientConfig(streaming=False, httpx_client=http)).create(card)
        events = [event async for event in client.send_message(user_message("hello from 0.3"))]
        expect(len(events) == 1 and isinstance(events[0], tuple), f"one task answer: {events}")
        task, _ = events[0]
        expect(task.status.state == TaskState.completed, f"send: {task.status.state}")
        expect("hello from 0.3" in text_of(task), f"the echo answer: {text_of(task)!r}")
        fetched = await client.get_task(TaskQueryParams(id=task.id))
        expect(fetched.id == task.id and fetched.status.state == TaskState.completed, f"get: {fetched.status.state}")
        summary["send"] = task.status.state.value

        # Stream: the task, then updates, ending completed.
        streaming = ClientFactory(ClientConfig(streaming=True, httpx_client=http)).create(card)
        states = []
        async for event in streaming.send_message(user_message("streamed from 0.3")):
            expect(isinstance(event, tuple), f"stream events are task updates: {event}")
            states.append(event[0].status.state)
        expect(states and states[-1] == TaskState.completed, f"stream: {states}")
        summary["stream"] = [state.value for state in states]

        # Cancel a running task.
        polling = ClientFactory(ClientConfig(streaming=False, polling=True, httpx_client=http)).create(card)
        started = [event async for event in polling.send_message(user_message("wait", actor="slow", data={"seconds": 30}))]
        running, _ = started[0]
        canceled = await polling.cancel_task(TaskIdParams(id=running.id))
        expect(canceled.status.state == TaskState.canceled, f"cancel: {canceled.status.state}")
        summary["cancel"] = canceled.status.state.value

    print(json.dumps({"ok": True, **summary}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    asyncio.run(main(sys.argv[1].rstrip("/")))
