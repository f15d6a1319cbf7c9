"""LLM-free LangGraph graphs that CleverAgents Server's integration tests run on a
real `langgraph dev` server. See README.md beside this file for the conventions.

Input (what our server sends):  {"messages": [{"type": "human", "content": "<text>",
"id": "<A2A messageId>"}], **<keys of any A2A data part>}
Output (what our server reads): new AI messages in the final state's `messages` ->
text artifacts; the rest of the final state -> one JSON data artifact; a state key
`a2a` is a directive; `custom` stream events with an `a2a` key are streamed A2A
events, any other custom event is a progress update.
"""

from __future__ import annotations

import asyncio
import json
import operator
import os
import sys
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import interrupt

if os.getenv("CLEVERAGENTS_LG_FAST_QUEUE") == "1":  # test-only, see fastqueue.py
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import fastqueue

    if not fastqueue.install():
        print("graphs.py: CLEVERAGENTS_LG_FAST_QUEUE=1 but the patch did not apply",
              file=sys.stderr)


# --------------------------------------------------------------------------- helpers


def _text_of(content: Any) -> str:
    """Plain text of a LangChain message content (a string or a list of blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        pieces = []
        for block in content:
            if isinstance(block, str):
                pieces.append(block)
            elif isinstance(block, dict) and block.get("type") == "text":
                pieces.append(str(block.get("text", "")))
        return "".join(pieces)
    return ""


def last_human_text(messages: list[AnyMessage] | None) -> str:
    for message in reversed(messages or []):
        if getattr(message, "type", None) == "human":
            return _text_of(message.content)
    return ""


def _answer_text(value: Any) -> str:
    """A resume value as text: strings as they are, any other JSON value as JSON."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


class ChatState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]


# --------------------------------------------------------------------------- echo


def echo_node(state: ChatState) -> ChatState:
    text = last_human_text(state.get("messages"))
    if text == "boom":  # deterministic failure path for error-handling tests
        raise ValueError("boom requested")
    return {"messages": [AIMessage(content=f"echo: {text}")]}


echo = (
    StateGraph(ChatState)
    .add_node("echo", echo_node)
    .add_edge(START, "echo")
    .add_edge("echo", END)
    .compile(name="echo")
)


# --------------------------------------------------------------------------- steps


class StepsState(ChatState, total=False):
    delay: float  # seconds to sleep before each step (cancel / concurrency tests)
    steps: Annotated[list[str], operator.add]


def _step(name: str, last: bool):
    async def node(state: StepsState) -> StepsState:
        delay = float(state.get("delay") or 0)
        if delay > 0:
            await asyncio.sleep(delay)
        get_stream_writer()({"progress": name})
        update: StepsState = {"steps": [name]}
        if last:
            done = [*state.get("steps", []), name]
            update["messages"] = [AIMessage(content="done: " + ",".join(done))]
        return update

    return node


_steps = StateGraph(StepsState)
_previous = START
for _name in ("one", "two", "three"):
    _steps.add_node(_name, _step(_name, last=_name == "three"))
    _steps.add_edge(_previous, _name)
    _previous = _name
_steps.add_edge(_previous, END)
steps = _steps.compile(name="steps")


# --------------------------------------------------------------------------- ask


def ask_node(state: ChatState) -> ChatState:
    text = last_human_text(state.get("messages"))
    # On resume the node runs again from the top and interrupt() returns the answer.
    answer = interrupt({"question": f"Approve '{text}'?"})
    return {"messages": [AIMessage(content=f"{text} -> {_answer_text(answer)}")]}


ask = (
    StateGraph(ChatState)
    .add_node("ask", ask_node)
    .add_edge(START, "ask")
    .add_edge("ask", END)
    .compile(name="ask")
)


# --------------------------------------------------------------------------- ask_two


def _merge(left: dict | None, right: dict | None) -> dict:
    return {**(left or {}), **(right or {})}


class AskTwoState(ChatState, total=False):
    answers: Annotated[dict[str, str], _merge]


def _asker(key: str, question: str):
    def node(state: AskTwoState) -> AskTwoState:
        text = last_human_text(state.get("messages"))
        answer = interrupt({"question": question.format(text=text), "key": key})
        return {"answers": {key: _answer_text(answer)}}

    return node


def ask_two_join(state: AskTwoState) -> AskTwoState:
    text = last_human_text(state.get("messages"))
    answers = state.get("answers", {})
    reply = f"{text} -> first={answers.get('first', '')}, second={answers.get('second', '')}"
    return {"messages": [AIMessage(content=reply)]}


_ask_two = StateGraph(AskTwoState)
_ask_two.add_node("ask_first", _asker("first", "First approval for '{text}'?"))
_ask_two.add_node("ask_second", _asker("second", "Second approval for '{text}'?"))
_ask_two.add_node("join", ask_two_join)
_ask_two.add_edge(START, "ask_first")
_ask_two.add_edge(START, "ask_second")
_ask_two.add_edge(["ask_first", "ask_second"], "join")
_ask_two.add_edge("join", END)
ask_two = _ask_two.compile(name="ask_two")


# --------------------------------------------------------------------------- chunks

CHUNKS = ("hello ", "streaming ", "world")


def chunks_node(state: ChatState) -> ChatState:
    write = get_stream_writer()
    for index, piece in enumerate(CHUNKS):
        artifact: dict[str, Any] = {"artifactId": "reply", "parts": [{"text": piece}]}
        if index == 0:
            artifact["name"] = "reply"
        write({
            "a2a": {
                "artifact": artifact,
                "append": index > 0,
                "lastChunk": index == len(CHUNKS) - 1,
            }
        })
    return {"messages": [AIMessage(content="".join(CHUNKS))]}


chunks = (
    StateGraph(ChatState)
    .add_node("chunks", chunks_node)
    .add_edge(START, "chunks")
    .add_edge("chunks", END)
    .compile(name="chunks")
)


# --------------------------------------------------------------------------- slow


class SlowState(ChatState, total=False):
    seconds: float  # how long to run (default 10)


async def slow_node(state: SlowState) -> SlowState:
    seconds = float(state.get("seconds", 10) or 0)
    ticks = max(0, round(seconds * 10))  # 0.1 s granularity, so cancel lands fast
    write = get_stream_writer()
    for tick in range(1, ticks + 1):
        await asyncio.sleep(0.1)
        if tick % 10 == 0:
            write({"progress": "slow", "elapsed": tick // 10})
    return {"messages": [AIMessage(content="slow done")]}


slow = (
    StateGraph(SlowState)
    .add_node("slow", slow_node)
    .add_edge(START, "slow")
    .add_edge("slow", END)
    .compile(name="slow")
)


# --------------------------------------------------------------------------- directive


class DirectiveState(ChatState, total=False):
    directive: dict[str, Any]  # input: copied verbatim into `a2a`
    a2a: dict[str, Any]  # output directive read by our server


async def directive_node(state: DirectiveState) -> DirectiveState:
    text = last_human_text(state.get("messages"))
    get_stream_writer()({"a2a": {"status": {"state": "working", "message": f"directing {text}"}}})
    return {
        "a2a": dict(state.get("directive") or {}),
        "messages": [AIMessage(content=f"directive: {text}")],
    }


directive = (
    StateGraph(DirectiveState)
    .add_node("directive", directive_node)
    .add_edge(START, "directive")
    .add_edge("directive", END)
    .compile(name="directive")
)


# --------------------------------------------------------------------------- tokens


async def tokens_node(state: ChatState) -> ChatState:
    text = last_human_text(state.get("messages"))
    # A chat model without an LLM: it streams its answer token by token (split on
    # whitespace, the whitespace kept as tokens), which LangGraph's `messages` stream
    # modes report as message chunks, the last one with chunk_position "last".
    model = GenericFakeChatModel(messages=iter([AIMessage(content=f"Streaming the answer to {text}")]))
    reply = await model.ainvoke(state.get("messages") or [])
    return {"messages": [reply]}


tokens = (
    StateGraph(ChatState)
    .add_node("tokens", tokens_node)
    .add_edge(START, "tokens")
    .add_edge("tokens", END)
    .compile(name="tokens")
)
