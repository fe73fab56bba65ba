"""Chat-export figures for `make bench` (issue 4), timed in the same run as the peers.

Needs ../shared/bench (the export generator and the peers' runner) and a throwaway virtual
environment with the peers, outside git:
    python3 -m venv ../.peers && ../.peers/bin/pip install chat-miner==0.6.0 whatstk==0.9.1
Without them, only our own figures are printed.

The machine is shared and noisy: each round times our parse, our whole import and every peer one
after the other, each in a fresh process, and the ratios are taken within a round; the medians
over the rounds are printed (``--rounds``, 3 by default).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
PEERS = ROOT.parent / ".peers" / "bin" / "python"
MESSAGES = 200_000

# Our parse, as a caller gets it: `parse_whatsapp` returns the records, every field of every
# record computed, as columns (`ParsedExport.columns()`, what the import stores; `.entries`
# builds ChatEntry tuples from them on first use, which the import never does). The file is read
# before the clock starts. The clock stops when the result is returned; the time to release it
# again is printed apart (the peers' runner counts the release of theirs, and their imports).
OURS = """\
import resource, sys, time
from recours.domain.chat.whatsapp import parse_whatsapp
data = open(sys.argv[1], 'rb').read()
t = time.perf_counter()
parsed = parse_whatsapp(data)
returned = time.perf_counter()
n = len(parsed.columns()['timestamp'])
assert not parsed.entries_built
del parsed
released = time.perf_counter()
print(returned - t, n, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, released - t)
"""

# Our whole import, as `recours import` does it: the file read, parsed, its original encrypted
# and hashed into a new item, the records document encoded, hashed and stored in the SQLCipher
# index with its custody entry, each transaction committed (synchronous=FULL, fsync). Into a new
# vault in a temporary folder, created before the clock starts with the tests' minimal Argon2id
# cost (tests/vault_helpers.py FAST): opening a vault's key is not what is measured here.
IMPORT = """\
import resource, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from recours.services import chat
from tests.vault_helpers import new_vault, tick
with tempfile.TemporaryDirectory() as work:
    # "fresh": the vault is kept in sys.argv[4] for a new process to analyse (FRESH below).
    vault, _ = new_vault(Path(sys.argv[4]) if sys.argv[3] == "fresh" else Path(work) / "coffre")
    t = time.perf_counter()
    summary = chat.import_export(vault, Path(sys.argv[1]), tick(1))
    seconds = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if sys.argv[3] == "fresh":
        vault.close()
        print(seconds, summary.new, rss, 0, 0, 0)
        sys.exit()
    # Then the full analysis of what was imported: the records read back from the vault, every
    # message scanned, all figures. The signal matcher is built once per process (timed apart:
    # the web app builds it once for all analyses). Scanned as `recours analyse --json` does
    # (sys.argv[3] "cli": on two cores, adapters/parallel_scan.py) or as the web app does, in
    # its request's thread ("web"); CPU time of this process and its copy counted too.
    from recours.adapters.signal_pack import load_scanner, load_signal_matcher
    from recours.services import analysis
    b = time.perf_counter()
    matcher = load_signal_matcher()
    built = time.perf_counter() - b
    scanner = load_scanner() if sys.argv[3] == "cli" else matcher
    def cpu():
        own, copies = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + copies.ru_utime + copies.ru_stime
    a, c = time.perf_counter(), cpu()
    result = analysis.run(vault, scanner)
    analysed, cpu_used = time.perf_counter() - a, cpu() - c
    vault.close()
assert summary.entries == summary.new and result.messages > 0
print(seconds, summary.new, rss, built, analysed, cpu_used)
"""


# The same analysis in a new process, as `recours analyse` runs after `recours import`: the vault
# the import left reopened (minimal KDF cost, not timed), the matcher built (timed apart), then
# the analysis. Its memory is all new to it, where the analysis after the import in one process
# reuses the pages the import let go.
FRESH = """\
import resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from recours.adapters.signal_pack import load_scanner
from recours.services import analysis
from tests.vault_helpers import reopen
vault = reopen(Path(sys.argv[1]))
b = time.perf_counter()
scanner = load_scanner()
built = time.perf_counter() - b
a = time.perf_counter()
result = analysis.run(vault, scanner)
analysed = time.perf_counter() - a
vault.close()
assert result.messages > 0
print(built, analysed)
"""


def fresh_analysis(path: Path, work: Path) -> tuple[float, int, float, float, float, float]:
    """The import, then the analysis in a new process: seconds, records, RSS of the import, then
    the matcher's build and the analysis (seconds; the CPU time is not taken, 0)."""
    place = work / "fresh-vault"
    imported = subprocess.run(
        [sys.executable, "-c", IMPORT, str(path), str(ROOT), "fresh", str(place)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    analysed = subprocess.run(
        [sys.executable, "-c", FRESH, str(place), str(ROOT)], check=True, capture_output=True, text=True
    ).stdout.split()
    shutil.rmtree(place)
    return (
        float(imported[0]),
        int(imported[1]),
        float(imported[2]),
        float(analysed[0]),
        float(analysed[1]),
        0.0,
    )


def ours(path: Path) -> tuple[float, int, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", OURS, str(path)], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), int(out[1]), float(out[2]), float(out[3])


def our_import(path: Path, scan: str) -> tuple[float, int, float, float, float, float]:
    """The import (seconds, records, RSS), then the matcher build and the analysis scanned as
    ``scan`` ("cli" or "web") says (seconds, then CPU seconds)."""
    out = subprocess.run(
        [sys.executable, "-c", IMPORT, str(path), str(ROOT), scan], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), int(out[1]), float(out[2]), float(out[3]), float(out[4]), float(out[5])


def peer(name: str, path: Path) -> tuple[float, int, float]:
    done = subprocess.run(
        [str(PEERS), str(SHARED / "peers_parse.py"), name, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    _, seconds, count, rss = done.stdout.split()
    return float(seconds), int(count), float(rss)


def median(runs: list[tuple[float, ...]], k: int) -> float:
    return statistics.median(run[k] for run in runs)


def listed(values: list[float], digits: int = 1) -> str:
    return ", ".join(f"{v:.{digits}f}" for v in values)


# The generated chat has no emoji; real ones, teenagers' above all, are full of them, and they
# take the slower way through the signal scan's normalising (characters out of Latin-1). The
# same export with an emoji after one message in five is timed too.
EMOJI = ("😂", "😭😭", "🙄", "❤️", "💀")
HEADER = re.compile(r"^\d\d/\d\d/\d{4}, \d\d:\d\d - ")


def with_emoji(source: Path, target: Path) -> None:
    """Line by line: a child process started later reports as its peak memory at least what this
    one held when it forked it (Linux keeps ``ru_maxrss`` across ``exec``)."""
    messages = 0
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for line in lines:
            if HEADER.match(line):
                if messages % 5 == 4:
                    line = line.rstrip("\n") + " " + EMOJI[messages // 5 % len(EMOJI)] + "\n"
                messages += 1
            out.write(line)


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
        emoji = Path(work) / "export-emoji.txt"
        with_emoji(export, emoji)
        names = ("ours", "import", "fresh", "web", "emoji-cli", "emoji-web", *peers)
        runs: dict[str, list[tuple[float, ...]]] = {name: [] for name in names}
        for round_ in range(1, rounds + 1):
            runs["ours"].append(ours(export))
            runs["import"].append(our_import(export, "cli"))
            runs["fresh"].append(fresh_analysis(export, Path(work)))
            runs["web"].append(our_import(export, "web"))
            runs["emoji-cli"].append(our_import(emoji, "cli"))
            runs["emoji-web"].append(our_import(emoji, "web"))
            parse, imported = runs["ours"][-1][0], runs["import"][-1][0]
            analysed, in_thread = runs["import"][-1][4], runs["web"][-1][4]
            line = (
                f"round {round_}: parse {parse:.3f} s ({runs['ours'][-1][3]:.3f} s released), "
                f"import {imported:.3f} s, analysis {analysed:.3f} s (one thread: {in_thread:.3f} s after "
                f"an import of {runs['web'][-1][0]:.3f} s; in a new process: {runs['fresh'][-1][4]:.3f} s "
                f"after an import of {runs['fresh'][-1][0]:.3f} s)"
            )
            for name in peers:
                runs[name].append(peer(name, export))
                theirs = runs[name][-1][0]
                line += (
                    f", {name} {theirs:.3f} s (parse {theirs / parse:.1f}x, import {theirs / imported:.1f}x)"
                )
            print(line)
        seconds, count, rss, released = (median(runs["ours"], k) for k in range(4))
        import_seconds, stored, import_rss, built, analysed, cpu_used = (
            median(runs["import"], k) for k in range(6)
        )
        analysis_ratios = [i[4] / i[0] for i in runs["import"]]
        in_thread, thread_ratios = median(runs["web"], 4), [i[4] / i[0] for i in runs["web"]]
        fresh_ratios = [i[4] / i[0] for i in runs["fresh"]]
        size = export.stat().st_size / 1e6
        print(
            f"{MESSAGES:,} WhatsApp messages ({size:.0f} MB), medians of {rounds} rounds:\n"
            f"  parse (columns): {seconds:.3f} s ({released:.3f} s with the result released), "
            f"{count:,.0f} records, peak RSS {rss:.0f} MiB\n"
            f"  whole import into a new vault (minimal KDF cost): {import_seconds:.3f} s, "
            f"{stored:,.0f} records stored, peak RSS {import_rss:.0f} MiB\n"
            f"  full analysis of the imported chat, as the command line runs it: {analysed:.3f} s "
            f"({cpu_used:.3f} s of CPU; + {built:.3f} s to build the signal matcher, once per process) = "
            f"{statistics.median(analysis_ratios):.2f}x the import (rounds: {listed(analysis_ratios, 2)})\n"
            f"  the same in one thread, as the web app runs it: {in_thread:.3f} s = "
            f"{statistics.median(thread_ratios):.2f}x the import (rounds: {listed(thread_ratios, 2)})\n"
            f"  the same in a new process, as `recours analyse` after `recours import`: "
            f"{median(runs['fresh'], 4):.3f} s after an import of {median(runs['fresh'], 0):.3f} s = "
            f"{statistics.median(fresh_ratios):.2f}x (rounds: {listed(fresh_ratios, 2)})"
        )
        for name, how in (("emoji-cli", "as the command line runs it"), ("emoji-web", "in one thread")):
            ratios = [i[4] / i[0] for i in runs[name]]
            print(
                f"  with an emoji after one message in five, {how}: import {median(runs[name], 0):.3f} s, "
                f"analysis {median(runs[name], 4):.3f} s = {statistics.median(ratios):.2f}x "
                f"(rounds: {listed(ratios, 2)})"
            )
        if not peers:
            print("peers skipped: create ../.peers (see this script's docstring)")
        for name in peers:
            peer_seconds, peer_count, peer_rss = (median(runs[name], k) for k in range(3))
            pairs = list(zip(runs[name], runs["ours"], runs["import"], strict=True))
            ratios = [p[0] / o[0] for p, o, _ in pairs]
            released_ratios = [p[0] / o[3] for p, o, _ in pairs]
            import_ratios = [p[0] / i[0] for p, _, i in pairs]
            rss_ratios = [o[2] / p[2] for p, o, _ in pairs]
            print(
                f"  {name}: {peer_seconds:.3f} s, {peer_count:,.0f} messages, peak RSS {peer_rss:.0f} MiB\n"
                f"    → our parse is {statistics.median(ratios):.1f}x faster (rounds: {listed(ratios)}; "
                f"{statistics.median(released_ratios):.1f}x with our result released), "
                f"RSS ratio {statistics.median(rss_ratios):.2f}\n"
                f"    → our whole import is {statistics.median(import_ratios):.1f}x faster than its parse "
                f"(rounds: {listed(import_ratios)})"
            )


if __name__ == "__main__":
    main()
