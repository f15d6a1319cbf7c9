"""Helpers of scripts/bench (the whole-server load driver). Python >= 3.11, run in .local/bench/venv.

  bench.py sdk-server --port P [--store memory|postgres --database-url URL]
                                               the A2A SDK's echo server (a2a-sdk, uvicorn): InMemoryTaskStore, or
                                               DatabaseTaskStore on PostgreSQL (SQLAlchemy async + asyncpg)
  bench.py proc [--tree] PID...                JSON: CPU seconds (utime+stime; --tree: with children, live and reaped) and RSS
  bench.py headline-row --data JSON            one row of the headline scenario from its raw measurements
  bench.py gets --url U --token T --ids FILE --count N               N GetTask requests, one after another
  bench.py pglat FILE...                       p50/p99 of pgbench per-transaction logs
  bench.py seed --url U --token T --count N --out FILE [--actor A]   create N tasks, write their ids
  bench.py ttfe --url U [--token T] --requests N --concurrency C     time to first SSE data line
  bench.py streams --url U --token T --ids FILE --count N --hold-file F   open N SubscribeToTask streams and hold them
  bench.py touch --url U --prefix P --count N --concurrency C        one agent-card request per namespace
  bench.py xreplica --a U --b U --token T --rounds N                 event latency across two replicas
Each measuring command prints one JSON object on standard output.
"""
import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import time
import uuid
from urllib.parse import urlsplit

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------ a tiny HTTP/1.1 client
# Raw asyncio streams: the client's own cost stays small and the same for every server.


class Conn:
    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port or 80, parts.path or "/"
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 22)

    def close(self):
        if self.writer:
            self.writer.close()
            self.writer = None

    def send(self, body: bytes | None, headers: dict, method="POST", path=None, close=False):
        lines = [f"{method} {path or self.path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        for k, v in headers.items():
            lines.append(f"{k}: {v}")
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        if close:
            lines.append("Connection: close")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))

    async def head(self):
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed before a response")
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        return status, headers

    async def body(self, headers) -> bytes:
        if "content-length" in headers:
            return await self.reader.readexactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    return bytes(out)
                out += await self.reader.readexactly(size)
                await self.reader.readline()
        return await self.reader.read()

    async def request(self, body: bytes | None, headers: dict, method="POST", path=None):
        if self.writer is None:
            await self.open()
        self.send(body, headers, method, path)
        await self.writer.drain()
        status, h = await self.head()
        data = await self.body(h)
        if h.get("connection", "").lower() == "close":
            self.close()
        return status, data


def rpc_headers(token: str | None) -> dict:
    h = {"Content-Type": "application/json", "A2A-Version": "1.0"}
    if token:
        h["Authorization"] = f"Bearer {token}"
    return h


def send_body(text: str, method="SendMessage", actor=None, task_id=None, return_immediately=False) -> bytes:
    message = {"messageId": str(uuid.uuid4()), "role": "ROLE_USER", "parts": [{"text": text}]}
    if actor:
        message["metadata"] = {"actor": actor}
    if task_id:
        message["taskId"] = task_id
    params = {"message": message}
    if return_immediately:
        params["configuration"] = {"returnImmediately": True}
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def fail(message: str):
    print(f"[bench.py] error: {message}", file=sys.stderr)
    sys.exit(1)


# ------------------------------------------------------------------ /proc


def proc_stat(pid: int) -> dict:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    status = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            status[k] = v.strip()
    kib = lambda k: int(status.get(k, "0 kB").split()[0])  # noqa: E731
    return {"pid": pid, "cpuSeconds": ticks / CLK_TCK, "rssKiB": kib("VmRSS"), "hwmKiB": kib("VmHWM")}


def children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return out


def reaped_cpu_seconds(pid: int) -> float:
    """cutime + cstime: CPU of the children the process has waited for (PostgreSQL's ended backends)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / CLK_TCK  # cutime, cstime (fields 16 and 17)


def cmd_proc(args):
    """Each PID's CPU and memory; with --tree, CPU summed over its children too (PostgreSQL's backends):
    the live ones, and those that ended and were reaped (a backend of a closed connection)."""
    rows = []
    for p in args.pids:
        row = proc_stat(int(p))
        if args.tree:
            row["cpuSeconds"] += reaped_cpu_seconds(int(p))
            for child in children(int(p)):
                try:
                    row["cpuSeconds"] += proc_stat(child)["cpuSeconds"]
                except OSError:
                    pass
        rows.append(row)
    print(json.dumps(rows))


def cmd_pglat(args):
    """p50/p99 of pgbench per-transaction logs (`-l`: the third field is the latency in µs)."""
    lat = []
    for path in args.files:
        with open(path) as f:
            lat.extend(int(line.split()[2]) for line in f if line.strip())
    print(json.dumps({"transactions": len(lat), "p50Ms": pct(lat, 0.5) / 1000, "p99Ms": pct(lat, 0.99) / 1000}))


# ------------------------------------------------------------------ the SDK's echo server


def cmd_sdk_server(args):
    import uvicorn
    from a2a.helpers.proto_helpers import new_task
    from a2a.server.agent_execution import AgentExecutor, RequestContext
    from a2a.server.events import EventQueue
    from a2a.server.request_handlers import DefaultRequestHandler
    from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
    from a2a.server.tasks import InMemoryTaskStore, TaskUpdater
    from a2a.types import AgentCapabilities, AgentCard, AgentInterface, AgentSkill, Part, TaskState
    from starlette.applications import Starlette

    class EchoExecutor(AgentExecutor):
        """Replies with the input text, as our echo graph does: a completed task with one artifact."""

        async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
            task = new_task(context.task_id, context.context_id, TaskState.TASK_STATE_SUBMITTED, history=[context.message])
            await event_queue.enqueue_event(task)
            updater = TaskUpdater(event_queue, context.task_id, context.context_id)
            await updater.add_artifact([Part(text="echo: " + context.get_user_input())], name="reply")
            await updater.complete()

        async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
            raise NotImplementedError

    url = f"http://127.0.0.1:{args.port}/"
    card = AgentCard(
        name="SDK echo",
        description="a2a-sdk echo baseline of scripts/bench",
        version="1.0.0",
        supported_interfaces=[AgentInterface(url=url, protocol_binding="JSONRPC", protocol_version="1.0")],
        capabilities=AgentCapabilities(streaming=True),
        default_input_modes=["text/plain"],
        default_output_modes=["text/plain"],
        skills=[AgentSkill(id="echo", name="echo", description="echo", tags=["echo"])],
    )
    lifespan = None
    if args.store == "postgres":
        # What the SDK documents for PostgreSQL: DatabaseTaskStore over a SQLAlchemy AsyncEngine (asyncpg) with
        # the engine's defaults (a pool of 5 connections plus 10 overflow ones, closed when returned).
        import contextlib

        from a2a.server.tasks import DatabaseTaskStore
        from sqlalchemy.ext.asyncio import create_async_engine

        if not args.database_url:
            fail("sdk-server --store postgres needs --database-url")
        url = args.database_url
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                url = "postgresql+asyncpg://" + url[len(prefix):]
        engine = create_async_engine(url)
        store = DatabaseTaskStore(engine)  # create_table=True: its `tasks` table, created by initialize()

        @contextlib.asynccontextmanager
        async def lifespan(app):
            await store.initialize()  # on uvicorn's loop: the pool's connections belong to it
            yield
            await engine.dispose()
    else:
        store = InMemoryTaskStore()
    handler = DefaultRequestHandler(agent_executor=EchoExecutor(), task_store=store, agent_card=card)
    app = Starlette(routes=create_agent_card_routes(card) + create_jsonrpc_routes(handler, "/"), lifespan=lifespan)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False, workers=1)


# ------------------------------------------------------------------ the headline scenario


def cmd_headline_row(args):
    """One (system, concurrency) row of scripts/bench's headline scenario, from a JSON object holding:
    wrk (rpc.lua's summary), concurrency, cpuBefore/cpuAfter ({"server", "postgres", ["emulator"]}: CPU seconds
    of each process tree) and, for a system with a database, statsBefore/statsAfter: pg_stat_database (sessions,
    xactCommit, buffers, rowsRead) and pg_stat_statements (calls, execMs, top: [{query, calls, execMs}]) of that database;
    pg_stat_statements was reset just before statsBefore, so statsAfter holds the run's statements alone."""
    d = json.loads(args.data)
    w, c = d["wrk"], d["concurrency"]
    cb, ca = d.get("cpuBefore") or {}, d.get("cpuAfter") or {}
    seconds = w["durationUs"] / 1e6
    n = max(1, w["requests"])
    errors = sum(w[k] for k in ("errConnect", "errRead", "errWrite", "errStatus", "errTimeout", "rpcErrors"))
    per = lambda v, digits=1: None if v is None else round(v / n, digits)  # noqa: E731
    cpu = lambda k: None if k not in cb or k not in ca else (ca[k] - cb[k]) * 1e6  # noqa: E731
    server, postgres, emulator = cpu("server"), cpu("postgres"), cpu("emulator")
    row = {
        "concurrency": c, "requests": w["requests"], "rps": round(w["requests"] / seconds, 1), "errors": errors,
        "p50Ms": w["p50Us"] / 1000, "p99Ms": w["p99Us"] / 1000, "maxMs": w["latMaxUs"] / 1000,
        "serverCpuUsPerTask": per(server), "postgresCpuUsPerTask": per(postgres),
        "sutCpuUsPerTask": None if server is None or postgres is None else per(server + postgres),
        "serverCpuUtil": None if server is None else round(server / 1e6 / seconds, 3),
        "postgresCpuUtil": None if postgres is None else round(postgres / 1e6 / seconds, 3),
    }
    if emulator is not None:
        row["emulatorCpuUsPerTask"] = per(emulator)
    b, a = d.get("statsBefore"), d.get("statsAfter")
    if a and b:
        row["sessionsOpened"] = a["sessions"] - b["sessions"]
        row["commitsPerTask"] = per(a["xactCommit"] - b["xactCommit"], 2)
        if "buffers" in a and "buffers" in b:
            row["buffersPerTask"] = per(a["buffers"] - b["buffers"])
            row["rowsReadPerTask"] = per(a["rowsRead"] - b["rowsRead"])
        row["statementsPerTask"] = per(a["calls"], 2)
        row["execUsPerTask"] = per(a["execMs"] * 1000)
        row["topStatements"] = [
            {"query": t["query"], "callsPerTask": per(t["calls"], 3), "usPerTask": per(t["execMs"] * 1000)}
            for t in (a.get("top") or [])
        ]
    row["wrk"] = w
    print(json.dumps(row))


# ------------------------------------------------------------------ seed tasks


async def seed(args):
    done, ids = 0, []
    headers = rpc_headers(args.token)

    async def worker():
        nonlocal done
        conn = Conn(args.url)
        while done < args.count:
            done += 1
            status, data = await conn.request(send_body(f"seed {done}", actor=args.actor), headers)
            reply = json.loads(data)
            if status != 200 or "result" not in reply:
                fail(f"seed: SendMessage answered {status}: {data[:300]!r}")
            task = reply["result"].get("task")
            if not task:
                fail(f"seed: SendMessage did not answer a task: {data[:300]!r}")
            if args.state and task["status"]["state"] != args.state:
                fail(f"seed: task in state {task['status']['state']}, expected {args.state}")
            ids.append(task["id"])
        conn.close()

    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    with open(args.out, "w") as f:
        f.write("\n".join(ids[: args.count]) + "\n")


async def gets(args):
    """N sequential GetTask requests on one connection (the callgrind scenario), round-robin over the ids."""
    ids = [line.strip() for line in open(args.ids) if line.strip()]
    headers = rpc_headers(args.token)
    conn = Conn(args.url)
    for i in range(args.count):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "GetTask", "params": {"id": ids[i % len(ids)]}}).encode()
        status, data = await conn.request(body, headers)
        if status != 200 or b'"result"' not in data:
            fail(f"gets: GetTask answered {status}: {data[:300]!r}")
    conn.close()


# ------------------------------------------------------------------ time to first event


async def one_stream(url, headers, body, timeout=30.0):
    """Sends a streaming request on a new connection; returns (seconds to first `data:` line, total)."""
    conn = Conn(url)
    await conn.open()
    try:
        t0 = time.perf_counter()
        conn.send(body, headers, close=True)
        await conn.writer.drain()
        status, h = await asyncio.wait_for(conn.head(), timeout)
        if status != 200 or "text/event-stream" not in h.get("content-type", ""):
            rest = await conn.reader.read(300)
            raise RuntimeError(f"stream answered {status} {h.get('content-type')}: {rest!r}")
        first = None
        while True:
            line = await asyncio.wait_for(conn.reader.readline(), timeout)
            if not line:
                break
            if first is None and line.startswith(b"data:"):
                first = time.perf_counter() - t0
        if first is None:
            raise RuntimeError("stream ended without a data line")
        return first, time.perf_counter() - t0
    finally:
        conn.close()


def scrape_histogram(url: str, name: str) -> dict:
    """The cumulative buckets {le: count} of one Prometheus histogram (all its series summed)."""
    import urllib.request

    buckets: dict[float, float] = {}
    with urllib.request.urlopen(url, timeout=10) as response:
        for line in response.read().decode().splitlines():
            if not line.startswith(name + "_bucket{"):
                continue
            le = line.split('le="', 1)[1].split('"', 1)[0]
            bound = float("inf") if le == "+Inf" else float(le)
            buckets[bound] = buckets.get(bound, 0.0) + float(line.rsplit(" ", 1)[1])
    return buckets


def histogram_quantile(before: dict, after: dict, q: float):
    """The q-quantile in seconds of what a histogram counted between two scrapes, interpolated
    linearly within its bucket (as PromQL's histogram_quantile)."""
    bounds = sorted(after)
    counts = [after[b] - before.get(b, 0.0) for b in bounds]
    if not counts or counts[-1] <= 0:
        return None
    rank, lower, below = q * counts[-1], 0.0, 0.0
    for bound, count in zip(bounds, counts):
        if count >= rank:
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * ((rank - below) / (count - below) if count > below else 0.0)
        lower, below = bound, count
    return None


SERVER_TTFE = "cleveragents_stream_first_event_seconds"


async def ttfe(args):
    headers = rpc_headers(args.token)
    for _ in range(args.warmup):
        await one_stream(args.url, headers, send_body("warm", method="SendStreamingMessage"))
    before = scrape_histogram(args.metrics, SERVER_TTFE) if args.metrics else None
    firsts, totals, errors, next_i = [], [], 0, 0

    async def worker():
        nonlocal errors, next_i
        while next_i < args.requests:
            next_i += 1
            try:
                first, total = await one_stream(args.url, headers, send_body("hello", method="SendStreamingMessage"))
                firsts.append(first)
                totals.append(total)
            except Exception as e:  # noqa: BLE001
                errors += 1
                if errors == 1:
                    print(f"[bench.py] ttfe: {e}", file=sys.stderr)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    elapsed = time.perf_counter() - t0
    ms = lambda v: None if v is None else round(v * 1000, 3)  # noqa: E731
    server = {}
    if before is not None:
        after = scrape_histogram(args.metrics, SERVER_TTFE)
        server = {
            "serverTtfeCount": (after.get(float("inf"), 0.0) - before.get(float("inf"), 0.0)),
            "serverTtfeP50Ms": ms(histogram_quantile(before, after, 0.5)),
            "serverTtfeP99Ms": ms(histogram_quantile(before, after, 0.99)),
        }
    print(json.dumps({
        "requests": len(firsts), "errors": errors, "concurrency": args.concurrency, "seconds": round(elapsed, 3),
        "streamsPerSecond": round(len(firsts) / elapsed, 1),
        "ttfeP50Ms": ms(pct(firsts, 0.5)), "ttfeP99Ms": ms(pct(firsts, 0.99)),
        "ttfeMeanMs": ms(statistics.fmean(firsts) if firsts else None),
        "streamP50Ms": ms(pct(totals, 0.5)), "streamP99Ms": ms(pct(totals, 0.99)),
        **server,
    }))
    if errors:
        sys.exit(1)


# ------------------------------------------------------------------ many held streams


async def streams(args):
    ids = [line.strip() for line in open(args.ids) if line.strip()]
    headers = rpc_headers(args.token)
    conns, errors, opened = [], 0, 0
    gate = asyncio.Semaphore(args.open_concurrency)

    async def open_one(i):
        nonlocal errors, opened
        async with gate:
            conn = Conn(args.url)
            try:
                await conn.open()
                body = json.dumps({"jsonrpc": "2.0", "id": i, "method": "SubscribeToTask", "params": {"id": ids[i % len(ids)]}}).encode()
                conn.send(body, headers)
                await conn.writer.drain()
                status, h = await asyncio.wait_for(conn.head(), 30)
                if status != 200:
                    raise RuntimeError(f"SubscribeToTask answered {status}")
                while True:  # the first event: the task as it is
                    line = await asyncio.wait_for(conn.reader.readline(), 30)
                    if not line:
                        raise RuntimeError("stream closed before its first event")
                    if line.startswith(b"data:"):
                        if b'"error"' in line:
                            raise RuntimeError(line[:300].decode(errors="replace"))
                        break
                conns.append(conn)
                opened += 1
            except Exception as e:  # noqa: BLE001
                errors += 1
                conn.close()
                if errors <= 3:
                    print(f"[bench.py] streams: {e!r}", file=sys.stderr)

    t0 = time.perf_counter()
    await asyncio.gather(*(open_one(i) for i in range(args.count)))
    elapsed = time.perf_counter() - t0
    print(json.dumps({"streams": opened, "errors": errors, "openSeconds": round(elapsed, 2)}), flush=True)
    # Hold them open until told to stop (SIGTERM) or the hold file disappears.
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    with open(args.hold_file, "w") as f:
        f.write(f"{opened}\n")
    while not stop.is_set() and os.path.exists(args.hold_file):
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except TimeoutError:
            pass
    alive = sum(1 for c in conns if not c.reader.at_eof())
    for c in conns:
        c.close()
    print(json.dumps({"stillOpenAtEnd": alive}), file=sys.stderr)


# ------------------------------------------------------------------ many namespaces


async def touch(args):
    base = urlsplit(args.url)
    next_i, errors, statuses = 0, 0, {}

    async def worker():
        nonlocal next_i, errors
        conn = Conn(args.url)
        while next_i < args.count:
            next_i += 1
            path = f"/ns/{args.prefix}{next_i}/.well-known/agent-card.json"
            try:
                status, _ = await conn.request(None, {}, method="GET", path=path)
                statuses[status] = statuses.get(status, 0) + 1
            except Exception as e:  # noqa: BLE001
                errors += 1
                conn.close()
                if errors <= 3:
                    print(f"[bench.py] touch {path}: {e!r}", file=sys.stderr)
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    elapsed = time.perf_counter() - t0
    ok = statuses.get(200, 0)
    print(json.dumps({"namespaces": args.count, "ok": ok, "statuses": statuses, "errors": errors,
                      "seconds": round(elapsed, 2), "requestsPerSecond": round(args.count / elapsed, 1), "host": base.hostname}))
    if ok != args.count:
        sys.exit(1)


# ------------------------------------------------------------------ cross-replica latency


async def subscribe(url, headers, task_id, first_seen: asyncio.Event, times: list):
    conn = Conn(url)
    await conn.open()
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "SubscribeToTask", "params": {"id": task_id}}).encode()
    conn.send(body, headers, close=True)
    await conn.writer.drain()
    status, _ = await conn.head()
    if status != 200:
        raise RuntimeError(f"SubscribeToTask answered {status}")
    try:
        while True:
            line = await conn.reader.readline()
            if not line:
                return
            if line.startswith(b"data:"):
                now = time.perf_counter()
                if not first_seen.is_set():
                    first_seen.set()  # the task as it is: not an event of the run
                    continue
                times.append((now, line))
    finally:
        conn.close()


async def xreplica(args):
    headers = rpc_headers(args.token)
    conn_a = Conn(args.a)
    deltas, events = [], 0
    for r in range(args.rounds + args.warmup):
        status, data = await conn_a.request(send_body(f"round {r}", actor="ask"), headers)
        reply = json.loads(data)
        task = reply.get("result", {}).get("task")
        if status != 200 or not task or task["status"]["state"] != "TASK_STATE_INPUT_REQUIRED":
            fail(f"xreplica: ask did not stop at input-required: {data[:300]!r}")
        ta, tb = [], []
        sa, sb = asyncio.Event(), asyncio.Event()
        fa = asyncio.create_task(subscribe(args.a, headers, task["id"], sa, ta))
        fb = asyncio.create_task(subscribe(args.b, headers, task["id"], sb, tb))
        await asyncio.wait_for(asyncio.gather(sa.wait(), sb.wait()), 10)
        status, data = await conn_a.request(send_body("yes", task_id=task["id"], return_immediately=True), headers)
        if status != 200 or b'"error"' in data:
            fail(f"xreplica: answer failed: {data[:300]!r}")
        await asyncio.wait_for(asyncio.gather(fa, fb), 30)
        if len(ta) != len(tb):
            fail(f"xreplica: replica A saw {len(ta)} events, B {len(tb)}")
        if r >= args.warmup:
            for (t1, l1), (t2, _) in zip(ta, tb):
                deltas.append(t2 - t1)
                events += 1
    conn_a.close()
    ms = lambda v: round(v * 1000, 3)  # noqa: E731
    print(json.dumps({"rounds": args.rounds, "events": events, "p50Ms": ms(pct(deltas, 0.5)),
                      "p99Ms": ms(pct(deltas, 0.99)), "maxMs": ms(max(deltas)), "minMs": ms(min(deltas))}))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sdk-server")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--store", choices=("memory", "postgres"), default="memory")
    s.add_argument("--database-url", help="postgres://user@host:port/db (with --store postgres)")
    s = sub.add_parser("headline-row")
    s.add_argument("--data", required=True)
    s = sub.add_parser("proc")
    s.add_argument("--tree", action="store_true")
    s.add_argument("pids", nargs="+")
    s = sub.add_parser("pglat")
    s.add_argument("files", nargs="+")
    s = sub.add_parser("seed")
    s.add_argument("--url", required=True)
    s.add_argument("--token")
    s.add_argument("--count", type=int, default=1000)
    s.add_argument("--concurrency", type=int, default=16)
    s.add_argument("--actor")
    s.add_argument("--state")
    s.add_argument("--out", required=True)
    s = sub.add_parser("gets")
    s.add_argument("--url", required=True)
    s.add_argument("--token")
    s.add_argument("--ids", required=True)
    s.add_argument("--count", type=int, default=200)
    s = sub.add_parser("ttfe")
    s.add_argument("--url", required=True)
    s.add_argument("--token")
    s.add_argument("--requests", type=int, default=500)
    s.add_argument("--concurrency", type=int, default=1)
    s.add_argument("--warmup", type=int, default=50)
    s.add_argument("--metrics", help="the server's /metrics: also report its own time to the first event")
    s = sub.add_parser("streams")
    s.add_argument("--url", required=True)
    s.add_argument("--token")
    s.add_argument("--ids", required=True)
    s.add_argument("--count", type=int, default=10_000)
    s.add_argument("--open-concurrency", type=int, default=64)
    s.add_argument("--hold-file", required=True)
    s = sub.add_parser("touch")
    s.add_argument("--url", required=True)
    s.add_argument("--prefix", required=True)
    s.add_argument("--count", type=int, default=100_000)
    s.add_argument("--concurrency", type=int, default=64)
    s = sub.add_parser("xreplica")
    s.add_argument("--a", required=True)
    s.add_argument("--b", required=True)
    s.add_argument("--token")
    s.add_argument("--rounds", type=int, default=200)
    s.add_argument("--warmup", type=int, default=10)
    args = p.parse_args()
    if args.cmd == "sdk-server":
        cmd_sdk_server(args)
    elif args.cmd == "proc":
        cmd_proc(args)
    elif args.cmd == "pglat":
        cmd_pglat(args)
    elif args.cmd == "headline-row":
        cmd_headline_row(args)
    else:
        asyncio.run({"seed": seed, "gets": gets, "ttfe": ttfe, "streams": streams, "touch": touch, "xreplica": xreplica}[args.cmd](args))


if __name__ == "__main__":
    main()
