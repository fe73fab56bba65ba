"""Chat exports: the common record every parser produces, and the parsers (pure functions)."""
