"""The official A2A Python SDK over HTTPS with a token: card discovery and SendMessage.

Usage: a2a_sdk_https.py BASE_URL CA_FILE TOKEN
Prints one JSON line; exits non-zero when something is off.
"""
import asyncio
import json
import sys
import uuid

import httpx
from a2a.client import ClientConfig, create_client
from a2a.types import Message, Part, Role, SendMessageRequest, TaskState


async def main(base_url: str, ca_file: str, token: str) -> None:
    async with httpx.AsyncClient(verify=ca_file, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        client = await create_client(base_url, client_config=ClientConfig(httpx_client=http, streaming=False))
        async with client:
            message = Message(message_id=str(uuid.uuid4()), role=Role.ROLE_USER, parts=[Part(text="over tls")])
            events = [event async for event in client.send_message(SendMessageRequest(message=message))]
            task = events[0].task
            state = TaskState.Name(task.status.state)
            texts = [part.text for artifact in task.artifacts for part in artifact.parts]
            ok = state == "TASK_STATE_COMPLETED" and "echo: over tls" in texts
            print(json.dumps({"ok": ok, "state": state, "texts": texts}))
            sys.exit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
