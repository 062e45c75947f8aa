"""`rasa data validate`, failing on any warning about the project's data.

Rasa warns about every response that no story or rule utters, including the ones that
custom actions utter by name, the questions forms ask (`utter_ask_<slot>`) and the ones the
console executes. Those, and only those, are accepted: names are read from the
`response="..."` arguments and quoted `utter_` names in `actions/` and `bot/`, and from the
forms' required slots in `domain.yml`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List, Sequence, Set, Text

import yaml

from bot.processes import PROJECT_ARGS, rasa_command

ROOT = Path(__file__).resolve().parent.parent
WARNING = re.compile(r"UserWarning: (.*)")
UNUSED_RESPONSE = re.compile(r"The utterance '(\w+)' is not used in any story or rule\.")
RESPONSE_ARGUMENT = re.compile(r"""response=["'](\w+)["']|["'](utter_\w+)["']""")
# Quoted like a response name, but Rasa's metadata key that names a bot message's response.
NOT_RESPONSES = {"utter_action"}


def responses_uttered_by_code(directories: Sequence[Path] = (ROOT / "actions", ROOT / "bot")) -> Set[Text]:
    """Response names that the action server and the console utter from code."""
    names: Set[Text] = set()
    for directory in directories:
        for path in directory.rglob("*.py"):
            for match in RESPONSE_ARGUMENT.finditer(path.read_text(encoding="utf-8")):
                names.add(match.group(1) or match.group(2))
    return names - NOT_RESPONSES


def form_questions(domain_path: Path = ROOT / "domain.yml") -> Set[Text]:
    """utter_ask_<slot> and utter_ask_<form>_<slot> for every slot a form requests."""
    forms = (yaml.safe_load(domain_path.read_text(encoding="utf-8")) or {}).get("forms") or {}
    names: Set[Text] = set()
    for form, spec in forms.items():
        for slot in spec.get("required_slots") or []:
            names.update({f"utter_ask_{slot}", f"utter_ask_{form}_{slot}"})
    return names


def unexpected_warnings(output: Text, allowed: Set[Text]) -> List[Text]:
    """Warnings in Rasa's output other than unused responses that actions utter."""
    found = []
    for line in output.splitlines():
        match = WARNING.search(line)
        if not match:
            continue
        unused = UNUSED_RESPONSE.search(match.group(1))
        if unused and unused.group(1) in allowed:
            continue
        found.append(match.group(1))
    return found


def main() -> int:
    result = subprocess.run(
        rasa_command("data", "validate", *PROJECT_ARGS),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    warnings = unexpected_warnings(output, responses_uttered_by_code() | form_questions())
    for warning in warnings:
        print(f"warning: {warning}")
    if result.returncode != 0:
        print(output[-4000:])
        print(f"rasa data validate failed with exit code {result.returncode}")
        return result.returncode
    print(f"rasa data validate: ok, {len(warnings)} unexpected warnings")
    return 1 if warnings else 0


if __name__ == "__main__":
    sys.exit(main())
