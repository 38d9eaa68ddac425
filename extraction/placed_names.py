"""Names placed by a following "in"/"at" phrase.

Construction (rule ``placed_name``; confidence in :class:`~memcubedb.config.extraction.RuleConfidence`):
a name directly followed by "in" or "at" and a place name says where the named thing is:

* "The Baku Turkish Martyrs' Memorial in Azerbaijan was designed by …" → (Baku Turkish Martyrs'
  Memorial, is in, Azerbaijan);
* "It was assembled at Kenosha in Wisconsin" → (Kenosha, is in, Wisconsin);
* "3Arena at East Link Bridge is owned by …" → (3Arena, is in, East Link Bridge).

On WebNLG dev (stand-in pipeline) 47 of the 118 pairs added after "in" and 3 of the 4 after "at"
matched a gold pair; most of the rest are true but not in the gold ("Labour Party in Argentina").

Read from the words, not the tree: the parser hangs the phrase on the name, on its verb or
anywhere. Only a place name that begins right after the preposition (or its "the") is read ("Alice in
Wonderland" has none; "in which" none either), and
only a name before it (a common noun, "the team at Acme", is the ``noun_modifier`` rule's).
"""

from __future__ import annotations

from spacy.tokens import Token

from memcubedb.extraction.arguments import ArgumentReader
from memcubedb.extraction.triples import EntityType, Mention

#: prepositions that place the name right before them
_PLACING = frozenset({"in", "at"})


class PlacedNameReader(ArgumentReader):
    """The ``placed_name`` rule over the Doc bound by :meth:`ArgumentReader.bind`."""

    def _placed_names(self) -> None:
        """Emit (name, is in, place) for every name directly followed by "in"/"at" and a place name."""
        seen: set[int] = set()
        for tok in self._doc:
            name = self._m.get(tok)
            if name is None or not name.named or name.start in seen:
                continue
            seen.add(name.start)
            place = self._place_named_after(name)
            if place is not None and place.start != name.start:
                self._emit(name, "is in", place, "placed_name", tok)

    def _place_named_after(self, name: Mention) -> Mention | None:
        span = self._doc.char_span(name.start, name.end, alignment_mode="expand")
        k = span.end if span is not None else len(self._doc)
        if k + 1 >= len(self._doc) or self._doc[k].lower_ not in _PLACING:
            return None
        nxt: Token = self._doc[k + 1]
        if nxt.lower_ == "the" and k + 2 < len(self._doc):
            nxt = self._doc[k + 2]
        place = self._m.get(nxt)
        if place is None or not place.named or place.type != EntityType.PLACE or place.start != nxt.idx:
            return None
        return place
