"""Coordination read from the surface: a fact said of one member of a list is said of every member.

"Alan Martin plays for Barrow AFC and Hamilton Academical FC", "created by Roger Stern and Tom
Lyle", "designed the Asilomar Conference Grounds, the Los Angeles Herald Examiner building and
Hearst Castle", "Halton Arp and Allan Sandage were doctoral students of Walter Baade": the
dependency rules of :mod:`memcubedb.extraction.relations` distribute conjuncts the parser
coordinated (:meth:`~memcubedb.extraction.grammar.Grammar.with_conjuncts`); a small parser
often does not (the second name hung as an apposition, a compound, a new root), and the fact
reaches only the first member. :class:`ConjunctReader` re-reads every emitted argument's right
context: a list is ``A (, B)* (and|as well as) (also)? (the|a)? C`` of at most three mentions
of one kind (names with names, things with things; values are left to the literal rules; a
classifier noun before a name stands for the name: "… and the musical artists Tab Benoit";
the preposition may come again: "with X and also with Y"), each member taking the argument's
place in the fact, with the rule and confidence of the fact it was distributed from (as the
parser's own conjuncts are). An object name after its predicate also takes the names listed
before it ("created by *Roger Stern* and Tom Lyle"). A disjunction ("Paris, New York or Hong
Kong") or a longer list more often names one value than several, and is not distributed.

A member right after a list that follows its predicate and is itself followed by a finite verb
starts a clause of its own ("… born in Dallas and Fort Worth *is* the largest city"): the list
ends before it. Commas alone make no list ("located in Ícolo e Bengo, Luanda Province,
Angola" is a place nested in a place, not three places): a comma-separated run is a list only
when a coordinator closes it. Pronouns and descriptors resolved to another mention are not
expanded (their surface is not the list).

An ownerless relational noun in a clause joined to an earlier one by "and" or a comma ("The
capital of Italy is Rome and *the leader* is Pietro Grasso") belongs to the owner of the
sentence's last attribute fact, else to its first named subject.

A subject list whose copula says its members are related to each other ("A and B are
*related*", "are *similar* means of transport", "are *variations* of the same dish") gives
(A, is related to, B): a closed class of reciprocal words (:data:`_RECIPROCAL`).
"""

from __future__ import annotations

from datetime import datetime

from spacy.tokens import Doc, Span, Token

from memcubedb.extraction.arguments import VALUES, ArgumentReader
from memcubedb.extraction.grammar import FINITE_TAGS
from memcubedb.extraction.mentions import MentionIndex
from memcubedb.extraction.triples import Mention, Triple

#: words that join list members ("A, B and C", "A & B"; "A as well as B" is read apart)
COORDINATORS = frozenset({"and", "&"})
#: words that may stand between a coordinator and the next member ("and *also* the …")
_LINKERS = frozenset({"also", "the", "a", "an", "both", "then"})
#: words by which a copula says its subjects are related to each other ("A and B are *related*",
#: "are *variations* of the same dish", "are *similar* means of transport"): adjectives take "to"
_RECIPROCAL = {"related": "to", "similar": "to", "comparable": "to", "alike": "to", "variation": "of",
               "variant": "of", "associate": "of", "partner": "of", "sibling": "of", "rival": "of"}  # fmt: skip
#: words that join a clause to the one before it ("…, and the leader is X", "…, the leader is X")
_CLAUSE_JOINERS = frozenset({"and", ","})
#: members after the first in a list whose members are taken one by one: a longer list is more
#: often one value listed ("comes from either Paris, New York, USA or Hong Kong")
_MAX_MEMBERS = 2
#: words between two members
_SEPARATORS = COORDINATORS | _LINKERS
#: parts of speech after a mention that show its phrase goes on ("a *minimum* temperature")
_PHRASE_GOES_ON = frozenset({"NOUN", "PROPN", "ADJ", "NUM"})
#: parts of speech of words after which a clause may start (coordinators, relative and subordinating words)
_CLAUSE_OPENERS = frozenset({"CCONJ", "SCONJ", "PRON", "ADV"})
#: rules whose object is an apposition: a list after it continues the sentence, not the apposition
_APPOSITIONS = frozenset({"appositive", "surface_appositive"})


class ConjunctReader(ArgumentReader):
    """Distributes each emitted fact over the lists its subject or object heads (see module doc)."""

    def _emit(
        self, subj: Mention | None, pred: str, obj: Mention | None, rule: str, anchor: Token, *,
        negated: bool = False, valid_from: datetime | None = None, factor: float = 1.0,
    ) -> None:  # fmt: skip
        super()._emit(subj, pred, obj, rule, anchor, negated=negated, valid_from=valid_from, factor=factor)
        if rule in {"copula", "attribute"}:
            self._reciprocal(anchor)
        if subj is None or obj is None or rule in _APPOSITIONS:
            return
        named = self._named_after(obj)
        if named is not None:  # "associated with the musicians Billy Iuso and Theresa Andersson"
            super()._emit(subj, pred, named, rule, anchor, negated=negated, valid_from=valid_from, factor=factor)
        for member in [*self._members(named or obj, anchor), *self._members_before(obj, anchor)] if subj.named else []:
            super()._emit(subj, pred, member, rule, anchor, negated=negated, valid_from=valid_from, factor=factor)
        for member in self._members(subj, anchor) if self._fixed_subject_list(subj, obj) else []:
            super()._emit(member, pred, obj, rule, anchor, negated=negated, valid_from=valid_from, factor=factor)

    def bind(self, doc: Doc, mentions: MentionIndex) -> dict[tuple[str, str, str, bool], Triple]:
        self._reciprocated: set[int] = set()
        return super().bind(doc, mentions)

    def _reciprocal(self, comp: Token) -> None:
        """ "A and B are related (means of transport)", "A and B are variations of the same
        dish": a reciprocal word on a copula's complement relates the first subject to each
        other one, (A, is related to, B) — a name-to-name fact the copula alone never states."""
        if comp.i in self._reciprocated:
            return
        self._reciprocated.add(comp.i)
        words = [w for t in (comp, *comp.lefts) for w in (t.lower_, t.lemma_.lower()) if w in _RECIPROCAL]
        cop = self.g.copula(comp) or (comp.head if comp.dep_ in self.g.scheme.attribute else None)
        if not words or cop is None or self.g.negated(comp, cop):
            return
        tokens = self.g.subjects(comp) or (self.g.subjects(cop) if cop == comp.head else [])
        subjects = [m for m in (self._m.get(t) for t in tokens) if m is not None and m.named]
        for other in subjects[1:]:
            super()._emit(subjects[0], f"is {words[0]} {_RECIPROCAL[words[0]]}", other, "copula", comp)

    def _where_before(self, subject: Token) -> Token | None:
        """Also the owner of a clause coordinated with an earlier one: "the orbital period of X is
        V and *the epoch date* is D", "Austin is the capital of Texas and *the largest city* is
        Houston": an ownerless relational noun after "and" belongs to the owner of the sentence's
        last attribute fact before it, else to the sentence's first named subject."""
        found = super()._where_before(subject)
        k = subject.left_edge.i - 1
        if found is not None or k < 1 or self._doc[k].lower_ not in _CLAUSE_JOINERS:
            return found
        sentence = self._sentence[subject.i]
        owners = [t.subject for t in self._out.values() if t.rule == "attribute" and (t.start, t.end) == sentence]
        owners = [m for m in owners if m.named and m.end <= subject.idx]
        if owners:
            span = self._span(owners[-1])
            return span.root if span is not None else None
        start = subject.sent.start
        for token in subject.doc[start:k]:
            deps = self.g.scheme.subject | self.g.scheme.passive_subject
            if token.dep_ in deps and (mention := self._m.get(token)) is not None and mention.named:
                return token
        return None

    def _members(self, first: Mention, anchor: Token) -> list[Mention]:
        """The mentions listed after ``first`` ("A, B and C" → [B, C]), none when no coordinator
        closes the run or ``first`` is not read from its own surface. The preposition before
        ``first`` may come again ("with the band X and also *with* the artists Y")."""
        span = self._span(first)
        if span is None:
            return []
        inside, prep = self._inside_name(span), self._preposition_of(span)
        doc, k = self._doc, span.end
        members: list[Mention] = []
        closed = False
        while k < len(doc) and not closed:
            joined = coordinated = determined = False
            while k < len(doc) and (
                doc[k].text == "," or doc[k].lower_ in _SEPARATORS or (coordinated and doc[k].lower_ == prep)
            ):
                coordinated |= doc[k].lower_ in COORDINATORS
                joined |= doc[k].text == "," or doc[k].lower_ in COORDINATORS
                determined |= doc[k].lower_ in _LINKERS or doc[k].lower_ == prep
                k += 1
            if k + 2 < len(doc) and doc[k].lower_ == "as" and doc[k + 1].lower_ == "well" and not joined:
                k, joined, coordinated = k + 3, True, True  # "A as well as B"
            if inside and not determined:
                break  # "the College of William and Mary": one name, while "the War of X and the Y war" is a list
            member = self._m.get(doc[k]) if joined and k < len(doc) else None
            end = self._span(member) if member is not None else None
            if member is None or end is None or not (end.start <= k < end.end) or end.start < k - 1:
                break
            classified = self._classified(k) if not member.named else None
            if classified is not None:  # "… and the band Head South By Weaving", "… the musical artists Tab Benoit"
                member, end = classified
            if member.type in VALUES or first.named != member.named:
                break
            if self._goes_on(end):
                break  # "… and a minimum temperature", "one of …": the mention is not the whole member
            verb = doc[end.end] if end.end < len(doc) else None
            if verb is not None and verb.tag_ in FINITE_TAGS and not self._subject_list(span, verb, anchor):
                break  # "… and Fort Worth is the largest city": a clause of its own
            members.append(member)
            closed, k = coordinated and classified is None, end.end  # a classifier opens a list of its own
        return members if closed and len(members) <= _MAX_MEMBERS else []

    def _members_before(self, last: Mention, anchor: Token) -> list[Mention]:
        """The names listed before an object name after its predicate ("created by *Roger
        Stern* and Tom Lyle", where the parser took only the last as the object): the list
        must follow a preposition or the predicate itself."""
        span = self._span(last)
        if span is None or not last.named or span.start <= anchor.i:
            return []
        doc, k = self._doc, span.start - 1
        if k < 1 or doc[k].lower_ not in COORDINATORS:
            return []
        members: list[Mention] = []
        while k > anchor.i and (doc[k].lower_ in COORDINATORS or doc[k].text == ","):
            member = self._m.get(doc[k - 1])
            end = self._span(member) if member is not None and member.named else None
            if end is None or end.end != k or end.start <= anchor.i:
                return []
            members.append(member)  # type: ignore[arg-type]
            k = end.start - 1
        while k > anchor.i and doc[k].lower_ in _LINKERS:
            k -= 1
        opened = k == anchor.i or doc[k].pos_ == "ADP"
        return members if opened and len(members) <= _MAX_MEMBERS else []

    def _preposition_of(self, span: Span) -> str | None:
        """The preposition before the phrase ``span`` heads ("*with* the band Galactic"; UD
        hangs it on the phrase, ClearNLP above it)."""
        for k in range(span.start - 1, max(min(span.start, span.root.left_edge.i) - 2, -1), -1):
            if self._doc[k].pos_ == "ADP":
                return self._doc[k].lower_
        return None

    def _fixed_subject_list(self, subj: Mention, obj: Mention) -> bool:
        """Whether a list the subject heads may take the fact: it opens its clause (a subject
        list, not a name hung inside another phrase) and the object is a name or a value."""
        span = self._span(subj)
        return span is not None and self._opens_clause(span) and (obj.named or obj.type in VALUES)

    def _subject_list(self, first: Span, verb: Token, anchor: Token) -> bool:
        """True when a list opening its clause ends at the fact's own predicate or its
        auxiliary: the list is the subject ("Halton Arp and Allan Sandage *were* students of …")."""
        return self._opens_clause(first) and (verb == anchor or verb.head == anchor or anchor.head == verb)

    def _opens_clause(self, first: Span) -> bool:
        """True when ``first`` starts its sentence or clause (after punctuation, a coordinator,
        a relative or subordinating word)."""
        k = first.start - 1
        while k >= 0 and self._doc[k].lower_ in _LINKERS:
            k -= 1
        return k < 0 or self._doc[k].is_sent_end or self._doc[k].is_punct or self._doc[k].pos_ in _CLAUSE_OPENERS

    def _goes_on(self, span: Span) -> bool:
        """True when the words after a mention continue its phrase: a noun, adjective, number or
        "of" follows ("a *minimum* temperature", "*one* of the leaders"), or the mention modifies
        a word after it ("the *sports* governing body")."""
        after = self._doc[span.end] if span.end < len(self._doc) else None
        if after is not None and (after.pos_ in _PHRASE_GOES_ON or after.lower_ == "of"):
            return True
        return span.root.head.i >= span.end and span.root.dep_ in self.g.scheme.name_part | {"amod", "nummod"}

    def _classified(self, k: int) -> tuple[Mention, Span] | None:
        """The name that a common-noun phrase starting at token ``k`` classifies ("*musical
        artists* Tab Benoit"): the first name after lower-case nouns and adjectives only."""
        doc, j = self._doc, k
        while j < len(doc) and doc[j].is_lower and doc[j].pos_ in {"NOUN", "ADJ"}:
            j += 1
        name = self._m.get(doc[j]) if k < j < len(doc) else None
        span = self._span(name) if name is not None and name.named else None
        return (name, span) if name is not None and span is not None and span.start == j else None

    def _named_after(self, noun: Mention) -> Mention | None:
        """The name right after a common-noun argument, which the noun only classifies ("the
        bands *Twilight* and Greymachine", "musicians *Billy Iuso* and …"), when the parser
        did not make the noun a descriptor of it."""
        span = self._span(noun)
        if noun.named or noun.type in VALUES or span is None or span.end >= len(self._doc):
            return None
        name = self._m.get(self._doc[span.end])
        after = self._span(name) if name is not None and name.named else None
        return name if after is not None and after.start == span.end else None

    def _span(self, mention: Mention) -> Span | None:
        """The tokens of a mention read from its own surface (not a resolved pronoun)."""
        if mention.via not in {None, "descriptor"}:
            return None
        return self._doc.char_span(mention.start, mention.end, alignment_mode="expand")

    def _inside_name(self, span: Span) -> bool:
        """True when "and" after ``span`` may join two words of one name ("the School of Business
        and Social Sciences", "the College of William and Mary"): the span is, or follows, the
        "of" part of a capitalised name."""
        k = span.start - 1
        while k >= 0 and self._doc[k].lower_ == "the":
            k -= 1
        own = any(t.lower_ == "of" for t in span)
        after = k >= 1 and self._doc[k].lower_ == "of" and self._doc[k - 1].is_title
        return span[0].is_title and (own or after)
