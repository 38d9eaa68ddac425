"""Scheme-neutral questions about a dependency parse: who is the subject, what is the object…

:class:`Grammar` answers in terms of roles using a :class:`~memcubedb.extraction.labels.LabelScheme`,
so the relation rules are written once for UD and ClearNLP parses. Every method takes and
returns spaCy ``Token`` objects; nothing here allocates more than small lists.
"""

from __future__ import annotations

from spacy.tokens import Token

from memcubedb.extraction.labels import LabelScheme

#: Words that negate the predicate they modify (as ``advmod``/``neg``, or ``det`` of an object).
NEGATORS = frozenset({"not", "n't", "never", "no", "nt"})
NOMINAL_POS = frozenset({"NOUN", "PROPN", "PRON", "NUM"})
#: auxiliary labels of both schemes ("was born", "has been")
AUXILIARY_DEPS = frozenset({"aux", "aux:pass", "auxpass"})
#: Penn tags of finite verbs and auxiliaries ("is", "was", "plays", "can")
FINITE_TAGS = frozenset({"VBZ", "VBD", "VBP", "MD"})
#: Title words that make a following name a person.
NOUN_TAGS = frozenset({"NN", "NNS"})


def is_noun(token: Token) -> bool:
    """A common noun: UPOS NOUN, an ADJ the tagger calls NN/NNS (the stand-in's tagger and
    morphologizer disagree on words like "cooperative"; the noun reading is the safer one), or a
    lower-case PROPN ("Abilene regional *airport*": a name is capitalised, the tag is a slip)."""
    if token.pos_ == "PROPN":
        return token.is_lower and token.is_alpha
    return token.pos_ == "NOUN" or (token.pos_ == "ADJ" and token.tag_ in NOUN_TAGS)


PERSON_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "mr.", "mrs.", "ms.", "dr.", "prof."})


class Grammar:
    """Role accessors over one label scheme."""

    def __init__(self, scheme: LabelScheme) -> None:
        self.scheme = scheme

    # --- coordination ---------------------------------------------------------------------

    def with_conjuncts(self, token: Token) -> list[Token]:
        """``token`` followed by the nominal conjuncts hanging off it ("Mark and Lisa"). A
        conjunct of a tensed verb's argument after the verb that a finite verb follows is the
        subject of a clause of its own, whatever the parser hung it on ("was born in Dallas and
        *Houston* is the largest city")."""
        out = [token]
        for child in token.children:
            if child.dep_ in self.scheme.conj and child.pos_ in NOMINAL_POS | {"ADJ"}:
                if self._after_tensed_verb(token) and self._starts_clause(child):
                    continue
                out.extend(self.with_conjuncts(child))
        return out

    def _after_tensed_verb(self, argument: Token) -> bool:
        """True for an argument after a verb with its own tense (finite, or with an auxiliary:
        "was *born* in Dallas"), directly or through a ClearNLP ``prep``; not after a bare
        participle ("Greece, *led* by A and B, is …")."""
        verb = argument.head
        if verb.dep_ in self.scheme.preposition:
            verb = verb.head
        if verb.pos_ != "VERB" or argument.i < verb.i:
            return False
        return verb.tag_ in FINITE_TAGS or any(c.dep_ in AUXILIARY_DEPS for c in verb.children)

    @staticmethod
    def _starts_clause(conjunct: Token) -> bool:
        """True when a finite verb or auxiliary follows the conjunct's phrase."""
        k = conjunct.right_edge.i + 1
        return k < len(conjunct.doc) and conjunct.doc[k].tag_ in FINITE_TAGS

    def is_verb_conjunct(self, token: Token) -> bool:
        """True when ``token`` is a second predicate coordinated with its head ("… and sold")."""
        return token.dep_ in self.scheme.conj and token.head != token

    # --- core arguments -------------------------------------------------------------------

    def _children(self, token: Token, labels: frozenset[str], *, agentless: bool = False) -> list[Token]:
        found: list[Token] = []
        for child in token.children:
            if child.dep_ in labels and not (agentless and self._after_stranded_by(child)):
                found.extend(self.with_conjuncts(child))
        return found

    def subjects(self, pred: Token) -> list[Token]:
        """Active subjects of a predicate (verb, or predicate nominal in UD copulas)."""
        return self._children(pred, self.scheme.subject, agentless=True)

    def passive_subjects(self, pred: Token) -> list[Token]:
        """Subjects of a passive predicate ("Acme was founded …"); not a name right after a
        "by" the parser left without its noun ("designed by *A* and B and is located in …": A
        is the agent of "designed", not the subject of "located")."""
        return self._children(pred, self.scheme.passive_subject, agentless=True)

    def _after_stranded_by(self, noun: Token) -> bool:
        k = noun.left_edge.i - 1
        return k >= 0 and self._stranded_by(noun.doc[k]) and noun.doc[k].head != noun

    @staticmethod
    def _stranded_by(token: Token) -> bool:
        """A "by" hung on a verb without a noun of its own."""
        return token.lower_ == "by" and token.pos_ == "ADP" and not any(token.children) and token.head != token

    def objects(self, pred: Token) -> list[Token]:
        """Direct objects; a nominal ``xcomp`` counts as one (a frequent small-model misparse)."""
        found = self._children(pred, self.scheme.obj)
        if not found:
            found = [
                c
                for c in pred.children
                if c.dep_ in self.scheme.xcomp and c.pos_ in {"NOUN", "PROPN"} and not self.has_case(c)
            ]
        return found

    def indirect_objects(self, pred: Token) -> list[Token]:
        """Indirect objects ("gave *Maria* a book")."""
        return self._children(pred, self.scheme.indirect_object)

    def agents(self, pred: Token) -> list[Token]:
        """The by-phrase nouns of a passive predicate (UD ``obl:agent``; ClearNLP ``agent`` → ``pobj``)."""
        found: list[Token] = []
        for child in pred.children:
            if self._stranded_by(child) and child.i + 1 < len(child.doc):  # the name after it, hung elsewhere
                noun = child.doc[child.i + 1]
                while self.is_name_part(noun) and noun.head.i > noun.i:
                    noun = noun.head
                if noun.pos_ in NOMINAL_POS:
                    found.extend(self.with_conjuncts(noun))
            elif child.dep_ in self.scheme.agent:
                if child.pos_ in NOMINAL_POS:
                    found.extend(self.with_conjuncts(child))
                else:
                    found.extend(self._children(child, self.scheme.prep_object))
        return found

    def attributes(self, verb: Token) -> list[Token]:
        """Complements of a copular verb in ClearNLP (``attr``/``acomp``); empty in UD."""
        return self._children(verb, self.scheme.attribute)

    def copula(self, token: Token) -> Token | None:
        """The copula child of a UD predicate nominal/adjective ("CEO" ← "is"), if any."""
        for child in token.children:
            if child.dep_ in self.scheme.copula:
                return child
        return None

    # --- prepositions -----------------------------------------------------------------------

    def case(self, noun: Token) -> str | None:
        """The preposition governing ``noun`` (lower-cased, multiword joined), if any; also one
        the parser hung on the first word of the noun's name ("designed by[→Gruppo] Gruppo
        Bertone[obl]"): a preposition governs the whole phrase, never a part of a name."""
        words = [c.lower_ for c in noun.children if c.dep_ in self.scheme.case and c.tag_ != "POS" and c.i < noun.i]
        first = next((c for c in noun.lefts if c.dep_ in self.scheme.name_part), None)
        if not words and first is not None and noun.dep_ not in self.scheme.name_part:
            words = [c.lower_ for c in first.lefts if c.dep_ in self.scheme.case and c.tag_ != "POS"]
        if words:
            return " ".join(words)
        if noun.dep_ in self.scheme.prep_object and noun.head.dep_ in self.scheme.preposition | self.scheme.agent:
            return noun.head.lower_
        return None

    def has_case(self, noun: Token) -> bool:
        """True when a preposition governs ``noun``."""
        return self.case(noun) is not None

    def prepositional(self, head: Token, *, include_unmarked: bool = True) -> list[tuple[str | None, Token]]:
        """``(preposition, noun)`` pairs attached to ``head`` (a predicate or a noun).

        UD: ``obl``/``nmod`` children with their ``case``; ClearNLP: ``prep`` → ``pobj``. Bare
        adverbial nouns ("last week") come with preposition ``None`` when ``include_unmarked``.
        """
        s = self.scheme
        pairs: list[tuple[str | None, Token]] = []
        for child in head.children:
            dep = child.dep_
            if dep in s.oblique or dep in s.noun_modifier:
                prep = self.case(child)
                if prep is None and dep in s.noun_modifier:
                    continue
                for noun in self.with_conjuncts(child):
                    pairs.append((prep, noun))
            elif dep in s.preposition:
                for noun in self._children(child, s.prep_object):
                    pairs.append((child.lower_, noun))
            elif include_unmarked and dep in s.unmarked and child.pos_ in NOMINAL_POS:
                pairs.append((None, child))
        return pairs

    # --- modifiers --------------------------------------------------------------------------

    def negated(self, *tokens: Token) -> bool:
        """True when any of ``tokens`` has a negating modifier ("not", "n't", "never")."""
        for token in tokens:
            for child in token.children:
                if child.dep_ in self.scheme.negation and child.lower_ in NEGATORS:
                    return True
        return False

    def negated_object(self, noun: Token) -> bool:
        """True for a "no" determiner on an object ("I have *no* car")."""
        return any(c.lower_ == "no" and c.dep_ == "det" for c in noun.children)

    def possessor(self, noun: Token) -> Token | None:
        """The possessor of ``noun`` ("*Alice*'s sister", "*my* dog"), if any: a possessive
        child, or a noun before it that takes the possessive "'s" whatever the parser hung it as
        ("The *Ariane* 5's maiden flight", Ariane as ``amod``)."""
        for child in noun.children:
            if child.dep_ in self.scheme.possessive:
                return child
        for child in noun.lefts:
            if child.pos_ in {"PROPN", "NOUN"} and any(c.tag_ == "POS" for c in child.children):
                return child
        return None

    def particle(self, verb: Token) -> str | None:
        """The verb particle ("pick *up*"), lower-cased, if any."""
        for child in verb.children:
            if child.dep_ in self.scheme.particle:
                return child.lower_
        return None

    def open_complements(self, verb: Token) -> list[Token]:
        """Verbal ``xcomp`` children ("want to *learn*")."""
        return [c for c in verb.children if c.dep_ in self.scheme.xcomp and c.pos_ in {"VERB", "AUX"}]

    def is_relative_clause(self, token: Token) -> bool:
        """True when ``token`` heads a relative clause on its head noun."""
        return token.dep_ in self.scheme.relcl

    def is_loose_attachment(self, token: Token) -> bool:
        """True for parataxis/dep/acl attachments, whose missing subject is their head noun."""
        return token.dep_ in self.scheme.loose

    def is_name_part(self, token: Token) -> bool:
        """True when ``token`` is a word inside a longer name or term (``compound``/``flat``)."""
        return token.dep_ in self.scheme.name_part

    def is_appositive(self, token: Token) -> bool:
        """True for an appositive ("Bob, *the founder*")."""
        return token.dep_ in self.scheme.appositive

    def is_descriptor_dep(self, token: Token) -> bool:
        """True for labels by which a common noun describes a name ("sister *Carol*")."""
        return token.dep_ in self.scheme.descriptor
