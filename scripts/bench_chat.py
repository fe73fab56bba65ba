"""Chat-export figures for `make bench` (issue 4), timed in the same run as the peers.

Needs ../shared/bench (the export generator and the peers' runner) and a throwaway virtual
environment with the peers, outside git:
    python3 -m venv ../.peers && ../.peers/bin/pip install chat-miner==0.6.0 whatstk==0.9.1
Without them, only our own figures are printed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
PEERS = ROOT.parent / ".peers" / "bin" / "python"
MESSAGES = 200_000


def ours(path: Path) -> tuple[float, int, float]:
    code = (
        "import resource, sys, time\nfrom recours.domain.chat.whatsapp import parse_whatsapp\n"
        f"data = open({str(path)!r}, 'rb').read()\nt = time.perf_counter()\n"
        "n = len(parse_whatsapp(data).entries)\n"
        "print(time.perf_counter() - t, n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), int(out[1]), float(out[2])


def main() -> None:
    generator = SHARED / "gen_whatsapp.py"
    if not generator.exists():
        print("chat bench skipped: ../shared/bench/gen_whatsapp.py not found")
        return
    with tempfile.TemporaryDirectory() as work:
        export = Path(work) / "export.txt"
        subprocess.run(
            [sys.executable, str(generator), str(MESSAGES), str(export), "android-comma"], check=True
        )
        seconds, count, rss = ours(export)
        print(
            f"parse {MESSAGES:,} WhatsApp messages ({export.stat().st_size / 1e6:.0f} MB): ours {seconds:.2f} s, "
            f"{count:,} entries, peak RSS {rss:.0f} MiB"
        )
        if not PEERS.exists():
            print("peers skipped: create ../.peers (see this script's docstring)")
            return
        for peer in ("whatstk", "chat-miner"):
            done = subprocess.run(
                [str(PEERS), str(SHARED / "peers_parse.py"), peer, str(export)],
                check=True,
                capture_output=True,
                text=True,
            )
            _, peer_seconds, peer_count, peer_rss = done.stdout.split()
            print(
                f"  {peer}: {float(peer_seconds):.2f} s, {int(peer_count):,} messages, peak RSS {peer_rss} MiB "
                f"→ ours is {float(peer_seconds) / seconds:.1f}x faster, RSS ratio {rss / float(peer_rss):.2f}"
            )


if __name__ == "__main__":
    main()
