"""Measure phrases: a quantity said of a clause's subject through the words after it.

Construction (rule ``measure``; confidence in :class:`~memcubedb.config.extraction.RuleConfidence`):
a quantity followed by a dimension adjective, "in" + a dimension noun, or a reference level
(:func:`memcubedb.extraction.literals.measure`) is a value of the subject of the clause it stands
in, whatever the parser hung the quantity on (the object of "located", the subject of "is", a
modifier of "level" or of the adjective):

* "Alex Plante is 1.9304m tall" → (Alex Plante, height, 1.9304 m ``xsd:decimal``);
* "It is 5.4 m in diameter" → (it, diameter, 5.4 m); "is 1411.0 in length" → (…, length, 1411.0);
* "The airport is 546 metres above sea level" → (airport, is above sea level, 546 metres);
  "is located 167.94 metres above sea level" → (…, located above sea level, 167.94 metres);
  "lies 268.0 above sea level" → (…, lie above sea level, 268.0).

A measure said of a noun on the way to the clause ("has an elevation of 210 metres above sea
level") is that noun's value and left to the ``attribute`` rule; other rules do not take a
measured quantity as their object (the measure rule says what it measures).
"""

from __future__ import annotations

from spacy.tokens import Token

from memcubedb.extraction.arguments import ArgumentReader
from memcubedb.extraction.grammar import is_noun
from memcubedb.extraction.literals import Measure
from memcubedb.extraction.mentions import verb_lemma
from memcubedb.extraction.triples import Mention

#: how far up the parse a measured quantity's clause is looked for (quantity → unit → level → verb)
_MAX_STEPS = 5


class MeasureReader(ArgumentReader):
    """The ``measure`` rule over the Doc bound by :meth:`ArgumentReader.bind`."""

    def _measures(self) -> None:
        """Emit one fact per measured quantity whose clause has a subject."""
        for start, measured in self._m.measures.items():
            value = self._m.literals.get(start)
            span = self._doc.char_span(start, start + 1, alignment_mode="expand")
            mention = self._m.get(span[0]) if span is not None and value is not None else None
            if mention is not None and span is not None:
                self._measure(span[0], mention, measured)

    def _measure(self, first: Token, value: Mention, measured: Measure) -> None:
        inside = range(first.i, measured.end)
        clause, subjects = first, self._clause_subjects(first, inside)
        for _ in range(_MAX_STEPS):
            if subjects or clause.head == clause:
                break
            clause = clause.head
            if clause.i not in inside and (is_noun(clause) or clause.pos_ == "PROPN"):
                break  # "an elevation of 210 metres above sea level": the noun's value (attribute rule)
            subjects = self._clause_subjects(clause, inside)
        verb = self._verb_before(first)
        if not subjects and verb is not None and (named := self._named_before(verb.i)) is not None:
            subjects, clause = [named], verb  # "Al Asad Airbase[ROOT] is 618 ft[appos] above sea level"
        if not subjects:
            return
        verb = verb or clause
        held = self._doc[measured.end] if measured.end < len(self._doc) else None
        if measured.attribute is not None and held is not None and held.pos_ == "NOUN":
            if verb.lemma_ != "have":
                return  # "a 30 m long bridge" measures the bridge
            pred = f"{held.lemma_.lower()} {measured.attribute}"  # "has a 4,349 kilometers long runway"
        elif measured.attribute is not None:
            pred = measured.attribute
        elif verb.i in inside or verb.lemma_ == "be" or self.g.copula(verb) is not None:
            pred = f"is {measured.phrase}"
        elif verb.pos_ in {"VERB", "AUX"}:
            passive = verb.tag_ == "VBN" and bool(self.g.passive_subjects(verb) or self._auxiliary_passive(verb))
            pred = f"{verb.lower_ if passive else verb_lemma(verb)} {measured.phrase}"
        else:
            return
        negated = self.g.negated(clause)
        for subject in subjects:
            self._emit(self._m.get(subject), pred, value, "measure", clause, negated=negated)

    def _clause_subjects(self, head: Token, inside: range) -> list[Token]:
        """The subjects of the clause ``head`` heads (copular, active, passive, or shared with a
        coordinated or relativised clause), none of them inside the measure phrase."""
        if self.g.copula(head) is not None:
            found = self._copula_subjects(head)
        else:
            found = self.g.subjects(head) or self.g.passive_subjects(head)
        if not found and (head.pos_ in {"VERB", "AUX"} or self.g.copula(head) is not None):
            found = self._subjects(head)
        return [s for s in found if s.i not in inside]

    def _verb_before(self, first: Token) -> Token | None:
        """The verb right before the quantity ("*is* 12 metres above", "*located* 280 metres
        above"): it says how the measure holds, whichever clause the parser hung the quantity in
        ("X, operated by Y, is 12 metres above sea level")."""
        before = self._doc[first.i - 1] if first.i > 0 else None
        if before is None or before.pos_ not in {"VERB", "AUX"}:
            return None
        return before

    @staticmethod
    def _auxiliary_passive(verb: Token) -> bool:
        return any(c.dep_ in {"aux:pass", "auxpass"} for c in verb.children)
