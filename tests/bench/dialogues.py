"""The blind dialogue benchmark: `make bench-dialogues`.

`tests/blind/dialogues_blind.yml` holds multi-turn conversations written by someone who had
read only the README's description of the flows (not the code, the data or the responses):
registrations told in the user's own words, several fields at once, corrections, questions
and status checks mid-form, cancels, second reports. Each script runs in a new conversation
through the REST channel of the real servers (a database of its own); after each turn its
lenient expectations are checked:

- `asks`: the question the reply ends on, read from the tracker: a form field, `confirm`
  (the summary), `expert_choice`, `discard` (“确定要放弃吗”), `phone` (a status check asks
  for the phone number on the report), or `nothing` (no question pending);
  a list means any of them;
- `mentions`: groups of alternatives; the reply contains one of every group;
- `report_id`: the reply gives a report id; `no_report` / `reports`: how many reports the
  conversation has saved so far (read from the database).

It prints scripts passed, turns passed, and the scripts that saw the same question three
turns in a row with nothing recorded or changed in between and no way out offered (a
person and cancelling). Only figures and miss ids are printed for the test set; `--dev` runs
`dialogues_dev.yml` (written the same way by another helper, the one to read) and prints each
failed turn whole (`--dev dialogues_dev2.yml`: a second dev set, written later the same way).
"""

from __future__ import annotations

import argparse
import logging
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Text

import requests
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.database import prepare_database
from bot.processes import Servers
from bot.training import newest_model
from knowledge.core.db import make_engine
from knowledge.records.models import Report
from tests.bench.blind import shape_of
from tests.e2e.conftest import Chat, make_settings

BLIND = Path(__file__).resolve().parent.parent / "blind"
TEST_PATH, DEV_PATH = BLIND / "dialogues_blind.yml", BLIND / "dialogues_dev.yml"
REPORT_ID = re.compile(r"HW-\d{8}-[A-HJ-NP-Z2-9]{4}")
FINAL_QUESTIONS = {"report_confirmed": "confirm", "expert_id": "expert_choice"}
TARGET_SCRIPTS = 0.95
REPEATS = 3
# Slots that steer the form rather than record anything.
BOOKKEEPING = {"requested_slot", "form_misses", "answer_context", "pending_topic", "service_question", "case_query"}


@dataclass
class Result:
    scripts: int = 0
    scripts_passed: int = 0
    turns: int = 0
    turns_passed: int = 0
    repeated: List[Text] = field(default_factory=list)
    failed: List[Text] = field(default_factory=list)
    first_failures: Counter = field(default_factory=Counter)  # by shape: what a failed script met first


def asked(tracker: dict) -> Text:
    """The question the bot's latest turn ends on."""
    bot_actions = [
        e["name"] for e in tracker["events"] if e.get("event") == "action" and e.get("name") != "action_listen"
    ]
    if bot_actions and bot_actions[-1] == "utter_ask_discard":
        return "discard"
    loop, slots = (tracker.get("active_loop") or {}).get("name"), tracker.get("slots") or {}
    slot = slots.get("requested_slot")
    if not loop and slots.get("pending_topic") == "check_report_status" and slots.get("report_id"):
        return "phone"  # a status check asks for the phone number on the report
    if not loop or not slot:
        return "nothing"
    return FINAL_QUESTIONS.get(slot, slot)


def reply_text(messages: List[dict]) -> Text:
    return "\n".join(m.get("text", "") for m in messages)


def check(expect: dict, reply: Text, question: Text, saved: int) -> List[Text]:
    """What the turn got wrong (empty: it passed)."""
    wrong = []
    wanted = expect.get("asks")
    if wanted is not None and question not in (wanted if isinstance(wanted, list) else [wanted]):
        wrong.append(f"asks {question}, wanted {wanted}")
    lowered = reply.lower()
    for group in expect.get("mentions") or []:
        if not any(str(alternative).lower() in lowered for alternative in group):
            wrong.append(f"does not mention any of {group}")
    if expect.get("report_id") and not REPORT_ID.search(reply):
        wrong.append("gives no report id")
    if expect.get("no_report") and saved:
        wrong.append(f"{saved} report(s) saved, wanted none")
    if "reports" in expect and saved != expect["reports"]:
        wrong.append(f"{saved} report(s) saved, wanted {expect['reports']}")
    return wrong


def failure_shape(wrong: List[Text], messages: List[dict], tracker: dict) -> Text:
    """What kind of failure a turn's is, for the figures of a set that is not read: field
    names and the shape of the reply only."""
    if tracker.get("paused"):
        return "held by staff"
    if not reply_text(messages).strip():
        return "no reply"
    asked = next((w for w in wrong if w.startswith("asks ")), None)
    if asked is not None:
        return f"another question ({asked}; reply: {shape_of(messages)})"
    if any(w.startswith("does not mention") for w in wrong):
        return "a mention missing"
    return "reports"


def saved_reports(engine, sender: Text) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(Report).where(Report.sender_id == sender)).scalar_one()


def offers_way_out(messages: List[dict]) -> bool:
    """Whether the reply offers both a person and cancelling (as buttons)."""
    payloads = {b.get("payload") for m in messages for b in m.get("buttons") or []}
    return {"/request_human", "/stop"} <= payloads


def fields_of(tracker: dict) -> Dict[Text, object]:
    """What the conversation has recorded: its slots, without the form's bookkeeping."""
    return {k: v for k, v in (tracker.get("slots") or {}).items() if k not in BOOKKEEPING}


def run_script(rasa_url: Text, engine, script: dict, result: Result, show: bool) -> None:
    """Runs one script; the same question counts as repeated when it is asked again with
    nothing recorded or changed since and no way out (a person, cancelling) offered."""
    chat, passed, run_of_same, before = Chat(rasa_url), True, [""], {}
    for number, turn in enumerate(script["turns"], start=1):
        messages = chat.say(str(turn["user"]))
        reply, tracker = reply_text(messages), chat.tracker()
        question, now = asked(tracker), fields_of(tracker)
        wrong = check(turn.get("expect") or {}, reply, question, saved_reports(engine, chat.sender))
        result.turns += 1
        result.turns_passed += not wrong
        same = question == run_of_same[-1] and now == before and not offers_way_out(messages)
        run_of_same, before = ([*run_of_same, question] if same else [question]), now
        repeated = len(run_of_same) >= REPEATS and question not in ("nothing", "discard")
        if repeated and script["id"] not in result.repeated:
            result.repeated.append(script["id"])
        if wrong:
            if passed:
                result.first_failures[failure_shape(wrong, messages, tracker)] += 1
            passed = False
            if show:
                print(f"{script['id']} turn {number}: {turn['user']!r}\n  reply: {reply!r}\n  " + "; ".join(wrong))
    result.scripts += 1
    result.scripts_passed += passed
    if not passed:
        result.failed.append(script["id"])


def evaluate(rasa_url: Text, engine, path: Path, show: bool) -> Result:
    result = Result()
    for script in yaml.safe_load(path.read_text(encoding="utf-8"))["scripts"]:
        run_script(rasa_url, engine, script, result, show)
    return result


def report(result: Result, path: Path, show_ids: bool) -> bool:
    share = result.scripts_passed / result.scripts
    met = share >= TARGET_SCRIPTS and not result.repeated
    passed = f"{result.scripts_passed}/{result.scripts} = {share:.3f}"
    print(f"{path.name}: scripts passed {passed} (target ≥ {TARGET_SCRIPTS})")
    print(f"  turns passed {result.turns_passed}/{result.turns} = {result.turns_passed / result.turns:.3f}")
    print(f"  scripts that saw one question {REPEATS} turns in a row: {len(result.repeated)} (target 0)")
    if show_ids:
        print(f"  failed: {' '.join(result.failed)}\n  repeated: {' '.join(result.repeated)}")
    shapes = ", ".join(f"{shape} {count}" for shape, count in result.first_failures.most_common())
    print(f"  first failed turn of a failed script: {shapes or 'none'}")
    print(f"  targets: {'met' if met else 'NOT MET'}")
    return met


def main(argv: Optional[List[Text]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--dev",
        nargs="?",
        const=DEV_PATH.name,
        metavar="FILE",
        help="run a dev set of tests/blind/ (default dialogues_dev.yml) and print its failed turns",
    )
    parser.add_argument("--misses", action="store_true", help="list the ids of the test set's failed scripts")
    parser.add_argument("--only", help="run only the scripts with these ids (comma-separated; dev set)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    model = newest_model()
    if model is None:
        print("no model: run `make train`")
        return 1
    path = BLIND / (args.dev or DEV_PATH.name) if args.dev or args.only else TEST_PATH
    with tempfile.TemporaryDirectory() as directory:
        database_url = f"sqlite:///{Path(directory) / 'dialogues.db'}"
        prepare_database(database_url)
        servers = Servers(make_settings(database_url), model, Path(directory) / "logs")
        engine = make_engine(database_url)
        try:
            servers.start()
            if args.only:
                scripts = yaml.safe_load(path.read_text(encoding="utf-8"))["scripts"]
                wanted = set(args.only.split(","))
                result = Result()
                for script in scripts:
                    if script["id"] in wanted:
                        run_script(servers.settings.rasa_url, engine, script, result, True)
                return 0
            dev = path != TEST_PATH
            met = report(evaluate(servers.settings.rasa_url, engine, path, show=dev), path, args.misses or dev)
            return 0 if met else 1
        except requests.RequestException as error:
            print(f"REST channel failed: {error}")
            return 1
        finally:
            servers.stop()
            engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
