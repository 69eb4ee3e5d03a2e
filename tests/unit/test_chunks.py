"""The one chunking helper: consecutive pieces, in order, none empty, the last shorter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nianbao.core.chunks import chunked


@given(st.lists(st.integers()), st.integers(1, 20))
def test_pieces_put_back_together_are_the_items(items: list[int], size: int) -> None:
    pieces = chunked(items, size)
    assert [x for piece in pieces for x in piece] == items
    assert all(len(piece) == size for piece in pieces[:-1])
    assert all(0 < len(piece) <= size for piece in pieces)
    assert len(pieces) == -(-len(items) // size)


def test_a_tuple_comes_back_as_lists_and_a_size_below_one_is_refused() -> None:
    assert chunked((1, 2, 3), 2) == [[1, 2], [3]]
    with pytest.raises(ValueError, match="at least 1"):
        chunked([1], 0)
