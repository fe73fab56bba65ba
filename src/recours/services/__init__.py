"""Use cases shared by a CLI command and its web route."""
