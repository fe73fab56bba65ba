"""Find a free local port: 8000, or the next one that is free."""

from __future__ import annotations

import socket

from recours.errors import RecoursError


def first_free_port(host: str, start: int, tries: int = 50) -> int:
    for port in range(start, min(start + tries, 65536)):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise RecoursError(
        f"Aucun port libre entre {start} et {start + tries - 1}. Fermez une autre application ou "
        "choisissez un port avec --port.",
        f"No free port between {start} and {start + tries - 1}. Close another application or "
        "choose a port with --port.",
    )
