"""Which backlink brought each client: the history of their activations.

Orders and Backlinks both credit an order to the client's latest
backlink:active with a lower seq than the order's first event.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from projections.payloads import Activation


class Activations:
    """Each client's backlink activations, in seq order."""

    __slots__ = ("_seqs", "_backlinks")

    def __init__(self) -> None:
        self._seqs: dict[str, list[int]] = {}
        self._backlinks: dict[str, list[str]] = {}

    def record(self, activation: Activation, seq: int) -> None:
        """Remember an activation; one without client or backlink is moot."""
        psid, backlink = activation.psid, activation.backlink
        if psid is None or backlink is None:
            return
        seqs = self._seqs.get(psid)
        if seqs is None:
            self._seqs[psid] = [seq]
            self._backlinks[psid] = [backlink]
        elif seqs[-1] <= seq:
            seqs.append(seq)
            self._backlinks[psid].append(backlink)
        else:
            # The log is folded in seq order; this keeps the history right
            # even for a caller that does not.
            index = bisect_right(seqs, seq)
            seqs.insert(index, seq)
            self._backlinks[psid].insert(index, backlink)

    def latest_before(self, psid: str | None, seq: int) -> str | None:
        """Return the client's latest backlink activated before ``seq``."""
        if psid is None:
            return None
        seqs = self._seqs.get(psid)
        if seqs is None:
            return None
        if seqs[-1] < seq:
            return self._backlinks[psid][-1]
        index = bisect_left(seqs, seq)
        return self._backlinks[psid][index - 1] if index else None
