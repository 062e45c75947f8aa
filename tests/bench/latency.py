"""Latency benchmark of the real servers over loopback HTTP.

`make bench-latency` starts the action server, the Rasa server and the console on free
ports (with a fresh SQLite database), or measures a running Rasa server given with `--url`.
For a plain turn (a rule's response), a turn that calls the action server, a dispute-report
conversation (form turns: validation action, summary, saving the report) and `/model/parse`,
it prints p50/p95/p99 at concurrency 1 and throughput and p95 at concurrency 8 and 32.
Each simulated user has conversations of 10 turns, one after the other.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from typing import Dict, List, Optional, Text, Tuple

import aiohttp

from bot.training import newest_model
from knowledge.core import settings as settings_module
from knowledge.core.tokens import with_secrets
from tests.bench.servers import one_instance

# The ten turns of a dispute report: form questions, the summary, the saved report, a greeting.
REPORT_TURNS = [
    "我要登记一起海外知识产权纠纷",
    "铜川华陶瓷业有限公司",
    "13912345678",
    "法国",
    "商标",
    "警告函",
    "没有",
    "今年10月收到法国客户转来的律师函，称我们的商标与其注册商标近似，要求停止销售。",
    "/affirm",
    "你好",
]
# Knowledge questions, each different from the one before: the same question typed twice in
# a row is handed to a person (and the bot then stays silent).
QUESTIONS = [
    "在越南怎么注册商标",
    "美国337调查怎么应对",
    "去德国参展前要做哪些知识产权准备",
    "海外侵权责任险保什么",
    "收到律师函怎么办",
]
WORKLOADS: Dict[Text, Tuple[Text, List[Text]]] = {
    "plain turn (webhook, rule response)": ("/webhooks/rest/webhook", ["你好"]),
    "action turn (webhook, action server)": ("/webhooks/rest/webhook", QUESTIONS),
    "form turn (webhook, dispute report)": ("/webhooks/rest/webhook", REPORT_TURNS),
    "parse (/model/parse)": ("/model/parse", ["在越南怎么注册商标"]),
}
TURNS_PER_CONVERSATION = 10
TARGETS_MS = {
    "plain turn (webhook, rule response)": 60,
    "action turn (webhook, action server)": 150,
    "form turn (webhook, dispute report)": 150,
}
TARGET_RPS_AT_32 = 35
TARGET_RPS_WORKLOADS = {"plain turn (webhook, rule response)"}


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


async def run_load(
    base: Text, token: Text, path: Text, texts: List[Text], concurrency: int, requests: int
) -> Tuple[List[float], int, float]:
    """Sends `requests` requests with `concurrency` users; returns latencies (ms), errors, wall
    time. `/model/parse` gets the Rasa token; the REST channel needs none from loopback."""
    params = {"token": token} if path == "/model/parse" else {}
    latencies: List[float] = []
    errors = 0
    counter = iter(range(requests))
    run_id = uuid.uuid4().hex[:8]

    async def user(session: aiohttp.ClientSession, worker: int) -> None:
        nonlocal errors
        for turn, _ in enumerate(counter):
            # Each user's conversations are its own, turn after turn, so forms run in order.
            sender = f"bench-{run_id}-{worker}-{turn // TURNS_PER_CONVERSATION}"
            text = texts[turn % TURNS_PER_CONVERSATION % len(texts)]
            body = {"text": text} if path == "/model/parse" else {"sender": sender, "message": text}
            started = time.perf_counter()
            try:
                async with session.post(base + path, params=params, json=body) as response:
                    payload = await response.json()
                    if response.status != 200 or not payload:
                        errors += 1
            except aiohttp.ClientError:
                errors += 1
            latencies.append((time.perf_counter() - started) * 1000)

    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(user(session, w) for w in range(concurrency)))
        wall = time.perf_counter() - started
    return latencies, errors, wall


async def measure(base: Text, token: Text, requests_c1: int, requests_cn: int) -> bool:
    ok = True
    for name, (path, texts) in WORKLOADS.items():
        await run_load(base, token, path, texts, 4, 40)  # warm-up
        lat, errors, _ = await run_load(base, token, path, texts, 1, requests_c1)
        p95 = percentile(lat, 95)
        print(f"\n{name}: '{texts[0]}'" + (f" … ({len(texts)} turns)" if len(texts) > 1 else ""))
        print(
            f"  c=1   n={len(lat):4d}  p50 {statistics.median(lat):6.1f} ms  p95 {p95:6.1f} ms  "
            f"p99 {percentile(lat, 99):6.1f} ms  errors {errors}"
        )
        target = TARGETS_MS.get(name)
        if target is not None:
            met = p95 <= target and errors == 0
            ok &= met
            print(f"        target p95 <= {target} ms: {'MET' if met else 'NOT MET'}")
        for concurrency in (8, 32):
            lat, errors, wall = await run_load(base, token, path, texts, concurrency, requests_cn)
            rps = len(lat) / wall
            print(
                f"  c={concurrency:<3d} n={len(lat):4d}  {rps:6.1f} req/s  "
                f"p95 {percentile(lat, 95):7.1f} ms  errors {errors}"
            )
            # Rasa's `rasa init` bot, the reference (about 35 req/s here), answers with
            # rule responses only: the comparison is with the plain turn.
            if concurrency == 32 and name in TARGET_RPS_WORKLOADS:
                met = errors == 0 and rps >= TARGET_RPS_AT_32
                ok &= met
                print(
                    f"        target at c=32: no error and >= {TARGET_RPS_AT_32} req/s: {'MET' if met else 'NOT MET'}"
                )
    return ok


def main(argv: Optional[List[Text]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="a running Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--token", help="its Rasa token (default: RASA_TOKEN, or var/rasa-token)")
    parser.add_argument("--requests-c1", type=int, default=200)
    parser.add_argument("--requests-cn", type=int, default=320)
    args = parser.parse_args(argv)
    if args.url:
        token = args.token or with_secrets(settings_module.load()).rasa_token
        ok = asyncio.run(measure(args.url.rstrip("/"), token, args.requests_c1, args.requests_cn))
        return 0 if ok else 1
    model = newest_model()
    if model is None:
        print("no model: run `make train`")
        return 1
    with one_instance(model) as servers:
        settings = servers.settings
        ok = asyncio.run(measure(settings.rasa_url, settings.rasa_token, args.requests_c1, args.requests_cn))
    print(f"\nall targets: {'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
