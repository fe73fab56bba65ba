"""How the records of one import are stored: one JSON document of columns (one list per field).

Why columns in one document rather than a row per message: a 200,000-message export is then
one ``json.dumps`` and one ``json.loads`` in C (≈ 0.1 s each), not 200,000 objects built one by
one; and its SHA-256, kept in the custody log, is simply the digest of the stored text.

The document is ASCII JSON (``ensure_ascii``): a lone surrogate, which some JSON exports carry,
survives the round trip instead of failing to encode.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from recours.domain.chat import model
from recours.domain.chat.model import ChatEntry, ParsedExport

# Version 2 writes the author and kind columns coded (``_coded``); version 1 documents, with
# every column a plain list, are still read.
FORMAT_VERSION = 2
_READ_VERSIONS = (1, 2)
# The fields of ChatEntry, in its order, then what an import adds.
ENTRY_FIELDS = model.ENTRY_FIELDS
FIELDS = (*ENTRY_FIELDS, "attachment_items")
# Columns added after documents of this version were first written (message ids, for replies):
# a document stored before has none, and reads as if no record had an id, which was true.
ADDED_LATER = ("source_id", "reply_to")
_REQUIRED = frozenset(FIELDS) - frozenset(ADDED_LATER)

Columns = model.Columns


def of_export(parsed: ParsedExport) -> Columns:
    """The records of a parse as they are stored: its columns (shared, not copied: read only),
    and no attachment linked to a vault item yet. ``attachments`` holds tuples, which JSON
    writes as arrays, as it writes the lists that :func:`decode` gives back."""
    parsed_columns = parsed.columns()
    columns = {name: parsed_columns[name] for name in ENTRY_FIELDS}  # in the stored order
    columns["attachment_items"] = [None] * len(columns["timestamp"])
    return columns


def columns_of(entries: Sequence[ChatEntry]) -> Columns:
    """The entries as columns; timestamps become ISO 8601 text with their UTC offset, attachments
    lists (as :func:`decode` gives them)."""
    columns = model.columns_of(entries)
    columns["attachments"] = [list(names) for names in columns["attachments"]]
    columns["attachment_items"] = [None] * len(entries)
    return columns


def count(columns: Columns) -> int:
    return len(columns["timestamp"])


def encode(columns: Columns) -> str:
    coded = {name: _coded(column) if name in CODED else column for name, column in columns.items()}
    return json.dumps({"version": FORMAT_VERSION, "columns": coded}, separators=(",", ":"))


# Columns with few distinct values (a chat's authors, the kinds of record): each is written as
# its distinct values and one character a record, the code of its value. 200,000 authors then
# take 0.2 MB instead of 2 MB, are read in 6 ms instead of 13, and are the same few objects in
# memory, whose hashes Python computes once (counting them per author goes twice as fast).
CODED = ("author", "kind")
_FIRST_CODE = 0x30  # the code of the first value is "0", of the next "1"…: ASCII up to 80 values
# A code must not be a surrogate (U+D800 on): a column with more values than that stays a list.
_MOST_VALUES_CODED = 0xD800 - _FIRST_CODE


def _coded(column: list[Any]) -> dict[str, Any] | list[Any]:
    values = list(dict.fromkeys(column))
    if len(values) > _MOST_VALUES_CODED:
        return column
    code = {value: chr(_FIRST_CODE + k) for k, value in enumerate(values)}
    return {"values": values, "codes": "".join(map(code.__getitem__, column))}


def _uncoded(column: Any) -> list[Any]:
    """A column as :func:`_coded` wrote it (or a plain list), as a list; ValueError if neither."""
    if isinstance(column, list):
        return column
    if not isinstance(column, dict) or set(column) != {"values", "codes"}:
        raise ValueError("not a column")
    values, codes = column["values"], column["codes"]
    if not isinstance(values, list) or not isinstance(codes, str):
        raise ValueError("not a column")
    end = _FIRST_CODE + len(values)  # past the last code
    by_code = [None] * _FIRST_CODE + values  # index ``ord(code)`` holds its value
    # The codes checked and looked up in C-level passes (min() and max() would be 5 ms).
    if end <= 256:  # up to 208 values: the codes are bytes
        try:
            data = codes.encode("latin-1")
        except UnicodeEncodeError:
            raise ValueError("a code without its value") from None
        if data.translate(None, bytes(range(_FIRST_CODE, end))):  # what is left is no code
            raise ValueError("a code without its value")
        return list(map(by_code.__getitem__, data))
    outside = re.compile(f"[^{re.escape(chr(_FIRST_CODE))}-{re.escape(chr(end - 1))}]")
    if outside.search(codes):
        raise ValueError("a code without its value")
    return list(map(by_code.__getitem__, map(ord, codes)))


def digest(document: str) -> str:
    """SHA-256 of a stored document, as the custody log keeps it (its text is ASCII; a document
    altered with other characters still gets a digest, which then does not match)."""
    return hashlib.sha256(document.encode("utf-8", "surrogatepass")).hexdigest()


def decode(document: str) -> Columns:
    """The columns of a stored document; ValueError if it is not one."""
    value = json.loads(document)
    if not isinstance(value, dict) or value.get("version") not in _READ_VERSIONS:
        raise ValueError("not a records document")
    columns = value.get("columns")
    if not isinstance(columns, dict) or not _REQUIRED <= set(columns) <= set(FIELDS):
        raise ValueError("missing columns")
    for name in CODED:
        columns[name] = _uncoded(columns[name])
    lengths = {len(column) for column in columns.values() if isinstance(column, list)}
    if len(lengths) != 1 or not all(isinstance(column, list) for column in columns.values()):
        raise ValueError("ragged columns")
    (n,) = lengths
    for name in ADDED_LATER:
        if name not in columns:
            columns[name] = [None] * n
    return columns


def decode_columns(document: str, names: Sequence[str]) -> Columns:
    """Only the columns ``names`` of a stored document (the analysis reads 6 of 14: a third less
    to decode), checked as :func:`decode` checks them; ValueError if it is not one.

    Each column is found by its key, in the order ``encode`` writes them, and decoded alone. In
    JSON, a quote that is not escaped opens or closes a string, and only a key's closing quote is
    followed by a colon; the columns hold strings, numbers, null and lists, the coded ones an
    object keyed ``values`` and ``codes`` (no column's name), and the last one,
    ``attachment_items``, objects keyed by file names. So the first ``"text":`` before that
    column is the key of the text column. A document where a key is not found there (one stored
    before a column existed) is decoded whole.
    """
    if not document.startswith(_HEADS):
        raise ValueError("not a records document")
    wanted = set(names)
    if not wanted <= set(FIELDS):
        raise ValueError("unknown columns")
    columns: Columns = {}
    at = document.index("{", 1) + 1  # after the head
    for name in (field for field in FIELDS if field in wanted):
        key = f'"{name}":'
        found = document.find(key, at)
        if found == -1 or document.find(_OBJECTS_KEY, at, found) != -1:
            whole = decode(document)
            return {name: whole[name] for name in names}
        column, at = _DECODER.raw_decode(document, found + len(key))
        if name in CODED:
            column = _uncoded(column)
        elif not isinstance(column, list):
            raise ValueError("ragged columns")
        columns[name] = column
    if len({len(column) for column in columns.values()}) > 1:
        raise ValueError("ragged columns")
    return columns


_DECODER = json.JSONDecoder()
# How ``encode`` begins every document (compact separators, the version first), by version.
_HEADS = tuple(f'{{"version":{version},"columns":{{' for version in _READ_VERSIONS)
_OBJECTS_KEY = f'"{FIELDS[-1]}":'  # the last column, the only one holding objects


def keys(columns: Columns) -> Iterator[tuple[str, str | None, str]]:
    """What makes two records the same message when a later export of the chat is imported:
    the same time, author and text. Record by record."""
    return zip(columns["timestamp"], columns["author"], columns["text"], strict=True)


def take(columns: Columns, indices: Sequence[int]) -> Columns:
    """Only the records at ``indices``, in that order."""
    return {name: [column[i] for i in indices] for name, column in columns.items()}


def as_dicts(columns: Columns) -> list[dict[str, Any]]:
    """The records one by one, in the shape of :meth:`ChatEntry.as_json` (plus
    ``attachment_items`` for zip exports). Slow on big chats: for display and tests."""
    records = []
    for row in zip(*(columns[name] for name in FIELDS), strict=True):
        value = dict(zip(FIELDS, row, strict=True))
        first, last, pointer, items = (
            value.pop("first_line"),
            value.pop("last_line"),
            value.pop("pointer"),
            value.pop("attachment_items"),
        )
        if pointer is not None:
            value["pointer"] = pointer
        else:
            value["lines"] = [first, last]
        for name in ADDED_LATER:  # only when known, as ChatEntry.as_json writes them
            if value[name] is None:
                del value[name]
        if items is not None:
            value["attachment_items"] = items
        records.append(value)
    return records
