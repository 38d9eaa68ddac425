"""Existential clauses that count what a named thing has.

Construction (rule ``existential``; confidence in :class:`~memcubedb.config.extraction.RuleConfidence`):
"there" + "be" + a quantity of things + "at"/"in"/"on" + a name says the name has that many:

* "There are 45 floors at 200 Public Square" → (200 Public Square, have, 45 floors);
* "In the hotel there are 23 floors" reads the same when the place is a name.

Only a typed quantity is read ("there are two cats in my house" stays unread): a count is a
value of the place, a bare noun would be a guess at possession.
"""

from __future__ import annotations

from spacy.tokens import Token

from memcubedb.extraction.arguments import ArgumentReader
from memcubedb.extraction.triples import EntityType, Mention

#: prepositions by which an existential clause places what it counts
_PLACING = frozenset({"at", "in", "on"})


class ExistentialReader(ArgumentReader):
    """The ``existential`` rule over the Doc bound by :meth:`ArgumentReader.bind`."""

    def _existentials(self) -> None:
        """Emit (place, have, quantity) for every existential clause with a counted quantity."""
        for tok in self._doc:
            if tok.lemma_ == "be" and any(c.dep_ == "expl" for c in tok.children):
                self._existential(tok)

    def _existential(self, verb: Token) -> None:
        counted = [c for c in verb.children if c.dep_ in self.g.scheme.subject | self.g.scheme.attribute]
        for noun in counted:
            value = self._m.get(noun)
            if value is None or value.type != EntityType.LITERAL or value.start not in self._m.literals:
                continue
            place = self._place_after(value)
            if place is not None:
                self._emit(place, "have", value, "existential", verb, negated=self.g.negated(verb))

    def _place_after(self, value: Mention) -> Mention | None:
        """The name right after the counted quantity and its preposition ("45 floors *at 200 Public
        Square* in Cleveland"), read from the words: the parser hangs the phrases anywhere."""
        span = self._doc.char_span(value.start, value.end, alignment_mode="expand")
        k = span.end if span is not None else len(self._doc)
        if k >= len(self._doc) or self._doc[k].lower_ not in _PLACING:
            return None
        for tok in self._doc[k + 1 : k + 4]:
            mention = self._m.get(tok)
            if mention is not None and mention.named:
                return mention
        return None
