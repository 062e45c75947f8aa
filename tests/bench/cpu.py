"""Where the machine's CPU goes while a benchmark runs, read from /proc (Linux).

A `Meter` reads, before and after a measured run, the CPU seconds (user + system, all
threads) of every process on the machine, grouped by what it is (`role_of`), and the
machine's busy time from /proc/stat. The difference says how many CPU milliseconds each
kind of process spent per turn and how busy the cores were: on a machine whose cores are
all busy, throughput cannot pass (cores x 1000) / (CPU ms per turn of all processes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Optional, Text, Tuple

PROC = Path("/proc")
TICKS_PER_S = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1

# A process's role by a piece of its command line, first match wins. The load generator is
# this benchmark's own process (`Meter.own_pid`).
ROLES: Tuple[Tuple[Text, Text], ...] = (
    ("bot.rasa_server", "rasa"),
    ("rasa run", "rasa"),
    ("bot.action_server", "actions"),
    ("bot.console", "console"),
    ("nginx", "nginx"),
    ("postgres", "postgresql"),
    ("redis-server", "redis"),
)
CLIENT = "load generator"
OTHER = "other"


def role_of(command_line: Text) -> Text:
    """The role of a process whose command line (arguments joined by spaces) is given."""
    for piece, role in ROLES:
        if piece in command_line:
            return role
    return OTHER


def process_cpu_s(stat: Text) -> float:
    """CPU seconds (utime + stime) from the text of /proc/PID/stat. The command name, field
    2, is in parentheses and may itself hold spaces and parentheses."""
    fields = stat[stat.rindex(")") + 2 :].split()
    # After the name: state is field 3, utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S


def machine_busy_s(stat: Text) -> Tuple[float, float]:
    """(busy, all) CPU seconds of every core together, from the text of /proc/stat: busy is
    everything but idle and iowait."""
    values = [int(v) for v in stat.splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    # guest time is already counted in user time.
    total = sum(values[:8])
    return (total - idle) / TICKS_PER_S, total / TICKS_PER_S


def _read(path: Path) -> Optional[Text]:
    try:
        return path.read_text()
    except (OSError, ValueError):  # the process ended, or is not ours to read
        return None


@dataclass
class Reading:
    """CPU seconds by role, and the machine's busy and total CPU seconds, at one moment."""

    by_role: Dict[Text, float] = field(default_factory=dict)
    busy_s: float = 0.0
    total_s: float = 0.0


@dataclass
class Usage:
    """What one run cost: CPU seconds by role, and the share of all cores that was busy."""

    by_role: Dict[Text, float]
    busy_share: float

    def per_turn_ms(self, turns: int) -> Dict[Text, float]:
        return {role: 1000 * s / turns for role, s in self.by_role.items()} if turns else {}

    def ceiling(self, turns: int) -> float:
        """The turns per second of all cores at 100%, at this run's CPU per turn."""
        spent = sum(self.by_role.values())
        return CORES * turns / spent if spent else float("inf")

    def line(self, turns: int) -> Text:
        per_turn = self.per_turn_ms(turns)
        shown = sorted(((ms, role) for role, ms in per_turn.items() if ms >= 0.05), reverse=True)
        parts = ", ".join(f"{role} {ms:.1f}" for ms, role in shown)
        return (
            f"{100 * self.busy_share:3.0f}% of {CORES} cores busy; ms per turn {sum(per_turn.values()):.1f} ({parts})"
        )


class Meter:
    """Reads the CPU use of every process by role (`read`) and what a run between two
    readings cost (`usage`)."""

    def __init__(self) -> None:
        self.own_pid = os.getpid()

    def read(self) -> Reading:
        reading = Reading()
        for entry in PROC.iterdir():
            if not entry.name.isdigit():
                continue
            stat = _read(entry / "stat")
            command = _read(entry / "cmdline")
            if stat is None or command is None:
                continue
            role = CLIENT if int(entry.name) == self.own_pid else role_of(command.replace("\0", " "))
            reading.by_role[role] = reading.by_role.get(role, 0.0) + process_cpu_s(stat)
        machine = _read(PROC / "stat")
        if machine is not None:
            reading.busy_s, reading.total_s = machine_busy_s(machine)
        return reading

    @staticmethod
    def usage(before: Reading, after: Reading) -> Usage:
        """The CPU spent between two readings. A process that ends in between takes its
        seconds with it, and its role's figure is low (the measured servers do not end;
        PostgreSQL's backends live as long as their pooled connections)."""
        roles = set(before.by_role) | set(after.by_role)
        spent = {r: max(0.0, after.by_role.get(r, 0.0) - before.by_role.get(r, 0.0)) for r in roles}
        total = after.total_s - before.total_s
        busy = min(1.0, (after.busy_s - before.busy_s) / total) if total > 0 else 0.0
        return Usage({r: s for r, s in spent.items() if s > 0}, busy)
