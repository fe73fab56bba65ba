"""Hypothesis strategies shared by the tests of the JSON chat parsers."""

from __future__ import annotations

from hypothesis import strategies as st


def json_documents(keys: list[str], max_leaves: int = 25) -> st.SearchStrategy[object]:
    """Arbitrary JSON values whose objects use ``keys``: close enough to an export to go deep."""
    leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(keys), inner, max_size=5),
        max_leaves=max_leaves,
    )
