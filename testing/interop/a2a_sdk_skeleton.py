"""Drives a CleverAgents namespace with the official A2A Python SDK (a2a-sdk 1.3.0).

Usage: a2a_sdk_skeleton.py BASE_URL    (BASE_URL = http://host:port/ns/NAME)

Card discovery, SendMessage (unary), SendStreamingMessage and GetTask through the SDK's own
client. Prints one JSON summary line and exits non-zero on the first broken expectation.
"""
import asyncio
import json
import sys
import uuid

import httpx
from a2a.client import ClientConfig, create_client
from a2a.types import GetTaskRequest, Message, Part, Role, SendMessageRequest
from google.protobuf.json_format import MessageToDict


def fail(message: str) -> None:
    print(json.dumps({"ok": False, "error": message}))
    sys.exit(1)


def user_message(text: str) -> Message:
    return Message(message_id=str(uuid.uuid4()), role=Role.ROLE_USER, parts=[Part(text=text)])


async def main(base_url: str) -> None:
    summary: dict = {}
    async with httpx.AsyncClient(timeout=60) as http:
        # Unary SendMessage.
        client = await create_client(base_url, client_config=ClientConfig(httpx_client=http, streaming=False))
        async with client:
            events = [event async for event in client.send_message(SendMessageRequest(message=user_message("from the sdk")))]
            if len(events) != 1 or events[0].WhichOneof("payload") != "task":
                fail(f"unary send: expected one task, got {[e.WhichOneof('payload') for e in events]}")
            task = events[0].task
            if MessageToDict(task)["status"]["state"] != "TASK_STATE_COMPLETED":
                fail(f"unary send: task not completed: {MessageToDict(task)}")
            texts = [part.text for artifact in task.artifacts for part in artifact.parts]
            if "echo: from the sdk" not in texts:
                fail(f"unary send: artifact text missing: {texts}")
            summary["unary"] = {"taskId": task.id, "contextId": task.context_id, "artifacts": texts}

            fetched = await client.get_task(GetTaskRequest(id=task.id))
            if fetched.id != task.id or fetched.status.state != task.status.state:
                fail("get task: different task")
            if [m.message_id for m in fetched.history] != [m.message_id for m in task.history]:
                fail("get task: different history")
            summary["get"] = {"state": MessageToDict(fetched)["status"]["state"], "history": len(fetched.history)}

        # Streaming SendMessage: first the task, then updates, ending completed.
        client = await create_client(base_url, client_config=ClientConfig(httpx_client=http, streaming=True))
        async with client:
            kinds = []
            states = []
            async for event in client.send_message(SendMessageRequest(message=user_message("streamed"))):
                kind = event.WhichOneof("payload")
                kinds.append(kind)
                if kind == "status_update":
                    states.append(MessageToDict(event.status_update)["status"]["state"])
            if not kinds or kinds[0] != "task":
                fail(f"stream: the first event must be the task, got {kinds}")
            if not states or states[-1] != "TASK_STATE_COMPLETED":
                fail(f"stream: the last state must be completed, got {states}")
            if "artifact_update" not in kinds:
                fail(f"stream: no artifact update in {kinds}")
            summary["stream"] = {"kinds": kinds, "states": states}

    print(json.dumps({"ok": True, **summary}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
