"""Open the user's browser, only where a graphical one can exist.

On a Linux machine without a display, ``webbrowser`` falls back to text browsers (lynx,
w3m) that would take over the terminal that shows the URL: we do not open anything there.
"""

from __future__ import annotations

import os
import sys
import webbrowser


def can_open_browser() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_browser(url: str) -> None:
    try:
        webbrowser.open(url, new=2)
    except webbrowser.Error:
        return
