"""The WeChat channel's targets, through the real servers with signed, encrypted (safe-mode)
messages and a local fake of WeChat's API: the passive reply's latency for knowledge
questions (target p95 <= 1 s), and the turns a retry storm makes (each message sent three
times at once; target: no duplicate turn).

    python -m tests.bench.wechat [--questions N] [--storm N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Optional, Text

import requests

from bot.database import prepare_database
from bot.processes import Servers
from bot.training import newest_model
from tests.bench.latency import percentile
from tests.e2e import fake_wechat
from tests.e2e.conftest import RASA_TOKEN, make_settings

# Questions of the kinds enterprises ask (not the knowledge content's own wording).
QUESTIONS = [
    "在美国被起诉了怎么办",
    "德国的商标怎么注册",
    "展会上被投诉侵权怎么处理",
    "海外知识产权保险能赔什么",
    "收到律师函要不要回",
    "亚马逊店铺被冻结了怎么办",
    "337调查是什么",
    "日本的专利申请要多久",
    "有没有调解的渠道",
    "越南商标被抢注了怎么办",
]
TARGET_P95_S = 1.0


def user_turns(rasa_url: Text, open_id: Text) -> int:
    url = f"{rasa_url}/conversations/wx-{open_id}/tracker"
    events = requests.get(url, params={"token": RASA_TOKEN}, timeout=30).json()["events"]
    return sum(1 for e in events if e["event"] == "user")


def passive_latency(webhook: Text, count: int) -> bool:
    latencies: List[float] = []
    passive = 0
    for n in range(count):
        user = fake_wechat.WeChatUser(webhook, safe=True)
        started = time.perf_counter()
        answer = user.say(QUESTIONS[n % len(QUESTIONS)])
        latencies.append(time.perf_counter() - started)
        passive += bool(answer.status_code == 200 and user.reply_text(answer))
    p95 = percentile(latencies, 95)
    met = p95 <= TARGET_P95_S and passive == count
    print(
        f"passive replies to knowledge questions (safe mode): n={count}  answered passively {passive}/{count}  "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms  p95 {p95 * 1000:.0f} ms  p99 "
        f"{percentile(latencies, 99) * 1000:.0f} ms\n  target p95 <= {TARGET_P95_S:.0f} s, all passive: "
        f"{'MET' if met else 'NOT MET'}"
    )
    return met


def retry_storm(webhook: Text, rasa_url: Text, count: int) -> bool:
    users = [fake_wechat.WeChatUser(webhook, safe=True) for _ in range(count)]
    messages = [(user, user.text_xml(QUESTIONS[n % len(QUESTIONS)])) for n, user in enumerate(users)]
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda pair: pair[0].post(pair[1]), [m for m in messages for _ in range(3)]))
    # Turns that outlast WeChat's wait finish after the answer: count once they stop changing.
    turns, steady_since = -1, time.monotonic()
    while time.monotonic() - steady_since < 10:
        now = sum(user_turns(rasa_url, user.open_id) for user in users)
        if now != turns:
            turns, steady_since = now, time.monotonic()
        time.sleep(1)
    refused = sum(1 for a in answers if a.status_code != 200)
    met = turns == count and refused == 0
    print(
        f"retry storm: {count} messages x 3 deliveries at once -> {turns} turns, {turns - count} duplicates, "
        f"{refused} refused\n  target no duplicate turn: {'MET' if met else 'NOT MET'}"
    )
    return met


def main(argv: Optional[List[Text]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--storm", type=int, default=50)
    args = parser.parse_args(argv)
    model = newest_model()
    if model is None:
        print("no model: run `make train`")
        return 1
    api = fake_wechat.FakeWeChatApi()
    with tempfile.TemporaryDirectory() as directory:
        database = f"sqlite:///{Path(directory) / 'bench.db'}"
        settings = fake_wechat.account_settings(make_settings(database), api, wechat_aes_key=fake_wechat.AES_KEY)
        prepare_database(settings.database_url)
        servers = Servers(settings, model, Path(directory) / "logs")
        try:
            servers.start()
            webhook = f"{settings.rasa_url}/webhooks/wechat/webhook"
            for question in QUESTIONS:  # warm-up: the search index, the first turns
                fake_wechat.WeChatUser(webhook, safe=True).say(question)
            ok = passive_latency(webhook, args.questions)
            ok &= retry_storm(webhook, settings.rasa_url, args.storm)
        finally:
            servers.stop()
            api.close()
    print(f"\nall targets: {'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
