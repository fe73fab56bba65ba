"""Load figures for `make bench` (issue 6): 50 concurrent clients on loopback against the app
as `recours serve` runs it, measured with ApacheBench (Debian package ``apache2-utils``).

* the orientation pages (home, /orientation, a question, /organismes), without a vault;
* /coffre, the evidence list of an unlocked vault of 10,000 items (small files).

Requests/s, p95 latency and errors (failed connections or reads, non-2xx answers) of each. The
vault is made with a cheap KDF (its parameters are stored in it: the unlock is cheap too); the
server is the real one: `recours serve --no-browser`, its launch token read from what it prints.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from recours.adapters.vault_keys import KdfCost
from recours.adapters.vault_store import LocalVaults
from recours.services import vault as svc

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))
PASSPHRASE = "phrase de banc d’essai"
ITEMS = int(os.environ.get("BENCH_ITEMS", "10000"))
CLIENTS = 50
PAGE_REQUESTS = 2_000  # per orientation page
VAULT_REQUESTS = int(os.environ.get("BENCH_VAULT_REQUESTS", "100"))  # the list of 10,000 items is heavy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fill_vault(path: Path) -> None:
    vaults = LocalVaults(cost=KdfCost(memory_kib=8, iterations=1, lanes=1))
    vault, _ = svc.create(vaults, path, PASSPHRASE, NOW)
    start = time.perf_counter()
    for n in range(ITEMS):
        data = f"capture {n:05}\n".encode() + os.urandom(200)
        svc.add_stream(
            vault, io.BytesIO(data), kind="file", name=f"capture-{n:05}.txt", now=NOW, tags=[f"lot-{n % 20}"]
        )
    vault.close()
    print(f"vault of {ITEMS:,} items filled in {time.perf_counter() - start:.0f} s", flush=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def start_server(port: int, vault: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "RECOURS_VAULT": str(vault), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("recours")), "serve", "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    if server.stdout is None:
        raise SystemExit("no output from the server")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:(\d+)/\?token=\S+)", line)
        if found:
            if int(found.group(2)) != port:
                raise SystemExit(f"the server chose port {found.group(2)}, not {port}")
            # The address is printed before uvicorn listens: wait until it accepts connections.
            while time.monotonic() < deadline and server.poll() is None:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        return server, found.group(1)
                time.sleep(0.1)
            break
        if not line and server.poll() is not None:
            break
    server.kill()
    raise SystemExit("the server did not start")


def session_cookie(url: str) -> str:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url)
    except urllib.error.HTTPError as answer:  # 303 to the page, with the session cookie
        cookie = answer.headers["set-cookie"]
        return cookie.split(";", 1)[0]
    raise SystemExit("presenting the launch token gave no session")


def get(base: str, path: str, cookie: str) -> str:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310 (loopback http)
    with urllib.request.urlopen(request) as answer:  # noqa: S310
        return str(answer.read().decode())


def unlock(base: str, cookie: str) -> None:
    html = get(base, "/coffre", cookie)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if csrf is None:
        raise SystemExit("no unlock form on /coffre")
    body = urllib.parse.urlencode({"csrf_token": csrf.group(1), "passphrase": PASSPHRASE}).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback http)
        base + "/coffre/ouvrir",
        data=body,
        headers={
            "Cookie": cookie,
            "Sec-Fetch-Site": "same-origin",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(request)
    except urllib.error.HTTPError as answer:
        if answer.code != 303:
            raise
    listing = get(base, "/coffre", cookie)
    # The list shows a hundred items a page; its caption counts them all.
    if f"{ITEMS} élément(s)" not in listing:
        raise SystemExit("the vault did not unlock, or its list misses items")


def ab(url: str, cookie: str, requests: int) -> dict[str, float]:
    """ApacheBench: keep-alive (as a browser), variable page length accepted (CSRF tokens)."""
    done = subprocess.run(
        ["ab", "-q", "-k", "-l", "-s", "600", "-n", str(requests), "-c", str(CLIENTS), "-C", cookie, "-H", "Accept-Language: fr", url],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    out = done.stdout

    def number(pattern: str, default: float | None = None) -> float:
        found = re.search(pattern, out, re.MULTILINE)
        if found:
            return float(found.group(1))
        if default is None:
            raise SystemExit(f"ab gave no {pattern!r}:\n{out}\n{done.stderr}")
        return default

    return {
        "requests": number(r"^Complete requests:\s+(\d+)"),
        "rps": number(r"^Requests per second:\s+([\d.]+)"),
        "p50": number(r"^\s+50%\s+(\d+)"),
        "p95": number(r"^\s+95%\s+(\d+)"),
        "max": number(r"^\s+100%\s+(\d+)"),
        "errors": number(r"^Failed requests:\s+(\d+)") + number(r"^Non-2xx responses:\s+(\d+)", 0.0),
    }


def report(label: str, figures: dict[str, float]) -> None:
    print(
        f"{label:34} {figures['rps']:8.1f} req/s  p50 {figures['p50']:5.0f} ms  p95 {figures['p95']:5.0f} ms  "
        f"max {figures['max']:5.0f} ms  errors {figures['errors']:.0f}/{figures['requests']:.0f}",
        flush=True,
    )


def main() -> int:
    if shutil.which("ab") is None:
        print("ab (Debian package apache2-utils) is needed: apt-get install apache2-utils", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="recours-bench-load-"))
    server = None
    try:
        vault = work / "coffre"
        fill_vault(vault)
        port = free_port()
        server, url = start_server(port, vault)
        base = f"http://127.0.0.1:{port}"
        cookie = session_cookie(url)
        html = get(base, "/orientation", cookie)
        step = re.search(r'(?:href|action)="(/orientation/(?!resultats)[\w-]+)"', html)
        pages = ["/", "/orientation", step.group(1) if step else "/orientation", "/organismes"]
        errors = 0.0
        print(f"{CLIENTS} concurrent clients (ab -k), loopback, one `recours serve` process", flush=True)
        for path in pages:
            get(base, path, cookie)  # warm: templates compiled, knowledge loaded
            figures = ab(base + path, cookie, PAGE_REQUESTS)
            report(f"GET {path}", figures)
            errors += figures["errors"]
        unlock(base, cookie)
        figures = ab(base + "/coffre", cookie, VAULT_REQUESTS)
        report(f"GET /coffre ({ITEMS:,} items, unlocked)", figures)
        errors += figures["errors"]
        return 1 if errors else 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:  # uvicorn finishes the requests still queued first
                server.kill()
                server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
