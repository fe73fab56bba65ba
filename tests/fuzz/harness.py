"""One fuzz target under atheris (libFuzzer): ``python -m tests.fuzz.harness TARGET [libFuzzer flags]``.

The code under test (Recours, and the pure-Python standard modules it reads files with) is
instrumented for coverage; any exception other than the target's typed error is a crash, and
libFuzzer saves the input (``-artifact_prefix``). ``tests/fuzz/run_all.py`` runs every target.
"""

from __future__ import annotations

import sys

import atheris

# zipfile, email and csv are pure Python: instrumenting them guides the fuzzer through the
# archive, mail and CSV structures that the parsers build on.
with atheris.instrument_imports(include=["recours", "zipfile", "email", "csv"]):
    from tests.fuzz.targets import TARGETS


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: python -m tests.fuzz.harness {{{','.join(TARGETS)}}} [libFuzzer flags]")
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target.one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
