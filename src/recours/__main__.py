"""``python -m recours`` is the ``recours`` command."""

from recours.cli.main import entry

entry()
