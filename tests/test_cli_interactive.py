"""``recours orient`` asks its questions in a real terminal (a pseudo-terminal here)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

ANSWERS = [
    "n",  # in danger now?
    "n",  # cannot speak?
    "n",  # suicidal thoughts?
    "1",  # role: the person targeted
    "quatorze",  # age: refused, asked again
    "14",
    "1,2",  # online harassment, school harassment
    "2",  # private
    "o",  # author known
    "o",  # school related
    "n",  # money demanded
    "1",  # talk
    "",  # first seen: unknown
]


def read_until_exit(fd: int, process: subprocess.Popen[bytes], timeout: float = 30) -> str:
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    return b"".join(chunks).decode("utf-8", "replace")


def test_the_questions_are_asked_one_by_one_and_the_result_printed() -> None:
    leader, follower = pty.openpty()
    env = {**os.environ, "LANG": "fr_FR.UTF-8", "COLUMNS": "200", "TERM": "dumb"}
    process = subprocess.Popen(
        [sys.executable, "-m", "recours", "orient", "--at", "2026-11-28T12:00+01:00"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    for answer in ANSWERS:
        os.write(leader, (answer + "\n").encode())
    output = read_until_exit(leader, process)
    process.wait(timeout=30)
    os.close(leader)
    assert process.returncode == 0, output
    assert "Indiquez un âge en années" in output  # "quatorze" was refused, then asked again
    assert "Vers qui vous tourner" in output
    assert "1. 3018" in output
    assert "URGENT" not in output
