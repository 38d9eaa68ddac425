"""Descriptors: common nouns that describe a name ("Alice's sister *Carol*", "Bob, *the founder*
of Acme,", "the record *label* 'Alligator Records'"), and the word tests they rest on.

A descriptor noun stands for the name it describes (a mention of that name) and gives the
``appositive``/``attribute`` facts of :mod:`memcubedb.extraction.relations`. Found from the parse
(``appos``, ``compound``, ``nmod:desc``… through :class:`~memcubedb.extraction.grammar.Grammar`)
and, where the parser missed an appositive, from a token pattern (``surface_pattern``).
"""

from __future__ import annotations

from spacy.matcher import Matcher
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from memcubedb.extraction.grammar import Grammar, is_noun
from memcubedb.extraction.labels import entity_type
from memcubedb.extraction.triples import EntityType

_NAME_WORD = [{"POS": "PROPN"}, {"TAG": {"IN": ["NNP", "NNPS"]}}]
#: "Name , (the|a|my) ADJ* NOUN+ [ADP DET? (PROPN|NOUN)*] ," — an appositive the parser missed.
_APPOSITIVE = [
    [
        name_word,
        {"ORTH": ","},
        {"POS": {"IN": ["DET", "PRON"]}, "OP": "?"},
        {"POS": "ADJ", "OP": "*"},
        {"POS": "NOUN", "OP": "+"},
        {"POS": "ADP", "OP": "?"},
        {"POS": "DET", "OP": "?"},
        {"POS": {"IN": ["PROPN", "NOUN", "ADJ"]}, "OP": "*"},
        {"ORTH": ","},
    ]
    for name_word in _NAME_WORD
]


#: participles that name the noun they follow
NAMING_PARTICIPLES = frozenset({"called", "named", "titled", "entitled", "dubbed"})


def is_name(token: Token) -> bool:
    """A word of a proper name: PROPN/NNP unless written in lower case (a tagger slip: "the
    *airport*"), or inside a non-date, non-numeric NER span."""
    if (token.pos_ == "PROPN" or token.tag_ in {"NNP", "NNPS"}) and not (token.is_lower and token.is_alpha):
        return True
    if is_noun(token) and token.is_title and not token.is_sent_start:  # "Alligator *Records*": a tagger miss
        return True
    if token.is_upper and token.is_alpha and len(token) > 1 and token.head.i > token.i and is_noun(token.head):
        return True  # "the *AIDS* journal": an acronym before its noun names it
    return bool(token.ent_type_) and entity_type(token.ent_type_) not in {EntityType.DATE, EntityType.LITERAL}


def is_common_noun(token: Token) -> bool:
    """A common noun that is not part of a name ("Abilene, Texas": a sentence-initial capitalised
    noun with a name in apposition is a name)."""
    if not is_noun(token) or is_name(token) or not (token.is_lower or token.is_sent_start):
        return False
    return not (token.is_title and any(c.dep_ == "appos" and c.pos_ == "PROPN" for c in token.children))


def is_naming(token: Token) -> bool:
    """A participle that gives the name of the noun before it ("a group *called* X", "a runway
    *named* X")."""
    return token.tag_ == "VBN" and token.lower_ in NAMING_PARTICIPLES


class DescriptorFinder:
    """Finds descriptor nouns in a Doc; scheme differences are hidden behind :class:`Grammar`."""

    def __init__(self, grammar: Grammar, vocab: Vocab) -> None:
        self.g = grammar
        self._appositive = Matcher(vocab)
        self._appositive.add("appositive", _APPOSITIVE)  # type: ignore[arg-type]

    def find(self, doc: Doc) -> tuple[dict[int, int], set[int]]:
        """Map each descriptor noun to the name it describes.

        Returns:
            ``(noun index → name index, indices found only by the surface pattern)``.
        """
        found: dict[int, int] = {}
        for tok in doc:
            if not is_common_noun(tok):
                continue
            head = tok.head
            determined = any(c.dep_ == "det" for c in tok.children) or self.g.possessor(tok) is not None
            if (
                head != tok
                and is_name(head)
                and self.g.is_descriptor_dep(tok)
                and not self.g.has_case(tok)
                and (determined or self.g.is_appositive(tok))
            ):  # "Alice's sister Carol", "Carol, my sister" — not "Morning Tomas!"
                found[tok.i] = head.i
            for child in tok.children:  # not on a copula's predicate noun: "Abilene is part of Texas,
                # where the capital is Austin" hangs no apposition "part, Austin" (a misparse)
                predicate = self.g.copula(tok) is not None or tok.dep_ in self.g.scheme.attribute
                if is_name(child) and self.g.is_appositive(child) and not predicate:
                    found[tok.i] = child.i
            nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            if nxt is not None and is_name(nxt) and self.g.possessor(tok) is not None:
                found.setdefault(tok.i, nxt.i)
            first = tok.left_edge.i
            while first < tok.i and doc[first].is_punct:  # the comma before it may hang on it
                first += 1
            before = first - 1
            restricted = doc[first].lower_ in {"a", "an"} and any(
                c.i > tok.i and (self.g.is_relative_clause(c) or self.g.is_loose_attachment(c)) for c in tok.children
            )  # "died in Montevideo, a city located in Uruguay" with "city" read as the verb's object
            appositive = self.g.is_appositive(tok) or restricted
            if appositive and before > 0 and doc[before].text == "," and is_name(doc[before - 1]):
                found.setdefault(tok.i, before - 1)  # "…in Ajoblanco, a food which …" hung elsewhere by the parser
            if nxt is not None and is_naming(nxt):  # "an ethnic group called Asian Americans"
                named = next((c for c in nxt.children if c.i > nxt.i and is_name(c)), None)
                if named is not None:
                    found.setdefault(tok.i, named.i)
        surface: set[int] = set()
        for _, start, end in self._appositive(doc):
            nouns = []
            for t in doc[start + 2 : end]:
                if t.pos_ == "NOUN":
                    nouns.append(t)
                elif nouns:
                    break
            head = nouns[-1] if nouns else None
            if head is not None and head.i not in found and is_common_noun(head):
                found[head.i] = start
                surface.add(head.i)
        return found, surface
