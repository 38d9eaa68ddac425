"""Lists of "where" clauses read from the surface: "Italy, where the capital is Rome, the leader is
Sergio Mattarella and Italians are an ethnic group" → (Italy, capital, Rome), (Italy, leader,
Sergio Mattarella), (Italy, ethnic group, Italians).

A place followed by "where" and a run of short copular clauses — each "[the] N is X" or "X is
[a|the|one of the] N", with N a common noun phrase and X a name, a list of names or a value
("the people are called Spaniards": a naming participle is skipped), joined by commas, "and" or
"and where" — gives one attribute fact (place, N, X) per name; "there is an N called X" the
same; "X is VBN" (place, VBN, X) ("where Spanish is spoken"), except for a participle that
places X in the place, (X, located in, place) ("where Albany is located"). A small
parser hangs the second and later clauses anywhere (a clause's subject taken for the previous
clause's conjunct, a name for the subject of the next copula); the dependency rules of
:mod:`memcubedb.extraction.relations` read the first clause, :class:`WhereClauseReader` the run.
A clause of another shape (a verb, "there are …") ends the run. "whose" opens a run as "where"
does ("Spain, whose leader is Felipe VI and Euro is its currency"). A sentence opening "In <place>,"
("In the United States, English is the language and Asian Americans are an ethnic group") starts
such a run too.
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
#: relative words that open a run on the name before them ("Italy, *where* the capital is Rome",
#: "Canada, *whose* anthem is O Canada and its leader is Elizabeth II")
_OPENERS = frozenset({"where", "whose"})
#: participles by which a clause names its subject ("the people are *called* Spaniards")
_NAMING = frozenset({"called", "named", "known", "referred", "termed"})
#: participles that place their subject in the place ("where Albany is *located*"): (X, located in, place)
_LOCATIVE = frozenset({"located", "situated", "based", "found", "headquartered"})
#: words between two clauses of the run
_JOINERS = frozenset({",", "and", "where"})


class WhereClauseReader(ArgumentReader):
    """Reads every run of "where" clauses of a Doc when it is bound (see module doc)."""

    def bind(self, doc: Doc, mentions: MentionIndex) -> dict[tuple[str, str, str, bool], Triple]:
        out = super().bind(doc, mentions)
        for token in doc:
            if token.lower_ in _OPENERS and token.i > 0 and (place := self._named_before(token.i)) is not None:
                self._where_run(self._m.get(place), token.i + 1, token.sent.end)  # type: ignore[arg-type]
            elif token.is_sent_start and token.lower_ == "in" and (fronted := self._fronted_place(token)) is not None:
                self._where_run(fronted[0], fronted[1], token.sent.end)
        return out

    def _fronted_place(self, token: Token) -> tuple[Mention, int] | None:
        """The place of a sentence opening "In <place>," and where its clauses start."""
        doc = self._doc
        k = token.i + 1
        while k < len(doc) and doc[k].lower_ == "the":
            k += 1
        place = self._m.get(doc[k]) if k < len(doc) else None
        span = self._own(place)
        if place is None or span is None or not place.named or span.end >= len(doc) or doc[span.end].text != ",":
            return None
        return place, span.end + 1

    def _where_run(self, place: Mention, k: int, end: int) -> None:
        doc = self._doc
        while k < end:
            cop = next((j for j in range(k, end) if doc[j].lower_ in _COPULAS), None)
            if cop is None:
                return
            right_end = self._clause_end(cop + 1, end)
            if not self._clause(place, k, cop, right_end):
                return
            k = right_end
            while k < end and doc[k].lower_ in _JOINERS:
                k += 1
            if k == right_end:
                return

    def _clause(self, place: Mention, k: int, cop: int, end: int) -> bool:
        """Emit the facts of one clause ``doc[k:end]`` with its copula at ``cop``; False when the
        clause has none of the shapes read (the run ends there)."""
        doc = self._doc
        words = [t for t in doc[cop + 1 : end] if t.lower_ != "also"]
        if doc[k].lower_ == "there":  # "there is an ethnic group called X", "there are leaders called X and Y"
            naming = next((t.i for t in words if t.lower_ in _NAMING), None)
            noun = self._side(cop + 1, naming) if naming is not None else None
            names = self._side(naming, end) if naming is not None else None
            return self._attributes(place, noun, names)
        left = self._side(k, cop)
        if isinstance(left, list) and len(words) == 1 and words[0].tag_ == "VBN":
            participle = words[0].lower_  # "where Spanish is spoken", "where Albany is located"
            for name in left:
                if participle in _LOCATIVE:
                    self._emit(name, f"{participle} in", place, "prepositional", words[0])
                else:
                    self._emit(place, participle, name, "attribute", words[0])
            return True
        right = self._side(cop + 1, end)
        if isinstance(left, Token):
            return self._attributes(place, left, right)
        return self._attributes(place, right, left)

    def _attributes(self, place: Mention, noun: object, names: object) -> bool:
        """(place, N, X) for each name; "the currency is the euro" (a common noun as the value)
        gives (place, currency, euro)."""
        if isinstance(noun, Token) and isinstance(names, Token):
            names = [m] if (m := self._m.get(names)) is not None else None
        if not isinstance(noun, Token) or not isinstance(names, list):
            return False
        for name in names:
            self._emit(place, self._word(noun), name, "attribute", noun)
        return True

    def _clause_end(self, k: int, end: int) -> int:
        """Where the side after a copula ends: at a comma or "and" that a new clause follows (a
        side, then a copula)."""
        doc = self._doc
        for j in range(k, end):
            if doc[j].text in {".", ";", "("}:
                return j
            if doc[j].text == "," or doc[j].lower_ == "and":
                start = j + 1
                while start < end and doc[start].lower_ in _JOINERS:
                    start += 1
                cop = next((t for t in range(start, end) if doc[t].lower_ in _COPULAS), None)
                if cop is not None and (doc[start].lower_ == "there" or self._side(start, cop) is not None):
                    return j
        return end

    def _side(self, start: int, stop: int) -> Token | list[Mention] | None:
        """One side of a clause: the head of a common noun phrase ("the official language",
        "one of the ethnic groups"), or the names (or value) it lists, or None."""
        doc = self._doc
        k = start
        while k < stop and (doc[k].lower_ in _DETERMINERS or doc[k].like_num or doc[k].lower_ in {"of", ","}):
            k += 1
        if k < stop and doc[k].lower_ in _NAMING:  # "are called Spaniards", "are referred to as Americans"
            k += 1
            while k < stop and doc[k].lower_ in {"to", "as"}:
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
