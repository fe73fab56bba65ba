"""Chat-export figures for `make bench` (issue 4), timed in the same run as the peers.

Needs ../shared/bench (the export generator and the peers' runner) and a throwaway virtual
environment with the peers, outside git:
    python3 -m venv ../.peers && ../.peers/bin/pip install chat-miner==0.6.0 whatstk==0.9.1
Without them, only our own figures are printed.

The machine is shared and noisy: each round times ours and every peer one after the other, each
in a fresh process, and the ratios are taken within a round; the medians over the rounds are
printed (``--rounds``, 3 by default).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
PEERS = ROOT.parent / ".peers" / "bin" / "python"
MESSAGES = 200_000

# Our parse, as a caller gets it: the list of entries, every record built (.entries is a plain
# list). The file is read before the clock starts. The clock stops when the result is returned;
# the time to release it again (200,000 records, ~20 ms) is printed apart: an earlier version of
# this script counted it, as `len(parse_whatsapp(data).entries)` frees the result before the
# clock is read (the peers' runner does so with theirs, and counts their imports too).
OURS = """\
import resource, sys, time
from recours.domain.chat.whatsapp import parse_whatsapp
data = open(sys.argv[1], 'rb').read()
t = time.perf_counter()
parsed = parse_whatsapp(data)
returned = time.perf_counter()
n = len(parsed.entries)
del parsed
released = time.perf_counter()
print(returned - t, n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, released - t)
"""


def ours(path: Path) -> tuple[float, int, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", OURS, str(path)], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), int(out[1]), float(out[2]), float(out[3])


def peer(name: str, path: Path) -> tuple[float, int, float]:
    done = subprocess.run(
        [str(PEERS), str(SHARED / "peers_parse.py"), name, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    _, seconds, count, rss = done.stdout.split()
    return float(seconds), int(count), float(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    generator = SHARED / "gen_whatsapp.py"
    if not generator.exists():
        print("chat bench skipped: ../shared/bench/gen_whatsapp.py not found")
        return
    peers = ("whatstk", "chat-miner") if PEERS.exists() else ()
    with tempfile.TemporaryDirectory() as work:
        export = Path(work) / "export.txt"
        subprocess.run(
            [sys.executable, str(generator), str(MESSAGES), str(export), "android-comma"], check=True
        )
        runs: dict[str, list[tuple[float, ...]]] = {name: [] for name in ("ours", *peers)}
        for round_ in range(1, rounds + 1):
            runs["ours"].append(ours(export))
            line = f"round {round_}: ours {runs['ours'][-1][0]:.3f} s ({runs['ours'][-1][3]:.3f} s released)"
            for name in peers:
                runs[name].append(peer(name, export))
                line += f", {name} {runs[name][-1][0]:.3f} s ({runs[name][-1][0] / runs['ours'][-1][0]:.1f}x)"
            print(line)
        seconds, count, rss, released = (statistics.median(run[k] for run in runs["ours"]) for k in range(4))
        print(
            f"parse {MESSAGES:,} WhatsApp messages ({export.stat().st_size / 1e6:.0f} MB), median of "
            f"{rounds}: ours {seconds:.3f} s ({released:.3f} s with the result released), "
            f"{count:,.0f} entries, peak RSS {rss:.0f} MiB"
        )
        if not peers:
            print("peers skipped: create ../.peers (see this script's docstring)")
        for name in peers:
            peer_seconds, peer_count, peer_rss = (
                statistics.median(run[k] for run in runs[name]) for k in range(3)
            )
            ratios = [p[0] / o[0] for p, o in zip(runs[name], runs["ours"], strict=True)]
            released_ratios = [p[0] / o[3] for p, o in zip(runs[name], runs["ours"], strict=True)]
            rss_ratios = [o[2] / p[2] for p, o in zip(runs[name], runs["ours"], strict=True)]
            print(
                f"  {name}: {peer_seconds:.3f} s, {peer_count:,.0f} messages, peak RSS {peer_rss:.0f} MiB "
                f"→ ours is {statistics.median(ratios):.1f}x faster (median of the rounds' ratios: "
                f"{', '.join(f'{r:.1f}' for r in ratios)}; {statistics.median(released_ratios):.1f}x "
                f"with our result released), RSS ratio {statistics.median(rss_ratios):.2f}"
            )


if __name__ == "__main__":
    main()
