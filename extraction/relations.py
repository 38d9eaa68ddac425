"""Dependency rules that read (subject, predicate, object) triples from a parsed Doc.

Constructions (each names its rule in :attr:`Triple.rule`; confidences and the floor in
:class:`~memcubedb.config.extraction.RuleConfidence`):

* ``verb_object`` — a verb with subject and object ("Carol likes tea"); a passive keeps its
  subject, the by-phrase in the predicate as "born in" keeps its "in" ("Acme was founded by
  Bob" → (Acme, founded by, Bob); "the Falcons, which are owned by Blank" → (Falcons, owned
  by, Blank)); relative clauses turned around ("the company that Yusuf founded" → (Yusuf,
  found, company)); a verb coordinated with a copular predicate shares its subject ("X is
  253 m long and was launched in 2013"); open complements composed
  ("I want to learn the piano" → (I, want to learn, piano)), coordinated subjects/objects/verbs
  distributed; lemmas from lemminflect ("starred" → star); a common-noun argument with its own
  prepositional phrase leads to the name in it ("fought in battles in the Polish-Soviet War" →
  (…, fight in battle in, Polish-Soviet War)) or to a name hung on it with no preposition ("known
  by the ICAO location identifier KACY" → (…, known by icao location, KACY)), its own fact
  lowered (``modified_object_factor``);
* ``prepositional`` — a verb's prepositional argument, particles and prepositions kept ("grew
  up in Lyon" → (…, grow up in, Lyon); "served as a crew member on Apollo 8" → (…, serve as
  crew member on, Apollo 8)); a passive keeps its participle ("was born in Dallas" →
  (…, born in, Dallas)); an explicit calendar date is a fact with a typed literal object
  ("born on 20 June 1949" → (…, born on, 1949-06-20 ``xsd:date``));
* ``attribute`` — a relational noun read as its owner's attribute, (owner, noun, value):
  "Y's capital is X", "the capital of Y is X", "X is the capital of Y" (definite), "X, the
  capital of Y,", "Y, where the capital is X", "Y, whose capital is X", "one of Y's
  ingredients is X", "Y's clubs include X", "Y has a periapsis of 296521000 km", "Y has the
  area code 657", "Y has its headquarters at Z" → (Y, headquarters at, Z), "found with the
  OCLC number V" → (…, OCLC number, V), "X is Y's predecessor", "Y's maiden flight was on Z" → (Y, maiden flight on,
  Z); an indefinite relational noun too ("X is a leader of Y" → (Y, leader, X)), except
  membership and classifier nouns or an origin ("a member of Y", "part of Y", "a city in Y",
  "a dish from Y": copula); "X is the language spoken in Y" → (Y, language, X);
* ``copula`` — other copular clauses: "X is from Y" → (X, is from, Y); "X is a member of Y"
  (a membership) → (X, is member of, Y); "X is east of Y"; "Ajay is tall";
* ``noun_modifier`` — a common noun's prepositional modifier ("the team at Acme"), below the
  floor by default;
* ``possessive`` — "my dog" → (speaker, has, speaker's dog);
* ``appositive`` — "Leila, a nurse," → (Leila, is, nurse), from the parse or, when the parser
  missed it, from a surface pattern (``surface_appositive``).

A fact about a generic head (a bare common noun: "the film is great", or a pronoun standing for
one), a fact read from a question, a definite class fact with no owner ("Houston is the largest
city") and an equation of two names ("X is Y") are lowered below the floor (``generic_factor``,
``question_factor``, ``definite_class_factor``, ``equative_factor``). Negation
("not", "n't", "never", "no" + object) is kept as :attr:`Triple.negated`. Time
expressions in a clause set :attr:`Triple.valid_from` of its triples. Dates and numbers as
objects carry ``Triple.object_value``/``datatype``/``unit`` (:mod:`memcubedb.extraction.literals`).
Every fact is also said of the other members of a list its argument heads where the parser did
not coordinate them (:mod:`memcubedb.extraction.coordination`); a run of "where" clauses on a
place is read from the surface (:mod:`memcubedb.extraction.where_clauses`); an owned relational
noun named by a passive naming verb is its owner's attribute (:mod:`memcubedb.extraction.namings`);
a "from" phrase set off after a name is its origin (:mod:`memcubedb.extraction.origins`).
"""

from __future__ import annotations

import re

from lemminflect import getInflection
from spacy.tokens import Doc, Token

from memcubedb.extraction.arguments import VALUES
from memcubedb.extraction.attribute_lists import AttributeListReader
from memcubedb.extraction.coordination import ConjunctReader
from memcubedb.extraction.descriptors import is_common_noun, is_name, is_naming
from memcubedb.extraction.discourse import RELATIVE
from memcubedb.extraction.existentials import ExistentialReader
from memcubedb.extraction.grammar import is_noun
from memcubedb.extraction.measures import MeasureReader
from memcubedb.extraction.mentions import MentionIndex, verb_lemma
from memcubedb.extraction.namings import NamingReader
from memcubedb.extraction.origins import OriginReader
from memcubedb.extraction.placed_names import PlacedNameReader
from memcubedb.extraction.triples import EntityType, Mention, Triple
from memcubedb.extraction.where_clauses import WhereClauseReader

#: a time expression written with its year ("20 June 1949", "1963"), not relative ("last week")
_EXPLICIT = re.compile(r"\b(1[5-9]|20)\d\d\b")
#: nouns that name their owner's value itself ("the leader's *name* is X": X is the leader)
_TRANSPARENT = frozenset({"name", "names"})
#: verbs that list members of their subject ("Y's ingredients include X")
_INCLUSION = frozenset({"include", "comprise", "contain"})
#: Relative adverbs turning a relative clause's head into a prepositional argument.
_RELATIVE_ADVERBS = {"where": "in"}


class RelationExtractor(
    ConjunctReader, WhereClauseReader, MeasureReader, AttributeListReader, ExistentialReader, NamingReader,
    OriginReader, PlacedNameReader,
):
    """Applies the rules to one Doc; scheme differences are hidden behind :class:`Grammar`."""

    # --- entry point --------------------------------------------------------------------------

    def extract(self, doc: Doc, mentions: MentionIndex, surface: set[int]) -> list[Triple]:
        """Every triple of ``doc`` (deduplicated, no self-loops), in text order of predicates."""
        out = self.bind(doc, mentions)
        for noun_i, name_i in mentions.descriptors.items():
            self._descriptor(doc[noun_i], doc[name_i], noun_i in surface)
        for tok in doc:
            if tok.i in mentions.descriptors or not (tok.n_lefts or tok.n_rights):
                continue  # a leaf heads no clause and no noun phrase with modifiers
            if self.g.copula(tok) is not None:
                self._copular(tok, self.g.copula(tok), self._copula_subjects(tok))  # type: ignore[arg-type]
            elif tok.lemma_.lower() == "be" and self.g.attributes(tok):
                for attr in self.g.attributes(tok):
                    self._copular(attr, tok, self._outside_insertions(self.g.subjects(tok), tok))
                self._verbal(tok, self._subjects(tok), prefix=None, negated=self.g.negated(tok))
            elif self._is_predicate(tok) and not self._is_open_complement(tok):
                self._verbal(tok, self._subjects(tok), prefix=None, negated=self.g.negated(tok))
            elif is_noun(tok):
                self._noun(tok)
        self._measures()
        self._attribute_lists()
        self._existentials()
        self._namings()
        self._origins()
        self._placed_names()
        return list(out.values())

    # --- rules --------------------------------------------------------------------------------

    def _descriptor(self, noun: Token, name_tok: Token, surface: bool) -> None:
        name = self._m.get(name_tok)
        concept = self._m.concept_of(noun, with_owner=False)
        word = self._word(noun)
        rule = "surface_appositive" if surface else "appositive"
        owner = self.g.possessor(noun)
        if owner is not None:  # "Alice's sister Carol" → (Alice, sister, Carol)
            self._emit(self._m.get(owner), word, name, "attribute", noun)
            return
        preps = [(p, n) for p, n in self.g.prepositional(noun, include_unmarked=False) if p]
        for prep, target in preps:
            if self._unique(noun, prep):  # "Bob, the founder of Acme," → (Acme, founder, Bob)
                self._emit(self._m.get(target), word, name, "attribute", noun)
            else:
                self._emit(name, f"is {word} {prep}", self._m.get(target), rule, noun)
        if not preps:
            factor = self._definite_class(noun) * (self.conf.bracketed_factor if self._bracketed(noun) else 1.0)
            self._emit(name, "is", concept, rule, noun, factor=factor)

    def _bracketed(self, noun: Token) -> bool:
        """True when the descriptor noun stands alone in brackets ("Sandesh (*confectionery*)",
        "AFC Ajax (*amateurs*)"): a label telling the name from others, not a statement."""
        words = [t.i for t in noun.subtree if not t.is_punct]
        before, after = min(words) - 1, max(words) + 1
        return before >= 0 and after < len(self._doc) and self._doc[before].text == "(" and self._doc[after].text == ")"

    def _copular(self, comp: Token, cop: Token, subject_tokens: list[Token]) -> None:
        where = self._where_owner(comp) or self._where_owner(cop)
        if where is None and subject_tokens:
            where = self._where_before(subject_tokens[0])
        subjects: list[tuple[Mention | None, str | None, Mention | None]] = []  # (subject, attribute, owner)
        for s in subject_tokens:
            if s != subject_tokens[0] and self.g.copula(s) is not None:
                continue  # a conjunct with its own copula is a clause of its own
            if s.like_num:  # "one of Y's ingredients is X", "two of the leaders are …" → as "Y's ingredient is X"
                s = next((t for p, t in self.g.prepositional(s, include_unmarked=False) if p == "of"), s)
            owner = self._owner(s) if is_common_noun(s) else None
            if owner is None and is_common_noun(s) and self._is_literal(comp):
                owner = self._measured_owner(s)  # "the orbital period for X is 135589000.0"
            owner = owner if owner is not None or not is_common_noun(s) else where
            if owner is not None and s.lower_ in _TRANSPARENT and is_common_noun(owner) and self._owner(owner):
                s, owner = owner, self._owner(owner)  # "Y's leader's name is X" → (Y, leader, X)
            if owner is not None:  # "Denmark's leader is X", "the capital of Germany is X"
                subjects.append((self._m.get(s), self._word(s), self._m.get(owner)))
            else:
                subjects.append((self._m.get(s), None, None))
        for n in self.g.with_conjuncts(comp):
            after = self._doc[min(n.i + 1, len(self._doc) - 1)]
            if n != comp and (self.g.subjects(n) or self.g.copula(n) or after.lemma_ == "be"):
                continue  # "… and Juan is the leader", "… and the currency is …": a clause of its own
            negated = self.g.negated(n, cop, comp)
            preps = [(p, t) for p, t in self.g.prepositional(n, include_unmarked=False) if p]
            _, when = self._dates(preps)
            case = self.g.case(n)
            value = self._m.get(n)
            if is_noun(n) and (value is None or value.type not in VALUES):
                value = self._m.concept_of(n, with_owner=True)
            if n.like_num and any(p == "of" for p, _ in preps):
                continue  # a partitive ("X and Y are two of the groups …") is no value of X
            possessor = self.g.possessor(n) if is_common_noun(n) else None
            for s, attribute, owner in subjects:
                if attribute is not None and case is None:
                    self._emit(owner, attribute, value, "attribute", n, negated=negated, valid_from=when)
                elif attribute is not None:  # "Y's maiden flight was on Z" → (Y, maiden flight on, Z)
                    self._emit(owner, f"{attribute} {case}", self._m.get(n), "attribute", n, negated=negated,
                               valid_from=when)  # fmt: skip
                elif attribute is None and possessor is not None and case is None:  # "X is Y's N" → (Y, N, X)
                    self._emit(self._m.get(possessor), self._word(n), s, "attribute", n, negated=negated)
                elif attribute is None and where is not None and is_common_noun(n) and not preps and not self._owner(n):
                    # "Malaysia, where Arifin Zakaria is the leader" → (Malaysia, leader, Arifin Zakaria)
                    self._emit(self._m.get(where), self._word(n), s, "attribute", n, negated=negated)
                elif case is not None:
                    self._emit(s, f"is {case}", self._m.get(n), "copula", n, negated=negated, valid_from=when)
                elif preps and (is_noun(n) or n.pos_ in {"PROPN", "ADJ"}):
                    word = self._word(n) if n.pos_ != "ADJ" else n.lower_  # "is east of", "is involved in"
                    for prep, target in preps:
                        obj = self._m.get(target)
                        if self._unique(n, prep):  # "X is the capital of Y" → (Y, capital, X)
                            self._emit(obj, word, s, "attribute", n, negated=negated, valid_from=when)
                        else:
                            self._emit(s, f"is {word} {prep}", obj, "copula", n, negated=negated, valid_from=when)
                elif (placed := self._placed_by_participle(n)) is not None:
                    # "Greek is the language spoken in Greece" → (Greece, language, Greek)
                    self._emit(self._m.get(placed), self._word(n), s, "attribute", n, negated=negated)
                else:
                    self._emit(s, "is", value, "copula", n, negated=negated, valid_from=when,
                               factor=self._definite_class(n, s, value))  # fmt: skip

    def _verbal(self, verb: Token, subject_tokens: list[Token], *, prefix: str | None, negated: bool) -> None:
        g = self.g
        if g.is_loose_attachment(verb) and self._placed_by_participle(verb.head) is not None:
            return  # "the language spoken in Greece": read as Greece's language by the copula rule
        passive_subjects = self._outside_insertions(g.passive_subjects(verb), verb) or (
            self._predicated(verb.head)
            if verb.tag_ == "VBN" and g.is_loose_attachment(verb) and verb.head.pos_ not in {"VERB", "AUX"}
            else []
        )
        reduced = self._reduced_relative(verb)
        if reduced is not None:  # "A.C. Milan, managed by X, …": the participle is said of the name before it
            passive_subjects, subject_tokens = [reduced], []
        elif described := self._participle_on_predicate_noun(verb):  # "X is a food found in Y"
            passive_subjects, subject_tokens = described, []
        passive = bool(passive_subjects) or any(c.dep_ in {"aux:pass", "auxpass"} for c in verb.children)
        if passive and not passive_subjects and g.is_verb_conjunct(verb):
            passive_subjects = subject_tokens  # "X built the ship and is located in Y": X is located
        lemma = "is" if verb_lemma(verb) == "be" else verb_lemma(verb)
        particle = g.particle(verb)
        active = f"{lemma} {particle}" if particle else lemma
        pred = f"{prefix} {active}" if prefix else active
        passive_pred = verb.lower_ + (f" {particle}" if particle else "")  # "was born in" → "born in"
        pairs = g.prepositional(verb)
        objects = g.objects(verb)
        for obj in objects:  # a name's misattached PP belongs to the verb ("met Dana in Berlin")
            if obj.pos_ == "PROPN":
                pairs += [(p, n) for p, n in g.prepositional(obj, include_unmarked=False) if p and p != "of"]
        for arg in [*objects, *(n for _, n in list(pairs))]:  # "went to the concert with Maya": with + name
            pairs += [(p, n) for p, n in g.prepositional(arg, include_unmarked=False) if p == "with" and is_name(n)]
        for prep, noun in list(pairs):  # "born on 23 July 1982, in Sweden": a place hung on a value is the verb's
            if prep and (m := self._m.get(noun)) is not None and m.type in VALUES:
                pairs += [(p, n) for p, n in g.prepositional(noun, include_unmarked=False) if p and p != "of"]
        timed = [o for o in objects if (m := self._m.get(o)) is not None and m.type == EntityType.DATE]
        if timed:  # a time parsed as an object ("learn grafting this spring") dates the clause
            objects = [o for o in objects if o not in timed]
            pairs += [(None, o) for o in timed]
        agents = g.agents(verb)
        if passive and not agents:
            agents = [n for p, n in pairs if p == "by"]
            pairs = [(p, n) for p, n in pairs if p != "by"]
        relative_subject = any(t.lower_ in RELATIVE for t in g.subjects(verb))  # "a footballer who plays …"
        if g.is_relative_clause(verb) and g.subjects(verb) and not objects and not passive and not relative_subject:
            adverbs = [c.lower_ for c in verb.children if c.lower_ in _RELATIVE_ADVERBS or c.lower_ in {"when", "why"}]
            if not adverbs:  # "the company that Yusuf founded" → (Yusuf, found, company)
                objects = [verb.head]
            elif adverbs[0] in _RELATIVE_ADVERBS:  # "the city where I live" → (I, live in, city)
                pairs.append((_RELATIVE_ADVERBS[adverbs[0]], verb.head))
        dated, when = self._dates(pairs)
        subjects = [self._m.get(s) for s in subject_tokens]
        emitted = len(self._out)
        if passive and not subject_tokens and not prefix and not is_naming(verb):
            for patient in (m for m in map(self._m.get, passive_subjects) if m is not None and m.named):
                for obj in objects:  # "X was awarded the Victoria Cross": the named patient has it
                    self._emit(patient, passive_pred, self._m.get(obj), "verb_object", verb,
                               negated=negated or g.negated_object(obj), valid_from=when)  # fmt: skip
        for s, s_tok in zip(subjects, subject_tokens, strict=True):
            owner = self._owner(s_tok) if lemma in _INCLUSION and is_common_noun(s_tok) else None
            for obj in objects:
                neg = negated or g.negated_object(obj)
                target = self._owned_value(obj) if lemma == "have" else None
                quantified = self._quantified(obj) if lemma == "have" and target is None else None
                own = lemma == "have" and self._owned_by(obj, s)
                if target is not None:  # "X has a periapsis of 296521000 km" → (X, periapsis, 296521000 km)
                    self._emit(s, self._word(obj), target, "attribute", verb, negated=neg, valid_from=when)
                elif quantified is not None:  # "X has a 1.2 litre engine" → (X, engine, 1.2 litre)
                    self._emit(s, quantified[0], quantified[1], "attribute", verb, negated=neg, valid_from=when)
                elif own and (placed := [*pairs, *g.prepositional(obj, include_unmarked=False)]):
                    # "X has its headquarters at Y" → (X, headquarters at, Y)
                    for prep, noun in placed:
                        if prep:
                            word = f"{self._word(obj)} {prep}"
                            self._emit(s, word, self._m.get(noun), "attribute", verb, negated=neg, valid_from=when)
                    pairs, dated = [], []
                elif owner is not None:  # "Y's former clubs include X" → (Y, former club, X)
                    owned, word = self._m.get(owner), self._word(s_tok)
                    self._emit(owned, word, self._m.get(obj), "attribute", verb, negated=neg, valid_from=when)
                else:
                    self._emit(s, pred, self._m.get(obj), "verb_object", verb, negated=neg, valid_from=when)
                    for prep, target in self._through(obj):  # "has the main ingredients of meringue"
                        word = f"{pred} {self._word(obj)} {prep}".strip()
                        self._emit(s, word, target, "verb_object", verb, negated=neg, valid_from=when)
            for iobj in g.indirect_objects(verb):
                self._emit(s, f"{pred} to", self._m.get(iobj), "prepositional", verb, negated=negated, valid_from=when)
        base = passive_pred if passive and not prefix else pred
        holders = [(self._m.get(p), base, "prepositional") for p in passive_subjects] if passive else [
            self._holder(s_tok, base) for s_tok in subject_tokens
        ]  # fmt: skip
        for agent in agents:  # "Acme was founded by Bob" → (Acme, founded by, Bob): the topic stays subject
            for patient, _, _ in holders:
                self._emit(patient, f"{base} by", self._m.get(agent), "verb_object", verb, negated=negated,
                           valid_from=when)  # fmt: skip
                for prep, target in self._through(agent):  # "known by the ICAO location identifier KACY"
                    word = f"{base} by {self._word(agent)} {prep}".strip()
                    self._emit(patient, word, target, "verb_object", verb, negated=negated, valid_from=when)
        for s, said, rule in holders:
            for prep, noun in pairs:
                obj = self._m.get(noun)
                if prep is None or obj is None or obj.type == EntityType.DATE:
                    continue
                value = self._owned_value(noun) if prep == "with" else None
                if value is not None:  # "found with the OCLC number 8805735" → (X, oclc number, 8805735)
                    self._emit(s, self._word(noun), value, "attribute", verb, negated=negated, valid_from=when)
                    continue
                self._emit(s, f"{said} {prep}", obj, rule, verb, negated=negated, valid_from=when)
                for inner, target in self._through(noun):  # "served as a crew member on Apollo 8"
                    word = f"{said} {prep} {self._word(noun)} {inner}".strip()
                    self._emit(s, word, target, rule, verb, negated=negated, valid_from=when)
        for k, (prep, date) in enumerate(dated):  # explicit calendar dates are facts; others only date one
            if not (_EXPLICIT.search(date.text) or (k == 0 and len(self._out) == emitted)):
                continue
            word = prep or self._preposition_before(date) or ("on" if len(date.name) == 10 else "in")
            for s, said, rule in holders:
                self._emit(s, f"{said} {word}", date, rule, verb, negated=negated, valid_from=when)
        for comp in g.open_complements(verb):
            if is_naming(comp):  # "has a group called X": the name is the group's (see descriptors)
                continue
            to = any(c.lower_ == "to" for c in comp.children)
            self._verbal(comp, subject_tokens, prefix=f"{pred} to" if to else pred, negated=negated)

    def _through(self, noun: Token) -> list[tuple[str, Mention]]:
        """The names a common-noun argument leads to by its own prepositional phrase ("fought in
        battles *in the Polish-Soviet War*", "served as a crew member *on Apollo 8*"): the noun
        is a step towards them (its own fact is lowered, ``modified_object_factor``)."""
        if not is_common_noun(noun):
            return []
        found: list[tuple[str, Mention]] = []
        for prep, target in self.g.prepositional(noun, include_unmarked=False):
            mention = self._m.get(target)
            if prep and prep != "with" and mention is not None and mention.named:
                found.append((prep, mention))
        for target in self._unmarked_names(noun):  # "known by the ICAO location identifier KACY"
            found.append(("", target))
        return found

    def _placed_by_participle(self, noun: Token) -> Token | None:
        """The name a definite noun's participle places it in ("the language *spoken in* Greece",
        "the currency used in Y"): whose N the noun is."""
        if not is_common_noun(noun) or not self._definite(noun):
            return None
        for child in noun.children:
            if child.tag_ == "VBN" and child.i > noun.i and self.g.is_loose_attachment(child):
                for prep, target in self.g.prepositional(child, include_unmarked=False):
                    mention = self._m.get(target)
                    if prep in {"in", "at", "by"} and mention is not None and mention.named:
                        return target
        return None

    def _reduced_relative(self, verb: Token) -> Token | None:
        """The name a bare past participle with a by-phrase follows after a comma or a bracket
        ("A.C. Milan, *managed* by X", "Uttar Pradesh (*led* by Ram Naik)"), when the participle
        has no auxiliary and no subject of its own: a reduced relative clause on that name,
        whatever the parser attached it to. (Without the by-phrase a participle after a comma is
        as often the next predicate: "X, who was born in Y, fought in Z" — unless its form is no
        simple past: "Elliot See, *born* July 23 1927 in Dallas, …".) A participle opening the
        sentence is said of the subject after it (:meth:`_fronted_participle`)."""
        if verb.tag_ == "VBN" and verb.is_sent_start and not self._own_subject(verb):
            return self._fronted_participle(verb)
        if verb.tag_ != "VBN" or verb.i < 2 or self._doc[verb.i - 1].text not in {",", "("}:
            return None
        by = self.g.agents(verb) or any(p == "by" for p, _ in self.g.prepositional(verb))
        if not by and verb.lower_ in {f.lower() for f in getInflection(verb_lemma(verb), tag="VBD")}:
            return None
        if self._own_subject(verb):
            return None
        before = self._doc[verb.i - 2]
        mention = self._m.get(before)
        return before if mention is not None and mention.named else None

    def _participle_on_predicate_noun(self, verb: Token) -> list[Token]:
        """The subjects a bare past participle is said of when the parser made a predicate noun,
        with its own copula and subject, the participle's subject ("Arem-arem is a food *found*
        in Indonesia" parsed as food ← nsubj(:pass) ← found): a reduced relative on the predicate noun,
        said of the copula's subject as "Inuktitut is a language spoken in Canada" is."""
        if verb.tag_ != "VBN" or any(c.dep_ in {"aux", "aux:pass", "auxpass"} for c in verb.children):
            return []
        for noun in [*self.g.subjects(verb), *self.g.passive_subjects(verb)]:
            between = self._doc[noun.i + 1 : verb.i]  # after a comma it may be said of a later name
            if noun.i < verb.i and is_common_noun(noun) and self.g.copula(noun) is not None and not any(
                t.is_punct for t in between
            ):
                return self.g.subjects(noun)
        return []

    def _own_subject(self, verb: Token) -> bool:
        own = self.g.scheme.passive_subject | self.g.scheme.subject | {"aux", "aux:pass", "auxpass"}
        return any(c.dep_ in own for c in verb.children)

    def _fronted_participle(self, verb: Token) -> Token | None:
        """The subject of the clause a sentence-opening participle phrase is fronted to ("*Born*
        in Greece, Adonis Georgiadis worked …", "*Located* in Texas, X serves …"): the first name
        after a comma that is a subject, whatever the parser hung the participle on."""
        doc = self._doc
        subject = self.g.scheme.subject | self.g.scheme.passive_subject
        for k in range(verb.i + 2, len(doc)):
            if doc[k].is_sent_start:
                return None
            mention = self._m.get(doc[k]) if doc[k - 1].text == "," else None
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand") if mention else None
            if mention is not None and mention.named and span is not None:
                found = next((t for t in span if t.dep_ in subject), None)
                if found is not None:
                    return found
        return None

    def _noun(self, noun: Token) -> None:
        owner_tok = self.g.possessor(noun)
        mention = self._m.get(noun)
        if mention is None or mention.type != EntityType.CONCEPT:
            return
        owner = self._m.get(owner_tok) if owner_tok is not None else None
        if owner is not None and not self._is_attribute(noun) and owner.via in {"speaker", "addressee"}:
            self._emit(owner, "has", mention, "possessive", noun)  # "my dog" → (speaker, has, speaker's dog)
        if self.g.copula(noun) is not None:
            return
        for prep, target in self.g.prepositional(noun, include_unmarked=False):
            obj = self._m.get(target)
            if prep == "with" and is_name(target) and noun.dep_ not in self.g.scheme.subject:
                continue  # read as the verb's ("went to the concert with Maya")
            if prep == "of":  # "the capital of Y" is read as Y's attribute where it says something
                continue
            if prep and obj is not None and obj.type != EntityType.DATE:  # times attach to events
                self._emit(mention, prep, obj, "noun_modifier", noun)
