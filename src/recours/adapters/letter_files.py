"""Letter templates from ``recours/data/letters``, and a filled letter as DOCX and as HTML.

The templates load like the rest of the knowledge (``adapters/knowledge.py``): TOML through
``tomllib``, validated by the domain models, a broken file reported as a bug in Recours.

The DOCX is for editing in a word processor before sending (python-docx, research/libs.md
§7); its bytes depend only on the letter: the package's dates, the ZIP entries' times and
attributes are fixed, so the same letter always gives the same file and its hash can be
recorded. The HTML fragment is shared by the web preview and the PDF renderer: escaped, no
inline style, no script (ARCHITECTURE.md, security baseline).
"""

from __future__ import annotations

import tomllib
import zipfile
from datetime import UTC, datetime
from functools import lru_cache
from html import escape
from importlib import resources
from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from pydantic import ValidationError

from recours.adapters.knowledge import broken_data_file
from recours.domain.letters import (
    Bullets,
    FormField,
    Heading,
    Letter,
    LetterBlock,
    LetterTemplate,
    LetterTemplates,
    Line,
    Paragraph,
    Span,
)

# ---------------------------------------------------------------------------------------------
# Templates.
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def load_letter_templates() -> LetterTemplates:
    """Parse and validate every letter template once per process."""
    folder = resources.files("recours") / "data" / "letters"
    templates = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".toml"):
            continue
        name = f"letters/{path.name}"
        try:
            template = LetterTemplate.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, ValidationError) as exc:
            raise broken_data_file(name, str(exc)) from exc
        if template.id != path.name.removesuffix(".toml"):
            raise broken_data_file(name, f"the file name must be the id {template.id!r}")
        templates.append(template)
    try:
        return LetterTemplates(templates=templates)
    except ValidationError as exc:
        raise broken_data_file("letters/", str(exc)) from exc


# ---------------------------------------------------------------------------------------------
# DOCX.
# ---------------------------------------------------------------------------------------------

# Any fixed instant will do: the document's real date is the one written in the letter.
_FIXED_TIME = datetime(2000, 1, 1, tzinfo=UTC)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a ZIP entry can hold
_LANGUAGE = {"fr": "fr-FR", "en": "en-GB"}
_HANDWRITING = "_" * 60


def letter_docx(letter: Letter) -> bytes:
    """The letter as a Word document: headings, paragraphs, bullet lists, and each blank
    highlighted in yellow so that none is missed. Same letter, same bytes."""
    document = Document()
    _set_page(document)
    _set_language(document, _LANGUAGE[letter.lang])
    _set_properties(document, letter)
    if letter.show_title:
        document.add_paragraph(letter.title, style="Title")
    if letter.sender:
        _add_lines(document.add_paragraph(), letter.sender)
    if letter.recipient:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(9)  # the French place of the recipient
        _add_lines(paragraph, letter.recipient)
    for block in letter.blocks:
        _add_block(document, block)
    buffer = BytesIO()
    document.save(buffer)
    return _stable_zip(buffer.getvalue())


def _set_page(document: Any) -> None:
    # A4 with 2.5 cm margins: python-docx's default template is US Letter.
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)


def _set_language(document: Any, language: str) -> None:
    """Mark the text's language so that the word processor checks the right spelling."""
    properties = document.styles["Normal"].element.get_or_add_rPr()
    element = properties.find(qn("w:lang"))
    if element is None:
        element = OxmlElement("w:lang")
        properties.append(element)
    element.set(qn("w:val"), language)


def _set_properties(document: Any, letter: Letter) -> None:
    # Every property that python-docx or its template would fill with a time or a name.
    core = document.core_properties
    core.title = letter.title
    core.subject = ""
    core.author = ""
    core.last_modified_by = ""
    core.comments = ""
    core.keywords = ""
    core.category = ""
    core.language = _LANGUAGE[letter.lang]
    core.revision = 1
    core.created = _FIXED_TIME
    core.modified = _FIXED_TIME
    core.last_printed = _FIXED_TIME


def _add_spans(paragraph: Any, line: Line) -> None:
    for span in line:
        run = paragraph.add_run(span.text)  # python-docx turns "\n" into a line break
        if span.kind == "blank":
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            run.bold = True


def _add_lines(paragraph: Any, lines: tuple[Line, ...]) -> None:
    for number, line in enumerate(lines):
        if number:
            paragraph.add_run().add_break()
        _add_spans(paragraph, line)


def _add_block(document: Any, block: LetterBlock) -> None:
    if isinstance(block, Heading):
        _add_spans(document.add_paragraph(style="Heading 2"), block.text)
    elif isinstance(block, Paragraph):
        _add_spans(document.add_paragraph(), block.text)
    elif isinstance(block, Bullets):
        if block.label is not None:
            _add_spans(document.add_paragraph(), block.label)
        for item in block.items:
            _add_spans(document.add_paragraph(style="List Bullet"), item)
    elif isinstance(block, FormField):
        paragraph = document.add_paragraph()
        for span in block.label:
            paragraph.add_run(span.text).bold = True
        paragraph.add_run(block.separator)
        _add_spans(paragraph, block.value)
        for _ in range(block.lines):
            document.add_paragraph(_HANDWRITING)
    else:
        _add_spans(document.add_paragraph(), block.label)
        document.add_paragraph()
        document.add_paragraph()
        _add_spans(document.add_paragraph(), block.name)


def _stable_zip(data: bytes) -> bytes:
    """The same package with fixed entry times and attributes (python-docx stamps each entry
    with the current time), entries in the order python-docx wrote them."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# HTML fragment (web preview, PDF).
# ---------------------------------------------------------------------------------------------


def _html_text(text: str) -> str:
    return escape(text, quote=True).replace("\n", "<br>")


def _html_line(line: Line) -> str:
    return "".join(_html_span(span) for span in line)


def _html_span(span: Span) -> str:
    if span.kind == "blank":
        return f'<mark class="letter-blank">{_html_text(span.text)}</mark>'
    if span.kind == "value":
        # <bdi>: a value written right-to-left, or holding bidi controls, cannot reorder
        # the words of the letter around it.
        return f"<bdi>{_html_text(span.text)}</bdi>"
    return _html_text(span.text)


def _html_lines(lines: tuple[Line, ...]) -> str:
    return "<br>".join(_html_line(line) for line in lines)


def letter_html(letter: Letter, *, preview: bool = True) -> str:
    """The letter as a semantic HTML fragment: ``<article lang>`` with h1/h2, p, ul and dl.

    ``preview`` adds the document's title as ``<h1>`` for a letter, whose title is not part
    of what is sent (the PDF of a letter passes ``preview=False``); a form or crib sheet
    always shows its title. Blanks are ``<mark class="letter-blank">``.
    """
    rows = [f'<article lang="{letter.lang}" class="letter letter-{escape(letter.kind)}">']
    if preview or letter.show_title:
        rows.append(f"<h1>{_html_text(letter.title)}</h1>")
    if letter.sender:
        rows.append(f'<address class="letter-sender">{_html_lines(letter.sender)}</address>')
    if letter.recipient:
        rows.append(f'<p class="letter-recipient">{_html_lines(letter.recipient)}</p>')
    in_fields = False
    for block in letter.blocks:
        if isinstance(block, FormField) != in_fields:
            rows.append('<dl class="letter-fields">' if not in_fields else "</dl>")
            in_fields = not in_fields
        rows.extend(_html_block(block))
    if in_fields:
        rows.append("</dl>")
    rows.append("</article>")
    return "\n".join(rows) + "\n"


def _html_block(block: LetterBlock) -> list[str]:
    if isinstance(block, Heading):
        return [f"<h2>{_html_line(block.text)}</h2>"]
    if isinstance(block, Paragraph):
        return [f"<p>{_html_line(block.text)}</p>"]
    if isinstance(block, Bullets):
        rows = [] if block.label is None else [f"<p>{_html_line(block.label)}</p>"]
        rows.append("<ul>")
        rows.extend(f"<li>{_html_line(item)}</li>" for item in block.items)
        rows.append("</ul>")
        return rows
    if isinstance(block, FormField):
        handwriting = ' class="letter-handwriting"' if block.lines else ""
        return [f"<dt>{_html_line(block.label)}</dt>", f"<dd{handwriting}>{_html_line(block.value)}</dd>"]
    return [
        '<div class="letter-signature">',
        f"<p>{_html_line(block.label)}</p>",
        f"<p>{_html_line(block.name)}</p>",
        "</div>",
    ]
