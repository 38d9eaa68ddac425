"""Origins set off after a name: "Name, from Place, …".

Construction (rule ``copula``, as "X is from Y" reads): a "from" phrase set off by commas right
after a name says where the name comes from, whatever the parser hung it on (the stand-in makes
the place a conjunct of the name or a modifier of a later noun):

* "Ajoblanco, from Andalusia, has almond as one of its ingredients" → (Ajoblanco, is from, Andalusia);
* "Agnes Kant, from the Netherlands, where the leader is Mark Rutte, worked as …" → (Agnes Kant,
  is from, Netherlands).

The phrase must close with a comma (or the sentence) right after its name: "Bob, from what I
hear, …" names no place and is not read.
"""

from __future__ import annotations

from memcubedb.extraction.arguments import ArgumentReader
from memcubedb.extraction.triples import Mention


class OriginReader(ArgumentReader):
    """Set-off origins over the Doc bound by :meth:`ArgumentReader.bind`."""

    def _origins(self) -> None:
        """Emit (name, is from, place) for every "Name, from Place," in the Doc."""
        doc = self._doc
        for tok in doc:
            if tok.lower_ != "from" or tok.i < 2 or doc[tok.i - 1].text != ",":
                continue
            named = self._m.get(doc[tok.i - 2])
            place = self._place_at(tok.i + 1)
            if named is not None and named.named and place is not None and place.name != named.name:
                self._emit(named, "is from", place, "copula", tok)

    def _place_at(self, k: int) -> Mention | None:
        """The name starting at token ``k`` (after an optional "the") when a comma or the
        sentence's end follows it."""
        doc = self._doc
        if k < len(doc) and doc[k].lower_ == "the":
            k += 1
        place = self._m.get(doc[k]) if k < len(doc) else None
        if place is None or not place.named:
            return None
        span = doc.char_span(place.start, place.end, alignment_mode="expand")
        after = doc[span.end] if span is not None and span.end < len(doc) else None
        return place if after is None or after.text in {",", ".", ";"} else None
