"""Render printable HTML (the dossier, the letters) to PDF/A-3b with WeasyPrint 70.

What this module guarantees, whatever the HTML contains:

- **Nothing is fetched from outside.** Every resource WeasyPrint wants (stylesheets, images,
  fonts, SVG sub-resources, attachments) goes through one URL fetcher, which serves only
  ``recours-static:<name>`` (a file of ``recours/web/static`` with a printable type),
  ``data:`` images, and the attachments given to :func:`render_pdf`. Any other URL — http(s),
  ftp, file, javascript, a relative path, a ``..`` — is refused, counted in a
  :class:`PdfReport` and logged by reason only, never by URL: harassers' URLs are evidence.
  WeasyPrint's documentation advises exactly this for untrusted input ("use a custom URL
  fetcher", https://doc.courtbouillon.org/weasyprint/stable/first_steps.html#security).
- **Nothing can act.** Links to other documents become plain text: only links inside the
  document (``href="#…"``, a ``/Dest`` with no action) stay clickable. So the PDF holds no
  ``/URI``, ``/Launch``, ``/JavaScript``, ``/SubmitForm`` or ``/OpenAction`` (ISO 32000-1
  §12.6). A harasser's URL printed in a dossier must not be one click away for the police
  officer or lawyer who reads it; it stays readable and copyable as text.
- **Archival and accessible.** PDF/A-3b (ISO 19005-3), which allows the attached
  ``manifest.json`` (§6.8), tagged for assistive technologies (``pdf_tags=True``), with the
  document language and title in the catalogue and the XMP metadata.
- **Reproducible.** Same input, same bytes: the dates come from ``created``, the file
  identifier is derived from the input, attachments carry fixed dates. The dossier bundle
  hashes the PDF, so a second export of an unchanged case gives the same hash.

Why ``pdf/a-3b`` and not ``pdf/ua-1``: WeasyPrint takes one variant; PDF/A-3 is the one that
allows embedded files. We still tag the PDF, set ``/Lang``, the title and
``DisplayDocTitle`` (what WeasyPrint's own PDF/UA variant adds), but we do not claim PDF/UA
conformance in the XMP: no PDF/UA validator (veraPDF, PAC) has checked our output yet.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote_to_bytes

from recours.errors import RecoursError

log = logging.getLogger(__name__)

#: The scheme of the project's packaged assets, as written in the templates:
#: ``<link rel="stylesheet" href="recours-static:print.css">``. A private scheme rather than a
#: file path or an http base URL: no other URL can be mistaken for it, and relative URLs in
#: the HTML stay unresolvable (no base URL is given), so they are never fetched at all.
STATIC_SCHEME = "recours-static"
#: Attachments are handed to WeasyPrint as ``recours-attachment:<index>`` so that they go
#: through the same fetcher, which also gives WeasyPrint their media type.
_ATTACHMENT_SCHEME = "recours-attachment"

STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"

# What a printed document may load from the static folder: never htmx.min.js or recours.js.
_STATIC_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
# data: URIs are accepted for images only (our thumbnails and matplotlib charts). A data: URI
# stylesheet, font or HTML is refused: fonts come from fontconfig, styles from print.css.
_DATA_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"})
# One path segment: a plain file or folder name, no dot-segment, no escape, no encoding.
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9.+-]*):")
_INDEX = re.compile(r"0|[1-9][0-9]{0,5}")  # ASCII only: str.isdigit() also accepts "١"
# RFC 6838 §4.2 restricted-name, lower case (WeasyPrint writes it into the PDF as a name).
_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
# ISO 32000-2:2020 §7.11.3, table 43: the values of /AFRelationship.
_RELATIONSHIPS = frozenset(
    {"Source", "Data", "Alternative", "Supplement", "EncryptedPayload", "FormData", "Schema", "Unspecified"}
)

_PDF_VARIANT = "pdf/a-3b"


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF (PDF/A-3 "associated file"), e.g. ``manifest.json``.

    ``relationship`` is the /AFRelationship of ISO 32000-2 §7.11.3: ``Data`` suits the
    manifest (the machine-readable form of what the pages show).
    """

    name: str
    data: bytes
    description: str
    mime_type: str
    relationship: str = "Data"

    def __post_init__(self) -> None:
        if not self.name or any(c in self.name for c in "/\\") or not self.name.isprintable():
            raise ValueError("an attachment name is a plain, printable file name")
        if not _MIME.fullmatch(self.mime_type):
            raise ValueError("an attachment media type is type/subtype in lower case")
        if self.relationship not in _RELATIONSHIPS:
            raise ValueError(f"unknown AFRelationship: {self.relationship}")


@dataclass
class PdfReport:
    """What one render loaded, refused and could not draw — never a URL or a word of the
    document (they may be a harasser's).

    ``served`` lists ``static:<name>``, ``data:<type>`` and ``attachment:<index>`` in order;
    ``refused`` counts refusals by reason, e.g. ``scheme:https``, ``static:path``;
    ``missing_characters`` counts the distinct characters no installed font could draw
    (printed as an empty box, the .notdef glyph).
    """

    served: list[str] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    missing_characters: int = 0

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())


class RefusedResource(ValueError):
    """A URL the PDF renderer will not load. The message is the reason, never the URL."""


@dataclass(frozen=True)
class Resource:
    body: bytes
    mime_type: str


def resolve(url: str, attachments: Sequence[PdfAttachment] = ()) -> tuple[Resource, str]:
    """The bytes behind ``url`` and what to log as served, or :class:`RefusedResource`.

    Pure policy, no WeasyPrint: the fetcher below only adapts it to WeasyPrint's interface.
    """
    match = _SCHEME.match(url)
    if match is None:
        # A relative URL cannot reach us (no base URL is given), except through a hostile
        # <base href>; either way there is nothing of ours to serve.
        raise RefusedResource("relative")
    scheme = match[1].lower()
    rest = url[match.end() :]
    if scheme == STATIC_SCHEME:
        return _static(rest)
    if scheme == "data":
        return _data_image(rest)
    if scheme == _ATTACHMENT_SCHEME and _INDEX.fullmatch(rest) and int(rest) < len(attachments):
        attachment = attachments[int(rest)]
        return Resource(attachment.data, attachment.mime_type), f"attachment:{int(rest)}"
    # Only well-known schemes are named in the log, so that a crafted scheme carries nothing.
    known = {"http", "https", "ftp", "file", "javascript", "vbscript", "blob", "about", "mailto", "tel"}
    raise RefusedResource(f"scheme:{scheme if scheme in known else 'other'}")


def _static(name: str) -> tuple[Resource, str]:
    segments = name.split("/")
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):
        # Also catches "", "/x", "..", "%2e%2e", "a\\b", "x?query", "x#fragment".
        raise RefusedResource("static:path")
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in _STATIC_TYPES:
        raise RefusedResource("static:type")
    base = STATIC_DIR.resolve()
    path = base.joinpath(*segments).resolve()
    # A symlink inside static/ must not lead out of it.
    if not path.is_relative_to(base) or not path.is_file():
        raise RefusedResource("static:missing")
    return Resource(path.read_bytes(), _STATIC_TYPES[suffix]), f"static:{name}"


def _data_image(rest: str) -> tuple[Resource, str]:
    # RFC 2397: data:[<mediatype>][;base64],<data>
    header, comma, payload = rest.partition(",")
    if not comma:
        raise RefusedResource("data:malformed")
    parameters = [part.strip().lower() for part in header.split(";")]
    mime_type = parameters[0] or "text/plain"
    if mime_type not in _DATA_IMAGE_TYPES:
        raise RefusedResource("data:type")
    try:
        if parameters[-1] == "base64":
            body = base64.b64decode(payload, validate=True)
        else:
            body = unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise RefusedResource("data:malformed") from None
    return Resource(body, mime_type), f"data:{mime_type}"


@cache
def _weasyprint() -> Any:
    """Import WeasyPrint on first use: it loads Pango, which `recours serve` does not need."""
    try:
        import weasyprint
    except OSError as error:  # cffi could not load libpango / libgobject
        raise RecoursError(
            "La création du PDF a besoin de Pango (paquets Debian libpango-1.0-0 et libpangoft2-1.0-0).",
            "Making the PDF needs Pango (Debian packages libpango-1.0-0 and libpangoft2-1.0-0).",
            details=[type(error).__name__],
        ) from None
    _withhold_weasyprint_details()
    _cache_page_references()
    return weasyprint


def _cache_page_references() -> None:
    """pydyf's ``PDF.page_references`` builds a tuple of every page each time it is read, and
    WeasyPrint's tagging (pdf/tags.py) reads it once per tagged element: a 1,000-page dossier
    spent 15 s there, a time that grows with the square of the pages. The same tuple, kept
    while the page list does not grow (pages are only ever appended)."""
    import pydyf

    original = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(original, property) or original.fget is None:
        return  # another pydyf: leave it as it is
    compute = original.fget

    def page_references(pdf: Any) -> Any:
        count = len(pdf.pages["Kids"])
        kept = pdf.__dict__.get("_recours_page_references")
        if kept is None or kept[0] != count:
            kept = pdf.__dict__["_recours_page_references"] = (count, compute(pdf))
        return kept[1]

    pydyf.PDF.page_references = property(page_references)


@cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PolicyFetcher(URLFetcher):  # type: ignore[misc]
        """WeasyPrint's fetcher interface (weasyprint.urls.URLFetcher, "URL Fetchers" in its
        docs) over :func:`resolve`. ``super().fetch`` — the network — is never called."""

        def __init__(self, attachments: Sequence[PdfAttachment], report: PdfReport) -> None:
            # fail_on_errors=False: a refusal must not stop the dossier; it is counted.
            super().__init__(allowed_protocols=(), fail_on_errors=False)
            self._attachments = attachments
            self._log = report

        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Any:
            try:
                resource, served = resolve(url, self._attachments)
            except RefusedResource as refusal:
                self._log.refused[str(refusal)] += 1
                raise
            self._log.served.append(served)
            return URLFetcherResponse(url, resource.body, {"Content-Type": resource.mime_type})

    return PolicyFetcher


class _WithholdArguments(logging.Filter):
    """WeasyPrint logs the URL it failed to load and the CSS it ignored ("Failed to load image
    at %r"). In hostile HTML those are the harasser's words: keep WeasyPrint's own wording,
    drop the arguments and tracebacks, so that no case data reaches a log."""

    _conversion = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = self._conversion.sub(
                lambda found: "%" if found[0] == "%%" else "…", str(record.msg)
            )
            record.args = None
        record.exc_info = None
        record.exc_text = None
        return True


_WITHHOLD = _WithholdArguments()


def _withhold_weasyprint_details() -> None:
    for name in ("weasyprint", "weasyprint.progress"):
        logger = logging.getLogger(name)
        if _WITHHOLD not in logger.filters:
            logger.addFilter(_WITHHOLD)


def _identifier(html: str, lang: str, title: str, created: str, attachments: Sequence[PdfAttachment]) -> bytes:
    """The first half of the trailer /ID (ISO 32000-1 §14.4: "a permanent identifier based on
    the contents of the file at the time it was originally created"), derived from our input
    so that it is stable; hex, as pydyf writes its own MD5-based second half."""
    digest = hashlib.sha256()
    for part in (html, lang, title, created):
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    for attachment in attachments:
        for value in (attachment.name, attachment.description, attachment.mime_type, attachment.relationship):
            encoded = value.encode("utf-8")
            digest.update(len(encoded).to_bytes(8, "big") + encoded)
        digest.update(len(attachment.data).to_bytes(8, "big") + attachment.data)
    return digest.hexdigest()[:32].encode("ascii")


def render_pdf(
    html: str,
    *,
    lang: str,
    title: str,
    created: datetime,
    attachments: Sequence[PdfAttachment] = (),
    report: PdfReport | None = None,
) -> bytes:
    """PDF/A-3b bytes of ``html``, tagged, with ``attachments`` embedded.

    ``html`` comes from an autoescaping template (``pdf/base.html``); this function is the
    second line of defence if it does not. ``lang`` (BCP 47) and ``title`` override what the
    HTML says. ``created`` (time zone aware) is the creation and modification date of the
    PDF and of its attachments: pass the dossier's time, not the clock, for reproducible
    bytes. ``report`` receives what was loaded and refused (tests, diagnostics).
    """
    offset = created.utcoffset()
    if offset is None:
        raise ValueError("created must be time zone aware")
    weasyprint = _weasyprint()
    report = report if report is not None else PdfReport()
    fetcher = _fetcher_class()(attachments, report)
    moment = created.replace(microsecond=0)
    if offset % timedelta(minutes=1):
        # W3C-DTF offsets are hours and minutes (historic zones had seconds, e.g. LMT).
        moment = moment.astimezone(UTC)
    w3c_date = moment.isoformat()  # W3C-DTF, as WeasyPrint's DocumentMetadata expects
    options: dict[str, Any] = {
        "pdf_variant": _PDF_VARIANT,
        # Tagging is a separate option from the variant (WeasyPrint API reference, "pdf_tags").
        "pdf_tags": True,
        "pdf_identifier": _identifier(html, lang, title, w3c_date, attachments),
        # Forms would become AcroForm fields, and <button formaction> a /SubmitForm action.
        "pdf_forms": False,
        "custom_metadata": False,
    }
    try:
        # base_url=None: relative URLs stay unresolved, so WeasyPrint does not even try them.
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).render(**options)
    except RecoursError:
        raise
    except Exception as error:
        raise RecoursError(
            "Le document n’a pas pu être mis en page pour le PDF.",
            "The document could not be laid out as a PDF.",
            details=[type(error).__name__],
        ) from error

    # Only links inside the document stay links (a /Dest, no action); the rest is text.
    # Page.links is WeasyPrint's public list of (type, target, rectangle, box).
    for page in document.pages:
        page.links[:] = [link for link in page.links if link[0] == "internal"]
        page.forms.clear()

    # The metadata is ours, not the HTML's: a hostile <meta> or <link rel=attachment> in the
    # document must not reach the catalogue, and the dates must not come from the clock.
    metadata = document.metadata
    metadata.title = title
    metadata.lang = lang
    metadata.authors = []
    metadata.description = None
    metadata.keywords = []
    metadata.generator = "Recours"
    metadata.created = w3c_date
    metadata.modified = w3c_date
    metadata.custom = {}
    metadata.xmp_metadata = []
    utc = moment.astimezone(UTC)
    metadata.attachments = [
        weasyprint.Attachment(
            url=f"{_ATTACHMENT_SCHEME}:{index}",
            url_fetcher=fetcher,
            name=attachment.name,
            description=attachment.description,
            # WeasyPrint writes these as D:…Z without converting: give it UTC.
            created=utc.replace(tzinfo=None),
            modified=utc.replace(tzinfo=None),
            relationship=attachment.relationship,
        )
        for index, attachment in enumerate(attachments)
    ]
    try:
        with warnings.catch_warnings():
            # WeasyPrint 70 opens its sRGB profile for the PDF/A output intent and never closes
            # it (pdf/__init__.py, generate_pdf: files(...).open('rb') handed to Pillow). The
            # file is read whole and released at once; only that warning is silenced.
            warnings.filterwarnings("ignore", r"unclosed file .*sRGB2014\.icc", ResourceWarning)
            pdf: bytes = document.write_pdf(finisher=_finish, **options)
    except RecoursError:
        raise
    except Exception as error:
        raise RecoursError(
            "Le PDF n’a pas pu être écrit.",
            "The PDF could not be written.",
            details=[type(error).__name__],
        ) from error

    if any(f"attachment:{index}" not in report.served for index in range(len(attachments))):
        raise RecoursError(
            "Une pièce jointe n’a pas pu être intégrée au PDF.",
            "An attachment could not be embedded in the PDF.",
        )
    _check_fonts(document, report)
    if report.refused:
        # Reasons and counts only: the URLs may be a harasser's.
        log.warning("PDF: %d resource(s) refused: %s", report.refused_total, dict(report.refused))
    return pdf


# Keys that make a PDF act: document and page actions, JavaScript, links out, forms
# (ISO 32000-1 §12.6 actions, §12.6.3 trigger events, §12.7 interactive forms).
_ACTIVE_KEYS = frozenset({"OpenAction", "AA", "JS", "JavaScript", "URI", "Launch", "AcroForm", "XFA"})


def _finish(document: Any, pdf: Any) -> None:
    """WeasyPrint's ``finisher`` hook (Document.write_pdf): runs on the pydyf.PDF object
    after every object is built, before the file is written.

    - WeasyPrint 70's PDF/A step lists each attachment twice in the catalogue's /AF (once
      from the EmbeddedFiles name tree, once from the file specifications): keep one.
    - Fail closed if anything able to act got in despite the link and form filtering above,
      e.g. after a WeasyPrint upgrade: a dossier that can act is not produced at all.
    """
    associated = pdf.catalog.get("AF")
    if associated is not None:
        associated[:] = list(dict.fromkeys(associated))
    for pdf_object in pdf.objects:
        if not isinstance(pdf_object, dict):
            continue
        active = _ACTIVE_KEYS.intersection(pdf_object)
        is_action = pdf_object.get("Type") == "/Action"
        bad_annotation = pdf_object.get("Type") == "/Annot" and (
            pdf_object.get("Subtype") != "/Link" or "A" in pdf_object
        )
        if active or is_action or bad_annotation:
            raise RecoursError(
                "Le PDF contiendrait une action ou un lien externe ; il n’a pas été créé.",
                "The PDF would contain an action or an external link; it was not created.",
                details=sorted(active) or ["action" if is_action else "annotation"],
            )


def _check_fonts(document: Any, report: PdfReport) -> None:
    """Count what the fonts could not draw, and warn when fontconfig did not find DejaVu.

    ``Document.fonts`` (filled while the PDF is written) maps each font used to WeasyPrint's
    font object; ``missing`` holds the characters it drew as .notdef. Such a character also
    makes WeasyPrint give that font an embedded /Encoding CMap instead of Identity-H, which
    pypdf 7.1 does not read (its text of the whole font comes out garbled; the /ToUnicode map
    is right, so a complete reader such as poppler still extracts it): one more reason for the
    dossier to show such characters as code points rather than boxes.
    """
    fonts = list(getattr(document, "fonts", {}).values())
    report.missing_characters = sum(len(getattr(font, "missing", {})) for font in fonts)
    if report.missing_characters:
        log.warning("PDF: %d character(s) have no glyph in the installed fonts", report.missing_characters)
    families = {str(getattr(font, "family", "")) for font in fonts}
    if families and not any(family.startswith("DejaVu") for family in families):
        # Debian fonts-dejavu-core: print.css is designed for its metrics and coverage.
        log.warning("PDF: DejaVu fonts not found by fontconfig; install fonts-dejavu-core")
