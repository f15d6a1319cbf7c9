"""Drives every A2A method of a CleverAgents namespace with the official Python SDK (a2a-sdk 1.3.0),
through its A2A 1.0 transport and through its 0.3 compatibility transport.

Usage: a2a_sdk_surface.py BASE_URL [1.0|0.3]    (BASE_URL = http://host:port/ns/NAME)

The namespace must have the actors of testing/langgraph: echo (default), slow, ask. Runs a local
webhook receiver on 127.0.0.1 for push notifications (the server must allow loopback webhooks).
Prints one JSON summary line; exits non-zero on the first broken expectation.
"""
import asyncio
import http.server
import json
import sys
import threading
import uuid

import httpx
from a2a.client import ClientConfig, ClientFactory
from a2a.client.card_resolver import A2ACardResolver
from a2a.types import (
    AgentCard,
    AuthenticationInfo,
    CancelTaskRequest,
    DeleteTaskPushNotificationConfigRequest,
    GetTaskPushNotificationConfigRequest,
    GetTaskRequest,
    ListTaskPushNotificationConfigsRequest,
    ListTasksRequest,
    Message,
    Part,
    Role,
    SendMessageConfiguration,
    SendMessageRequest,
    SubscribeToTaskRequest,
    TaskPushNotificationConfig,
    TaskState,
)
from google.protobuf import struct_pb2
from google.protobuf.json_format import MessageToDict

summary: dict = {}


def fail(message: str) -> None:
    print(json.dumps({"ok": False, "error": message, **summary}))
    sys.exit(1)


def expect(condition: bool, message: str) -> None:
    if not condition:
        fail(message)


def user_message(text: str, *, actor: str | None = None, context_id: str | None = None, data: dict | None = None, task_id: str | None = None) -> Message:
    message = Message(message_id=str(uuid.uuid4()), role=Role.ROLE_USER, parts=[Part(text=text)])
    if data is not None:
        value = struct_pb2.Value()
        value.struct_value.update(data)
        message.parts.append(Part(data=value))
    if actor:
        message.metadata.update({"actor": actor})
    if context_id:
        message.context_id = context_id
    if task_id:
        message.task_id = task_id
    return message


class Webhook:
    """Records POSTs; answers 200."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with outer.lock:
                    outer.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": json.loads(body) if body else None})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook"

    def received(self) -> list[dict]:
        with self.lock:
            return list(self.requests)


def state(task) -> str:
    return TaskState.Name(task.status.state)


async def collect(stream) -> list:
    return [event async for event in stream]


async def main(base_url: str, version: str) -> None:
    webhook = Webhook()
    async with httpx.AsyncClient(timeout=60) as http_client:
        card = await A2ACardResolver(http_client, base_url).get_agent_card()
        versions = [i.protocol_version for i in card.supported_interfaces]
        expect("1.0" in versions and "0.3" in versions, f"the card lists 1.0 and 0.3 interfaces: {versions}")
        if version == "0.3":
            legacy = AgentCard()
            legacy.CopyFrom(card)
            del legacy.supported_interfaces[:]
            legacy.supported_interfaces.extend(i for i in card.supported_interfaces if i.protocol_version == "0.3")
            card = legacy
        unary = ClientFactory(ClientConfig(httpx_client=http_client, streaming=False)).create(card)
        streaming = ClientFactory(ClientConfig(httpx_client=http_client, streaming=True)).create(card)
        observer = ClientFactory(ClientConfig(httpx_client=http_client, streaming=True)).create(card)

        # Unary send, get.
        events = await collect(unary.send_message(SendMessageRequest(message=user_message("hello"))))
        expect(len(events) == 1 and events[0].WhichOneof("payload") == "task", f"unary send answers one task: {events}")
        task = events[0].task
        expect(state(task) == "TASK_STATE_COMPLETED", f"unary send completes: {MessageToDict(task)}")
        expect(any(p.text == "echo: hello" for a in task.artifacts for p in a.parts), "the echo artifact")
        fetched = await unary.get_task(GetTaskRequest(id=task.id))
        expect(fetched.id == task.id and state(fetched) == "TASK_STATE_COMPLETED", "get task")
        summary["send"] = "ok"

        # Streaming send: the task first, then updates, ending completed.
        kinds = []
        last_state = None
        async for event in streaming.send_message(SendMessageRequest(message=user_message("streamed"))):
            kind = event.WhichOneof("payload")
            kinds.append(kind)
            if kind == "status_update":
                last_state = TaskState.Name(event.status_update.status.state)
        expect(kinds and kinds[0] == "task", f"the stream starts with the task: {kinds}")
        expect(last_state == "TASK_STATE_COMPLETED", f"the stream ends completed: {kinds}")
        summary["stream"] = kinds

        if version == "1.0":
            # List with pagination, in one context.
            context = str(uuid.uuid4())
            ids = set()
            for index in range(3):
                response = await collect(unary.send_message(SendMessageRequest(message=user_message(f"list {index}", context_id=context))))
                ids.add(response[0].task.id)
            first = await unary.list_tasks(ListTasksRequest(context_id=context, page_size=2))
            expect(len(first.tasks) == 2 and first.next_page_token != "" and first.total_size == 3, f"first page: {MessageToDict(first)}")
            second = await unary.list_tasks(ListTasksRequest(context_id=context, page_size=2, page_token=first.next_page_token))
            expect(len(second.tasks) == 1 and second.next_page_token == "", f"last page: {MessageToDict(second)}")
            expect({t.id for t in first.tasks} | {t.id for t in second.tasks} == ids, "pages cover the context's tasks")
            summary["list"] = "ok"

        # Subscribe from a second client while the task runs; both subscribers see it end.
        started = await collect(unary.send_message(SendMessageRequest(
            message=user_message("watch", actor="slow", data={"seconds": 2}),
            configuration=SendMessageConfiguration(return_immediately=True),
        )))
        running = started[0].task
        async def watch():
            return [event async for event in observer.subscribe(SubscribeToTaskRequest(id=running.id))]
        first_watch, second_watch = await asyncio.gather(watch(), watch())
        for watched in (first_watch, second_watch):
            expect(watched and watched[0].WhichOneof("payload") == "task", "a subscription starts with the task")
            final = watched[-1]
            expect(final.WhichOneof("payload") == "status_update" and TaskState.Name(final.status_update.status.state) == "TASK_STATE_COMPLETED",
                   f"a subscription ends completed: {[e.WhichOneof('payload') for e in watched]}")
        summary["subscribe"] = [len(first_watch), len(second_watch)]

        # Cancel a running task.
        started = await collect(unary.send_message(SendMessageRequest(
            message=user_message("cancel me", actor="slow", data={"seconds": 30}),
            configuration=SendMessageConfiguration(return_immediately=True),
        )))
        victim = started[0].task
        for _ in range(300):
            current = await unary.get_task(GetTaskRequest(id=victim.id))
            if state(current) == "TASK_STATE_WORKING":
                break
            await asyncio.sleep(0.05)
        canceled = await unary.cancel_task(CancelTaskRequest(id=victim.id))
        expect(state(canceled) == "TASK_STATE_CANCELED", f"cancel: {MessageToDict(canceled)}")
        summary["cancel"] = "ok"

        # Push notifications: inline config on send, delivered with the credentials, in order.
        token = f"hook-{uuid.uuid4().hex[:8]}"
        inline = TaskPushNotificationConfig(id="inline", url=webhook.url, authentication=AuthenticationInfo(scheme="Bearer", credentials=token))
        pushed = await collect(unary.send_message(SendMessageRequest(message=user_message("push me"), configuration=SendMessageConfiguration(task_push_notification_config=inline))))
        pushed_task = pushed[0].task
        for _ in range(400):
            mine = [r for r in webhook.received() if r["body"] and json.dumps(r["body"]).find(pushed_task.id) >= 0]
            if mine and "statusUpdate" in mine[-1]["body"] and mine[-1]["body"]["statusUpdate"]["status"]["state"] == "TASK_STATE_COMPLETED":
                break
            await asyncio.sleep(0.05)
        mine = [r for r in webhook.received() if r["body"] and json.dumps(r["body"]).find(pushed_task.id) >= 0]
        expect(mine, "push notifications arrived")
        expect(all(r["headers"].get("authorization") == f"Bearer {token}" for r in mine), "every notification carries the credentials")
        expect(all(r["headers"].get("content-type", "").startswith("application/a2a+json") for r in mine), "notifications are application/a2a+json")
        expect(list(mine[0]["body"].keys()) == ["task"], f"the first notification is the task: {mine[0]['body']}")
        expect(mine[-1]["body"]["statusUpdate"]["status"]["state"] == "TASK_STATE_COMPLETED", "the last notification is the completion")
        summary["push"] = [list(r["body"].keys())[0] for r in mine]

        # Push config CRUD.
        created = await unary.create_task_push_notification_config(TaskPushNotificationConfig(task_id=pushed_task.id, id="crud", url=webhook.url))
        expect(created.id == "crud" and created.task_id == pushed_task.id, f"create: {MessageToDict(created)}")
        got = await unary.get_task_push_notification_config(GetTaskPushNotificationConfigRequest(task_id=pushed_task.id, id="crud"))
        expect(got.url == webhook.url, "get")
        listed = await unary.list_task_push_notification_configs(ListTaskPushNotificationConfigsRequest(task_id=pushed_task.id))
        expect({c.id for c in listed.configs} == {"inline", "crud"}, f"list: {MessageToDict(listed)}")
        await unary.delete_task_push_notification_config(DeleteTaskPushNotificationConfigRequest(task_id=pushed_task.id, id="crud"))
        await unary.delete_task_push_notification_config(DeleteTaskPushNotificationConfigRequest(task_id=pushed_task.id, id="crud"))
        listed = await unary.list_task_push_notification_configs(ListTaskPushNotificationConfigsRequest(task_id=pushed_task.id))
        expect({c.id for c in listed.configs} == {"inline"}, "delete, twice")
        summary["pushConfigs"] = "ok"

        # Human in the loop: the ask graph interrupts; the task needs input; the answer, sent to
        # the same task, resumes the run to completion.
        events = await collect(streaming.send_message(SendMessageRequest(message=user_message("deploy", actor="ask"))))
        asked = events[-1]
        asked_task_id = asked.status_update.task_id if asked.WhichOneof("payload") == "status_update" else asked.task.id
        fetched = await unary.get_task(GetTaskRequest(id=asked_task_id))
        expect(state(fetched) == "TASK_STATE_INPUT_REQUIRED", f"the graph asks: {MessageToDict(fetched)}")
        question = " ".join(p.text for p in fetched.status.message.parts if p.text) + json.dumps(MessageToDict(fetched.status.message))
        expect("Approve" in question, f"the question is in the status message: {question}")
        answer = user_message("yes", task_id=asked_task_id, context_id=fetched.context_id)
        events = await collect(unary.send_message(SendMessageRequest(message=answer)))
        done = events[-1].task if events[-1].WhichOneof("payload") == "task" else await unary.get_task(GetTaskRequest(id=asked_task_id))
        expect(state(done) == "TASK_STATE_COMPLETED", f"the answer completes the task: {MessageToDict(done)}")
        expect(any("deploy -> yes" in p.text for a in done.artifacts for p in a.parts), f"the graph used the answer: {MessageToDict(done)}")
        summary["inputRequired"] = "ok"

        # Errors arrive as SDK errors.
        try:
            await unary.get_task(GetTaskRequest(id="no-such-task"))
            fail("an unknown task must be an error")
        except Exception as error:  # noqa: BLE001 - the SDK raises its own error types
            summary["notFound"] = type(error).__name__

    print(json.dumps({"ok": True, "version": version, **summary}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "1.0"))
