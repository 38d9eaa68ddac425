"""Lists of "where" clauses read from the surface: "Italy, where the capital is Rome, the leader is
Sergio Mattarella and Italians are an ethnic group" → (Italy, capital, Rome), (Italy, leader,
Sergio Mattarella), (Italy, ethnic group, Italians).

A place followed by "where" and a run of short copular clauses — each "[the] N is X" or "X is
[a|the|one of the] N", with N a common noun phrase and X a name, a list of names or a value,
joined by commas, "and" or "and where" — gives one attribute fact (place, N, X) per name. A small
parser hangs the second and later clauses anywhere (a clause's subject taken for the previous
clause's conjunct, a name for the subject of the next copula); the dependency rules of
:mod:`memcubedb.extraction.relations` read the first clause, :class:`WhereClauseReader` the run.
A clause of another shape (a verb, "there are …") ends the run.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from memcubedb.extraction.arguments import VALUES, ArgumentReader
from memcubedb.extraction.mentions import MentionIndex
from memcubedb.extraction.triples import Mention, Triple

#: finite forms of "be" that link a clause's two sides
_COPULAS = frozenset({"is", "are", "was", "were"})
#: words that only introduce a noun phrase
_DETERMINERS = frozenset({"the", "a", "an", "its", "their"})
#: words between two clauses of the run
_JOINERS = frozenset({",", "and", "where"})


class WhereClauseReader(ArgumentReader):
    """Reads every run of "where" clauses of a Doc when it is bound (see module doc)."""

    def bind(self, doc: Doc, mentions: MentionIndex) -> dict[tuple[str, str, str, bool], Triple]:
        out = super().bind(doc, mentions)
        for token in doc:
            if token.lower_ == "where" and token.i > 0 and (place := self._named_before(token.i)) is not None:
                self._where_run(self._m.get(place), token.i + 1, token.sent.end)  # type: ignore[arg-type]
        return out

    def _where_run(self, place: Mention, k: int, end: int) -> None:
        doc = self._doc
        while k < end:
            cop = next((j for j in range(k, end) if doc[j].lower_ in _COPULAS), None)
            if cop is None:
                return
            left = self._side(k, cop)
            right_end = self._clause_end(cop + 1, end)
            right = self._side(cop + 1, right_end)
            if left is None or right is None:
                return
            (noun, names) = (left, right) if isinstance(left, Token) else (right, left)
            if not isinstance(noun, Token) or isinstance(names, Token):
                return
            for name in names:
                self._emit(place, self._word(noun), name, "attribute", noun)
            k = right_end
            while k < end and doc[k].lower_ in _JOINERS:
                k += 1
            if k == right_end:
                return

    def _clause_end(self, k: int, end: int) -> int:
        """Where the side after a copula ends: at a comma or "and" that a new clause follows."""
        doc = self._doc
        for j in range(k, end):
            if doc[j].text in {".", ";", "("}:
                return j
            if doc[j].text == "," or doc[j].lower_ == "and":
                nxt = next(
                    (t for t in range(j + 1, end) if doc[t].lower_ in _COPULAS or doc[t].text in {",", "."}), None
                )
                if nxt is not None and doc[nxt].lower_ in _COPULAS:
                    return j
        return end

    def _side(self, start: int, stop: int) -> Token | list[Mention] | None:
        """One side of a clause: the head of a common noun phrase ("the official language",
        "one of the ethnic groups"), or the names (or value) it lists, or None."""
        doc = self._doc
        k = start
        while k < stop and (doc[k].lower_ in _DETERMINERS or doc[k].like_num or doc[k].lower_ == "of"):
            k += 1
        if k >= stop:
            return None
        words = doc[k:stop]
        if all(t.is_lower and t.pos_ in {"NOUN", "ADJ", "VERB"} for t in words):
            nouns = [t for t in words if t.pos_ == "NOUN"]
            return nouns[-1] if nouns else None
        names: list[Mention] = []
        j = k
        while j < stop:
            mention = self._m.get(doc[j])
            span = self._own(mention)
            if mention is None or span is None or span.start < k or span.end > stop:
                return None
            if not (mention.named or mention.type in VALUES):
                return None
            names.append(mention)
            j = span.end
            while j < stop and (doc[j].text == "," or doc[j].lower_ in {"and", "the"}):
                j += 1
        return names or None

    def _own(self, mention: Mention | None) -> Span | None:
        if mention is None or mention.via is not None:
            return None
        return self._doc.char_span(mention.start, mention.end, alignment_mode="expand")
