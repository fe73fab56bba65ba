"""Streaming uploads: multipart bodies parsed as they arrive, files fed straight to the encryptor.

Starlette's ``request.form()`` spools any file over 1 MiB to a *plaintext* temporary file
(research/libs.md §2); evidence must never touch the disk unencrypted. Here the body is
parsed chunk by chunk with python-multipart, and each file part is piped into a thread that
encrypts it into the vault as it comes. Small text fields (the CSRF token, tags, a note) are
collected in memory, and must come *before* the files in the form, so that the token and the
"intimate images" answer are known before a single byte of a file is stored.
"""

from __future__ import annotations

import asyncio
import queue
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

MAX_FIELD = 64 * 1024
MAX_FIELDS = 32


class UploadRefused(Exception):
    """The upload cannot go on (bad form, bad token, refused content)."""


_ABORTED = b"\x00aborted"


class _Pipe:
    """A blocking file-like ``read`` fed by the parser: the encryptor's source.

    An upload cut short must not become a shorter item: :meth:`abort` makes the next read
    raise, so the encryptor gives up and its temporary file is removed.
    """

    def __init__(self) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=64)
        self._buffer = b""
        self._closed = False

    def feed(self, data: bytes) -> None:
        self._queue.put(data)

    def close(self) -> None:
        self._queue.put(None)

    def abort(self) -> None:
        self._queue.put(_ABORTED)

    def read(self, size: int = -1) -> bytes:
        while not self._closed and (size < 0 or len(self._buffer) < size):
            chunk = self._queue.get()
            if chunk is _ABORTED:
                raise UploadRefused("upload interrupted")
            if chunk is None:
                self._closed = True
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


@dataclass
class _Part:
    name: str = ""
    filename: str | None = None
    value: bytearray = field(default_factory=bytearray)
    pipe: _Pipe | None = None
    job: Future[Any] | None = None


@dataclass
class StreamedForm:
    fields: dict[str, list[str]]
    results: list[Any]


async def stream_form(
    request: Request,
    before_files: Callable[[dict[str, list[str]]], None],
    store_file: Callable[[str, _Pipe], Any],
) -> StreamedForm:
    """Parse a multipart POST. ``before_files`` sees the text fields seen before the first file
    (and may raise :class:`UploadRefused`); ``store_file(filename, source)`` runs in a thread
    for each file and its results are returned in order."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UploadRefused("not multipart")
    loop = asyncio.get_running_loop()
    # The parser runs in a worker thread (feeding a full pipe waits); files are encrypted in
    # threads of their own, started from there.
    workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="recours-upload")
    fields: dict[str, list[str]] = {}
    parts: list[_Part] = []
    pipes: list[_Pipe] = []
    header: dict[str, bytes] = {}
    current: dict[str, Any] = {"part": None, "field": b"", "value": b"", "checked": False}

    def on_part_begin() -> None:
        current["part"] = _Part()
        header.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        current["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        current["value"] += data[start:end]

    def on_header_end() -> None:
        header[current["field"].decode("latin-1").lower()] = current["value"]
        current["field"], current["value"] = b"", b""

    def on_headers_finished() -> None:
        part: _Part = current["part"]
        _, disposition = parse_options_header(header.get("content-disposition", b""))
        part.name = disposition.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = disposition.get(b"filename")
        if raw_filename is not None:
            part.filename = raw_filename.decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1]
            if not current["checked"]:
                before_files(fields)
                current["checked"] = True
            if part.filename:
                part.pipe = _Pipe()
                pipes.append(part.pipe)
                part.job = workers.submit(store_file, part.filename, part.pipe)

    def on_part_data(data: bytes, start: int, end: int) -> None:
        part: _Part = current["part"]
        if part.pipe is not None:
            part.pipe.feed(bytes(data[start:end]))
        elif part.filename is None:
            part.value += data[start:end]
            if len(part.value) > MAX_FIELD:
                raise UploadRefused("field too large")

    def on_part_end() -> None:
        part: _Part = current["part"]
        if part.pipe is not None:
            part.pipe.close()
            parts.append(part)
        elif part.filename is None:
            if sum(len(v) for v in fields.values()) >= MAX_FIELDS:
                raise UploadRefused("too many fields")
            fields.setdefault(part.name, []).append(part.value.decode("utf-8", "replace"))

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        async for chunk in request.stream():
            await loop.run_in_executor(None, parser.write, chunk)
        parser.finalize()
        if not current["checked"]:
            before_files(fields)
        results = [await asyncio.wrap_future(part.job) for part in parts if part.job is not None]
    except BaseException:
        for pipe in pipes:
            pipe.abort()
        raise
    finally:
        workers.shutdown(wait=False)
    return StreamedForm(fields=fields, results=results)
