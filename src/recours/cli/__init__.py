"""The ``recours`` command line (Typer + rich). One module per command group."""
