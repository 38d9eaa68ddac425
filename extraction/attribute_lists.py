"""Lists of attributes with their values, read from the surface after an attribute fact.

Construction (rule ``attribute``): an owner's attribute fact whose value is a literal — "X has
an orbital period of 8788850000.0", "X has the ISBN number 0-439-92550-9" — followed by more
"N of V" or "the N V" pairs joined by commas or "and" is a list of attributes of the same owner:

* "X has an orbital period of 8788850000.0 and a periapsis of 6155910000000.0" →
  (X, orbital period, 8788850000.0), (X, periapsis, 6155910000000.0);
* "X has a mass of 5.6 kgs, orbital period of 8788850000, periapsis of 6155910000000, and an
  epoch of the 31st of December, 2006" → four facts;
* "X has the ISBN number 978-0-15-204770-2 and the OCLC number 318875313" → two facts;
* "X had its first voyage August 11, 2005 and its last flight on December 18, 2009" →
  (X, first voyage, 2005-08-11), (X, last flight on, 2009-12-18).

A small parser hangs the second noun anywhere (a conjunct of the first value, of the verb, of
"second" in "kilometres per second", a parataxis), so the list is read from the words: a
separator, an optional determiner or possessive, up to four words ending in a noun, then "of" +
a value, "on"/"in" + a date, or (for codes and numbers) the value right after the noun. A
separator followed by a verb ("… and is 210 metres above sea level") ends the list.
"""

from __future__ import annotations

from spacy.tokens import Token

from memcubedb.extraction.arguments import ArgumentReader
from memcubedb.extraction.triples import EntityType, Mention, Triple

#: words that join the pairs of a list
_SEPARATORS = frozenset({",", ";", "and"})
#: words that may open a pair's noun phrase
_DETERMINERS = frozenset({"a", "an", "the", "its", "their", "his", "her"})
#: prepositions by which a listed attribute takes a date ("and its last flight *on* 18 December 2009")
_DATING = frozenset({"on", "in"})
#: the most words a pair's attribute noun phrase has ("an *average surface temperature* of …")
_MAX_WORDS = 4


class AttributeListReader(ArgumentReader):
    """The attribute-list rule over the Doc bound by :meth:`ArgumentReader.bind`."""

    def _attribute_lists(self) -> None:
        """Extend every attribute fact with a literal value by the pairs listed after it."""
        for triple in list(self._out.values()):
            if triple.rule == "attribute" and triple.object.start in self._m.literals:
                self._continue_list(triple)

    def _continue_list(self, triple: Triple) -> None:
        value = triple.object
        while True:
            found = self._next_pair(self._token_after(value))
            if found is None:
                return
            words, value, anchor = found
            self._emit(triple.subject, words, value, "attribute", anchor, negated=triple.negated,
                       valid_from=triple.valid_from)  # fmt: skip

    def _token_after(self, mention: Mention) -> int:
        """The index of the first token after ``mention``."""
        span = self._doc.char_span(mention.start, mention.end, alignment_mode="expand")
        return span.end if span is not None else len(self._doc)

    def _next_pair(self, k: int) -> tuple[str, Mention, Token] | None:
        """The ``(attribute words, value, value's token)`` pair listed at token ``k``, if one is."""
        doc = self._doc
        end = doc[k - 1].sent.end if k > 0 else len(doc)
        start = k
        while k < end and doc[k].lower_ in _SEPARATORS:
            k += 1
        if k == start or k >= end:
            return None
        if doc[k].lower_ in _DETERMINERS:
            k += 1
        words: list[Token] = []
        while k < end and len(words) < _MAX_WORDS and self._attribute_word(doc[k]):
            words.append(doc[k])
            k += 1
        if not words or words[-1].pos_ not in {"NOUN", "PROPN", "ADJ"} or k >= end:
            return None
        prep = doc[k].lower_ if doc[k].lower_ in {"of", *_DATING} else None
        if prep is not None:
            k += 1
            while k < end and doc[k].lower_ == "the":
                k += 1
        value = self._m.get(doc[k]) if k < end else None
        if value is None or value.start not in self._m.literals or not (prep or value.name[:1].isdigit()):
            return None
        if prep in _DATING and value.type != EntityType.DATE:
            return None
        said = " ".join(t.lower_ for t in words)
        return (f"{said} {prep}" if prep in _DATING else said), value, doc[k]

    def _attribute_word(self, tok: Token) -> bool:
        """A word of an attribute's noun phrase: a lower-case word or an acronym ("ISBN"), not a
        verb, not a value, not "of"."""
        if tok.lower_ == "of" or not tok.is_alpha or tok.pos_ in {"VERB", "AUX", "ADP", "CCONJ", "PRON", "DET"}:
            return False
        if (mention := self._m.get(tok)) is not None and mention.start in self._m.literals:
            return False
        return tok.is_lower or tok.is_upper
