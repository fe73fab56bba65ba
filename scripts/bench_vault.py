"""Vault figures for `make bench` (issue 3), each measured against ``sha256sum`` in the same run.

* adding a 1 GiB file (hash + encrypt + durable write) vs ``sha256sum`` on the same file,
  and the peak RSS of the process during the add;
* adding 10,000 files of 50 KB: files/s at 0 and at 10,000 items;
* ``verify --read-data`` over the 1 GiB item vs ``sha256sum``.

The machine is shared and noisy: each timing is repeated and the median reported.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from recours.adapters.vault_store import LocalVaults
from recours.services import vault as svc

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
PASSPHRASE = "phrase de banc d’essai"
GIB = 1024**3
REPEAT = 5


def timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def sha256sum(path: Path) -> float:
    return timed(lambda: subprocess.run(["sha256sum", str(path)], check=True, capture_output=True))


def make_file(path: Path, size: int) -> None:
    with open(path, "wb") as handle:
        for _ in range(size // (1 << 20)):
            handle.write(os.urandom(1 << 20))


def peak_rss_of_add(vault: Path, big: Path) -> float:
    """Peak RSS (MiB) of a fresh process during the add only (VmHWM reset after the unlock)."""
    code = (
        "import sys; from pathlib import Path; from datetime import datetime, timezone\n"
        "from recours.adapters.vault_store import LocalVaults\nfrom recours.services import vault as svc\n"
        f"v = LocalVaults().open(Path({str(vault)!r}), {PASSPHRASE!r})\n"
        "open('/proc/self/clear_refs', 'w').write('5')\n"
        f"svc.add_file(v, Path({str(big)!r}), datetime.now(timezone.utc))\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print(int(hwm) / 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(done.stdout.strip())


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="recours-bench-", dir=ROOT))
    try:
        big = work / "big.bin"
        make_file(big, GIB)
        sha256sum(big)  # warm the page cache: both sides then read from memory
        vaults = LocalVaults()
        reference, ours, disk = [], [], []
        for rep in range(REPEAT):
            # A fresh vault each time, the previous one deleted: on this VM's thin-provisioned
            # disk, durable writes into newly allocated space slow down after the first GiB
            # (dd conv=fsync shows the same), which would measure the disk, not Recours.
            vault, _ = svc.create(vaults, work / f"coffre{rep}", PASSPHRASE, NOW)
            reference.append(sha256sum(big))
            ours.append(timed(lambda store=vault: svc.add_file(store, big, NOW)))
            vault.close()
            shutil.rmtree(work / f"coffre{rep}")
            disk.append(
                timed(
                    lambda: subprocess.run(
                        ["dd", f"if={big}", f"of={work / 'dd.bin'}", "bs=1M", "conv=fsync"],
                        check=True,
                        capture_output=True,
                    )
                )
            )
            (work / "dd.bin").unlink()
        ref, add = statistics.median(reference), statistics.median(ours)
        print(
            f"add 1 GiB: {add:.2f} s ({GIB / add / 1e6:.0f} MB/s); sha256sum {ref:.2f} s "
            f"({GIB / ref / 1e6:.0f} MB/s); throughput ratio {ref / add:.2f}x (target >= 1.5x)"
        )
        print(
            f"  each run: ours {[round(x, 2) for x in ours]} s, sha256sum {[round(x, 2) for x in reference]} s, "
            f"the disk alone (dd conv=fsync of the same file) {[round(x, 2) for x in disk]} s"
        )
        vault, _ = svc.create(vaults, work / "coffre", PASSPHRASE, NOW)
        vault.close()
        print(
            f"peak RSS during the 1 GiB add: {peak_rss_of_add(work / 'coffre', big):.1f} MiB (target <= 64 MiB)"
        )

        # verify --read-data over the 1 GiB item just added, against sha256sum of the same bytes.
        vault = vaults.open(work / "coffre", PASSPHRASE)
        verify_time = timed(lambda: svc.verify(vault, read_data=True))
        data = sum(v.record.size for v in svc.list_items(vault))
        checksum = timed(lambda: [sha256sum(big) for _ in range(round(data / GIB))])
        print(
            f"verify --read-data {data / GIB:.0f} GiB: {verify_time:.2f} s; sha256sum over the same bytes "
            f"{checksum:.2f} s; throughput ratio {checksum / verify_time:.2f}x (target >= 1x)"
        )
        vault.close()
        panic = timed(lambda: svc.panic(vaults, work / "coffre"))
        print(f"quick delete of that vault ({data / GIB:.0f} GiB): {panic:.3f} s (target <= 2 s)")
        big.unlink()

        small = work / "small"
        small.mkdir()
        for n in range(11_000):
            (small / f"{n:05}.png").write_bytes(os.urandom(50_000))
        vault, _ = svc.create(vaults, work / "coffre", PASSPHRASE, NOW)
        files = sorted(small.iterdir())
        marks = {}
        start = time.perf_counter()
        for n, path in enumerate(files[:10_000]):
            if n in (0, 1000, 9000, 10_000):
                marks[n] = time.perf_counter()
            svc.add_file(vault, path, NOW)
        total = time.perf_counter() - start
        marks[10_000] = time.perf_counter()
        first = (marks[1000] - marks[0]) / 1000
        last = (marks[10_000] - marks[9000]) / 1000
        print(f"add 10,000 files of 50 KB: {total:.1f} s, {10_000 / total:.0f} files/s")
        after = timed(lambda: [svc.add_file(vault, p, NOW) for p in files[10_000:]]) / 1000
        print(
            f"  time per file: {first * 1000:.2f} ms for the first 1,000 (vault empty), "
            f"{last * 1000:.2f} ms for items 9,000-10,000, {after * 1000:.2f} ms for 1,000 more at 10,000 items"
        )
        vault.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
