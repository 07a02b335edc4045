"""Two versions of one card (one id: the same body and marks) made one, against the base.

Labels and sightings are unions: the same card cut by two debaters is one card seen by both.
The tag and the cite are compared with what both sides had at the last sync (the base): a
side that changed one wins it; both changed it, differently, is a conflict, and the winner
(the pushed card on the server, the server's card on a pull) takes it. The loser's value is
never dropped: the server keeps it in `history`, a pull leaves the local file in the trash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from evcards.remote.cardrow import cite_key
from evcards.remote.state import Base

if TYPE_CHECKING:
    from evcards.core.models import Card


@dataclass
class Merged:
    card: Card
    conflicts: list[str]  # 'tag', 'cite': changed on both sides, the loser's value replaced


def merge(winner: Card, loser: Card, base: Base | None, winner_is_local: bool) -> Merged:
    """`winner`'s card (its undertag, location, kind) with the tag and cite each side's
    changes give, and the union of both sides' labels and sightings."""
    from evcards.core.labels import fold_all

    local, server = (winner, loser) if winner_is_local else (loser, winner)
    update: dict[str, object] = {}
    conflicts: list[str] = []
    for field, key in (("tag", lambda c: c.tag), ("cite", cite_key)):
        here, there = key(local), key(server)
        if here == there:
            continue
        was = None if base is None else (base.tag if field == "tag" else base.cite)
        changed_here, changed_there = was is None or here != was, was is None or there != was
        if changed_here and changed_there:
            conflicts.append(field)
            continue  # the winner's value stands
        source = local if changed_here else server
        update[field] = getattr(source, field)
    known = {(s.file, s.position) for s in winner.sources}
    extra = [s for s in loser.sources if (s.file, s.position) not in known]
    update["sources"] = [*winner.sources, *extra]
    update["labels"] = fold_all([*winner.labels, *loser.labels])
    return Merged(winner.model_copy(update=update), conflicts)


def loser_value(loser: Card, field: str) -> str:
    """What a conflict replaced, as the history table keeps it."""
    return loser.tag if field == "tag" else cite_key(loser)
