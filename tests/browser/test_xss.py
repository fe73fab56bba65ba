"""XSS harness (issue 6): hostile strings in every attacker-controlled field, every view in Chromium.

A vault is filled once per run through the web routes (the same forms a person uses), each
string carrying a marker naming its payload and field (tests/xss_payloads.py). Then every view
is opened in headless Chromium, which records dialogs, requests to other origins, CSP
violations, elements or attributes that only a payload could create, and which markers the
page shows as text. The fast run uses a deterministic sample covering every family; the whole
corpus runs under ``deep``.
"""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from PIL import Image
from playwright.sync_api import Browser, Page

from recours.adapters.letter_files import load_letter_templates
from recours.services import letters as letters_svc
from tests.browser.conftest import open_context
from tests.conftest import TOKEN, make_app
from tests.xss_payloads import CORPUS, FAMILIES, Payload, sample

pytestmark = pytest.mark.browser

PASSPHRASE = "une phrase assez longue pour le test"
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "src" / "recours" / "web" / "templates"
LETTER_SOURCE = Path(__file__).resolve().parents[2] / "src" / "recours" / "adapters" / "letter_files.py"
CHAT_CHUNK = 40  # messages per chat: its text preview (20,000 characters) shows all of them
NOTE_CHUNK = 10

# Field codes (the last letter of a marker).
FIELDS = {
    "F": "file name", "U": "upload note", "K": "EXIF Make", "J": "EXIF Model", "I": "EXIF ImageDescription",
    "L": "URL item", "N": "note", "T": "chat message", "A": "chat author", "G": "chat group name",
    "D": "incident description", "P": "incident platform", "H": "incident author handle",
    "R": "incident author URL", "W": "incident witness", "O": "contact organisation",
    "C": "contact reference", "Q": "contact note", "Y": "letter field",
}
MARKER = re.compile(r"XSS(\d{4})([A-Z])")

INIT_SCRIPT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  [e.violatedDirective, e.blockedURI, e.sample, e.lineNumber].join(' | ')));
"""

SCAN = """([allowed, markers]) => {
  const allowedTags = new Set(allowed);
  const marker = /xss\\d{4}[a-z]/i;
  const appScripts = new Set(['/static/htmx.min.js', '/static/recours.js']);
  const found = [];
  const say = (why, el) => found.push(why + ' :: ' + el.outerHTML.slice(0, 160));
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (marker.test(tag)) say('tag carries a marker', el);
    else if (!allowedTags.has(tag)) say('tag the app never writes: ' + tag, el);
    if (tag === 'script' && !(el.src && appScripts.has(new URL(el.src).pathname))) say('script', el);
    if (['iframe', 'frame', 'object', 'embed', 'base', 'style', 'svg', 'math'].includes(tag)) say(tag, el);
    if (tag === 'meta' && el.httpEquiv) say('meta http-equiv', el);
    for (const a of el.attributes) {
      const n = a.name.toLowerCase(), v = a.value;
      if (marker.test(n)) say('attribute name carries a marker: ' + n, el);
      if (n.startsWith('on') || n === 'style' || n === 'srcdoc' || n === 'formaction' || n.startsWith('hx-')
          || n.startsWith('data-hx') || n.startsWith('ng-') || n.startsWith('v-')) say('attribute ' + n, el);
      if (['href', 'src', 'action', 'data', 'poster', 'background', 'xlink:href', 'srcset'].includes(n)) {
        const u = v.trim().toLowerCase();
        const chart = tag === 'img' && u.startsWith('data:image/svg+xml;base64,');
        if (!chart && !u.startsWith('/') && !u.startsWith('#') && !u.startsWith(location.origin)) say(n + '=' + v.slice(0, 80), el);
      }
      // User text may only land, escaped, in a form control's value or in text-only attributes
      // read by assistive technology (aria-label, title, alt): never in any other attribute.
      if (marker.test(v) && !['value', 'aria-label', 'title', 'alt'].includes(n)) say('marker in attribute ' + n, el);
    }
  }
  const text = document.body ? document.body.textContent : '';
  const missing = markers.filter(m => !text.includes(m));
  return {found, missing, csp: window.__csp || []};
}"""


def allowed_tags() -> list[str]:
    """Every tag the app's templates and the letter renderer write (the page's own elements)."""
    sources = [p.read_text(encoding="utf-8") for p in TEMPLATES_DIR.rglob("*.html")]
    sources.append(LETTER_SOURCE.read_text(encoding="utf-8"))
    tags = {m.lower() for s in sources for m in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", s)}
    return sorted(tags | {"html", "head", "body", "title", "meta"})


@dataclass
class View:
    name: str
    url: str
    expected: list[str]
    dialogs: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    injected: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass
class Run:
    payloads: list[Payload]
    views: list[View]
    refused: list[str]
    seconds: float


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def jpeg(make: str, model: str, description: str) -> bytes:
    image = Image.new("RGB", (8, 8), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x010E] = make, model, description
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def one_line(text: str) -> str:
    return re.sub(r"[\r\n\u2028\u2029\u0085\x0b\x0c\x1c-\x1e]", " ", text)


def chat_export(chunk: list[Payload], number: int) -> str:
    day = 1 + number % 28
    lines = [
        f"{day:02d}/02/2026 08:00 - Hugo a créé le groupe « {one_line(chunk[0].text('G'))} »",
    ]
    for p in chunk[1:]:
        lines.append(
            f"{day:02d}/02/2026 08:01 - Hugo a changé le nom du groupe de « 4e B » en « {one_line(p.text('G'))} »"
        )
    for i, p in enumerate(chunk):
        author = one_line(p.text("A")).replace(":", "：")  # a colon would end the author's name
        lines.append(f"{day:02d}/03/2026 {20 + i // 60:02d}:{i % 60:02d} - {author}: Léa je vais te tuer {p.text('T')}")
    return "\n".join(lines) + "\n"


def csrf(page: Page, base: str) -> str:
    html = page.request.get(base + "/coffre").text()
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def fill_vault(
    page: Page, base: str, payloads: list[Payload], refused: list[str], per_item: list[Payload]
) -> dict[str, Any]:
    """Every text field gets every payload of the run; fields that make one item (and one page
    to visit) per payload get ``per_item``. Returns the chats made, for the views."""
    page.goto(base + "/coffre")
    page.get_by_label("Choisissez une phrase secrète").fill(PASSPHRASE)
    page.get_by_label("Répétez-la").fill(PASSPHRASE)
    page.get_by_role("button", name="Créer le coffre").click()
    page.get_by_role("link", name="J’ai noté ma clé : aller au coffre").click()
    token = csrf(page, base)
    post = page.request.post

    def check(response: Any, what: str, ok: tuple[int, ...] = (200, 303)) -> bool:
        if response.status not in ok:
            refused.append(f"{what}: HTTP {response.status}")
            return False
        return True

    for p in per_item:  # one image per payload: its name, upload note and EXIF
        data = jpeg(p.text("K"), p.text("J"), p.text("I"))
        response = post(
            base + "/coffre/ajouter",
            multipart={
                "csrf_token": token,
                "note": p.text("U"),
                "files": {"name": p.text("F"), "mimeType": "image/jpeg", "buffer": data},
            },
        )
        check(response, f"upload {p.marker('F')}")
        url = "https://example.org/" + p.marker("L") + "?q=" + re.sub(r"\s", "+", p.text("L"))
        check(post(base + "/coffre/adresse", form={"csrf_token": token, "url": url}), f"url {p.marker('L')}")
        if p.family == "url":  # the raw address: refused unless http(s); either way never a link
            post(base + "/coffre/adresse", form={"csrf_token": token, "url": p.template.replace("{M}", p.marker("L"))})
    for start in range(0, len(payloads), NOTE_CHUNK):
        text = "\n".join(p.text("N") for p in payloads[start : start + NOTE_CHUNK])
        check(post(base + "/coffre/note", form={"csrf_token": token, "note": text}), f"note {start}")
    chats = []
    for number, start in enumerate(range(0, len(payloads), CHAT_CHUNK)):
        chunk = payloads[start : start + CHAT_CHUNK]
        export = chat_export(chunk, number).encode()
        response = post(
            base + "/coffre/importer",
            multipart={
                "csrf_token": token,
                "me": "Léa",
                "date_order": "dmy",
                "export": {"name": f"groupe-{number}.txt", "mimeType": "text/plain", "buffer": export},
            },
        )
        if check(response, f"chat {number}"):
            chats.append(chunk)
    for p in payloads:
        author_url = p.template.replace("{M}", p.marker("R"))
        if not re.match(r"^https?://[^\s/$.?#][^\s]*$", author_url, re.IGNORECASE):
            author_url = "https://example.org/" + p.marker("R") + "?q=" + re.sub(r"\s", "+", p.text("R"))
        fields = {
            "csrf_token": token, "occurred_at": "2026-03-02T21:00", "description": p.text("D"),
            "platform": p.text("P"), "author_handle": p.text("H"), "author_url": author_url,
            "witnesses": p.text("W"),
        }
        check(post(base + "/coffre/journal", form=fields, max_redirects=0), f"incident {p.marker('D')}")
        contact = {
            "csrf_token": token, "organisation": p.text("O"), "on": "2026-03-04",
            "reference": p.text("C"), "note": p.text("Q"),
        }
        check(post(base + "/coffre/dossier/contact", form=contact), f"contact {p.marker('O')}")
    return {"chats": chats}


def list_pages(page: Page, base: str) -> list[str]:
    """The addresses of every page of the evidence list (a hundred items each)."""
    urls = [base + "/coffre"]
    while 'href="/coffre?page=' + str(len(urls) + 1) + '"' in page.request.get(urls[-1]).text():
        urls.append(f"{base}/coffre?page={len(urls) + 1}")
    return urls


def item_ids(page: Page, base: str) -> list[str]:
    html = "".join(page.request.get(url).text() for url in list_pages(page, base))
    return list(dict.fromkeys(re.findall(r'href="/coffre/element/([^"/]+)"', html)))


def letter_fields(payloads: list[Payload]) -> dict[str, dict[str, str]]:
    """For each letter kind, its text fields filled with the payloads (all of them spread over
    the multi-line fields, one per single-line field)."""
    kinds = {t.id: [f for f in letters_svc.fields_of(t) if f.kind in ("line", "text", "lines")]
             for t in load_letter_templates().templates}
    multiline = [(k, f.name) for k, fs in kinds.items() for f in fs if f.kind != "line"]
    out: dict[str, dict[str, str]] = {k: {} for k in kinds}
    for i, (kind, name) in enumerate(multiline):
        out[kind][name] = "\n".join(p.text("Y") for p in payloads[i :: len(multiline)])
    for n, (kind, fs) in enumerate(kinds.items()):
        for j, f in enumerate(fs):
            if f.kind == "line":
                out[kind][f.name] = payloads[(n * 7 + j) % len(payloads)].text("Y")
    return out


def visit(page: Page, view: View, allowed: list[str], events: dict[str, list[str]], post: dict[str, str] | None = None) -> None:
    for bucket in events.values():
        bucket.clear()
    if post is None:
        page.goto(view.url)
    else:  # a form POST from the page itself, as the "update the preview" button does
        page.goto(view.url)
        page.evaluate(
            """(values) => { const form = document.querySelector('form.letter-form');
                for (const [name, value] of Object.entries(values)) form.elements[name].value = value;
                form.querySelector('button[value=preview]').click(); }""",
            post,
        )
        page.wait_for_load_state("load")
        page.wait_for_selector(".letter-preview")
    page.wait_for_load_state("load")
    result = page.evaluate(SCAN, [allowed, view.expected])
    view.injected, view.missing = result["found"], result["missing"]
    view.csp = result["csp"] + list(events["console_csp"])
    view.dialogs, view.foreign = list(events["dialogs"]), list(events["foreign"])


def run_harness(browser: Browser, payloads: list[Payload], tmp: Path) -> Run:
    started = time.monotonic()
    port = _free_port()
    app = make_app(port=port, vault_path=tmp / "coffre")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    context = open_context(browser, base)
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    page.set_default_timeout(60_000)
    events: dict[str, list[str]] = {"dialogs": [], "foreign": [], "console_csp": []}

    def on_dialog(dialog: Any) -> None:
        events["dialogs"].append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_request(request: Any) -> None:
        if not request.url.startswith((base + "/", "data:")):
            events["foreign"].append(request.url)

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            events["console_csp"].append(message.text[:300])

    page.on("dialog", on_dialog)
    page.on("request", on_request)
    page.on("console", on_console)
    page.goto(f"{base}/?token={TOKEN}")
    refused: list[str] = []
    per_item = payloads if len(payloads) > 500 else payloads[::3]
    made = fill_vault(page, base, payloads, refused, per_item)
    allowed = allowed_tags()
    by_marker = {p.marker("F"): p for p in payloads}
    views: list[View] = []
    every = [p.marker(c) for p in per_item for c in "FL"]
    pages = list_pages(page, base)
    for number, url in enumerate(pages, start=1):
        views.append(View("list" if number == 1 else f"list page {number}", url, []))
    for item in item_ids(page, base):
        views.append(View(f"item {item}", f"{base}/coffre/element/{item}", []))
    views.append(View("journal", base + "/coffre/journal", [p.marker(c) for p in payloads for c in "DPHRW"]))
    views.append(View("analysis", base + "/coffre/analyse", []))
    views.append(View("dossier", base + "/coffre/dossier", [p.marker(c) for p in payloads for c in "OCQ"]))
    views.append(View("letters", base + "/coffre/lettres", []))
    views.append(View("verification", base + "/coffre/verification", []))
    kinds = [t.id for t in load_letter_templates().templates]
    for kind in kinds:
        views.append(View(f"letter {kind}", f"{base}/coffre/lettres/{kind}", []))
    for view in views:
        visit(page, view, allowed, events)
        if view.name.startswith("item "):
            # What an item page must show: found from the markers its name carries.
            heading = page.locator("h1").text_content() or ""
            found = MARKER.search(heading)
            if found is None and page.locator("pre.evidence-text").count():
                # A note's page: its heading is a date; its text starts with its chunk's first payload.
                found = MARKER.search(page.locator("pre.evidence-text").text_content() or "")
            if found:
                p = CORPUS[int(found.group(1))]
                codes = {"F": "FUKJI", "L": "L"}.get(found.group(2), found.group(2))
                view.expected = [p.marker(c) for c in codes]
                if found.group(2) == "N":  # a note holds NOTE_CHUNK payloads, in order
                    start = payloads.index(p)
                    view.expected = [q.marker("N") for q in payloads[start : start + NOTE_CHUNK]]
                check = page.evaluate(SCAN, [allowed, view.expected])
                view.missing = check["missing"]
            # A chat export's page shows no text preview: its messages are checked on the analysis.
    del by_marker
    # Each file name and URL is on one page of the list: all of them, over the pages.
    listed = "".join(page.request.get(url).text() for url in pages)
    views[0].expected = every
    views[0].missing = [m for m in every if m not in listed]
    # The analysis filtered on each chat: every message of it is a signal, every author listed.
    page.goto(base + "/coffre/analyse")
    analysis_html = page.content()
    chat_ids = re.findall(r'value="(\w+)"[^>]*>\s*groupe-(\d+)\.txt', analysis_html)
    for chat_id, number in chat_ids:
        chunk = made["chats"][int(number)]
        view = View(f"analysis of groupe-{number}", base + "/coffre/analyse", [p.marker(c) for p in chunk for c in "TA"])
        for bucket in events.values():
            bucket.clear()
        page.goto(base + "/coffre/analyse")
        page.select_option("#chat", chat_id) if page.locator("#chat").count() else None
        page.locator("form:has(#chat) button[type=submit]").first.click()
        page.wait_for_load_state("load")
        result = page.evaluate(SCAN, [allowed, view.expected])
        view.injected, view.missing = result["found"], result["missing"]
        view.csp = result["csp"] + list(events["console_csp"])
        view.dialogs, view.foreign = list(events["dialogs"]), list(events["foreign"])
        views.append(view)
    for kind, values in letter_fields(payloads).items():
        expected = sorted({m.group(0) for v in values.values() for m in MARKER.finditer(v)})
        view = View(f"letter preview {kind}", f"{base}/coffre/lettres/{kind}", expected)
        visit(page, view, allowed, events, post=values)
        views.append(view)
    context.close()
    server.should_exit = True
    thread.join(timeout=5)
    return Run(payloads, views, refused, time.monotonic() - started)


@pytest.fixture(
    scope="module",
    params=[pytest.param("sample", id="sample"), pytest.param("corpus", id="corpus", marks=pytest.mark.deep)],
)
def harness(request: pytest.FixtureRequest, browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Run:
    payloads = sample(150) if request.param == "sample" else CORPUS
    return run_harness(browser, payloads, tmp_path_factory.mktemp(f"xss-{request.param}"))


def explain(marker_text: str) -> str:
    """``XSS0042T`` → the payload, its family and the field, for a failure message."""
    out = []
    for m in MARKER.finditer(marker_text):
        p = CORPUS[int(m.group(1))]
        out.append(f"{m.group(0)} = payload {p.index} ({p.family}) {p.template!r} in the {FIELDS.get(m.group(2), '?')}")
    return "; ".join(dict.fromkeys(out))


def report(views: list[View], attribute: str) -> list[str]:
    lines = []
    for view in views:
        for entry in getattr(view, attribute):
            lines.append(f"[{view.name}] {entry} {explain(entry)}".strip())
    return lines


def test_the_corpus_is_large_and_covers_every_family() -> None:
    assert len(CORPUS) >= 1000
    assert len({p.template for p in CORPUS}) == len(CORPUS)
    assert set(FAMILIES) == {"naughty", "tag", "evasion", "polyglot", "template", "url", "svg", "bidi"}
    chosen = sample(150)
    assert len(chosen) == 150 and {p.family for p in chosen} == set(FAMILIES)
    assert chosen == sample(150)  # deterministic


def test_every_field_was_accepted(harness: Run) -> None:
    assert harness.refused == []


def test_every_view_was_visited(harness: Run) -> None:
    names = {v.name.split(" ")[0] for v in harness.views}
    assert {"list", "item", "journal", "analysis", "dossier", "letters", "letter", "verification"} <= names
    assert sum(v.name.startswith("letter preview") for v in harness.views) == len(load_letter_templates().templates)
    assert any(v.name.startswith("analysis of") for v in harness.views)


def test_no_dialog_opens(harness: Run) -> None:
    assert report(harness.views, "dialogs") == []


def test_no_request_leaves_the_app(harness: Run) -> None:
    assert report(harness.views, "foreign") == []


def test_no_csp_violation(harness: Run) -> None:
    assert report(harness.views, "csp") == []


def test_no_element_or_attribute_is_injected(harness: Run) -> None:
    assert report(harness.views, "injected") == []


def test_every_payload_is_shown_as_text(harness: Run) -> None:
    assert report(harness.views, "missing") == []
    shown = {m for v in harness.views for m in v.expected}
    for p in harness.payloads:  # each text field of each payload was looked for
        assert {p.marker(c) for c in FIELDS if c not in "FUKJILG"} <= shown, p.index
    assert len({m for m in shown if m.endswith("F")}) >= len(harness.payloads) // 3
