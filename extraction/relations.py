"""Dependency rules that read (subject, predicate, object) triples from a parsed Doc.

Constructions (each names its rule in :attr:`Triple.rule`; confidences and the floor in
:class:`~memcubedb.config.extraction.RuleConfidence`):

* ``verb_object`` — a verb with subject and object ("Carol likes tea"), passives turned active
  ("Acme was founded by Bob" → (Bob, found, Acme)), relative clauses turned around ("the
  company that Yusuf founded" → (Yusuf, found, company)), open complements composed
  ("I want to learn the piano" → (I, want to learn, piano)), coordinated subjects/objects/verbs
  distributed; lemmas from lemminflect ("starred" → star);
* ``prepositional`` — a verb's prepositional argument, particles and prepositions kept ("grew
  up in Lyon" → (…, grow up in, Lyon)); a passive keeps its participle ("was born in Dallas" →
  (…, born in, Dallas)); an explicit calendar date is a fact with a typed literal object
  ("born on 20 June 1949" → (…, born on, 1949-06-20 ``xsd:date``));
* ``attribute`` — a relational noun read as its owner's attribute, (owner, noun, value):
  "Y's capital is X", "the capital of Y is X", "X is the capital of Y" (definite), "X, the
  capital of Y,", "Y, where the capital is X", "Y, whose capital is X", "one of Y's
  ingredients is X", "Y's clubs include X", "Y has a periapsis of 296521000 km", "Y has the
  area code 657";
* ``copula`` — other copular clauses: "X is from Y" → (X, is from, Y); "X is a recipient of Y"
  (indefinite: a membership) → (X, is recipient of, Y); "X is east of Y"; "the sky is blue";
* ``noun_modifier`` — a common noun's prepositional modifier ("the team at Acme"), below the
  floor by default;
* ``possessive`` — "my dog" → (speaker, has, speaker's dog);
* ``appositive`` — "Leila, a nurse," → (Leila, is, nurse), from the parse or, when the parser
  missed it, from a surface pattern (``surface_appositive``).

Negation ("not", "n't", "never", "no" + object) is kept as :attr:`Triple.negated`. Time
expressions in a clause set :attr:`Triple.valid_from` of its triples. Dates and numbers as
objects carry ``Triple.object_value``/``datatype``/``unit`` (:mod:`memcubedb.extraction.literals`).
"""

from __future__ import annotations

import re
from datetime import datetime

from spacy.matcher import Matcher
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from memcubedb.config.extraction import RuleConfidence
from memcubedb.extraction.grammar import Grammar, is_noun
from memcubedb.extraction.labels import entity_type
from memcubedb.extraction.mentions import MentionIndex, verb_lemma
from memcubedb.extraction.triples import EntityType, Mention, Triple

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
#: a time expression written with its year ("20 June 1949", "1963"), not relative ("last week")
_EXPLICIT = re.compile(r"\b(1[5-9]|20)\d\d\b")
_VALUES = frozenset({EntityType.DATE, EntityType.LITERAL})
#: nouns that name their owner's value itself ("the leader's *name* is X": X is the leader)
_TRANSPARENT = frozenset({"name", "names"})
#: verbs that list members of their subject ("Y's ingredients include X")
_INCLUSION = frozenset({"include", "comprise", "contain"})
#: Relative adverbs turning a relative clause's head into a prepositional argument.
_RELATIVE_ADVERBS = {"where": "in"}


def is_name(token: Token) -> bool:
    """A word of a proper name: PROPN/NNP, or inside a non-date, non-numeric NER span."""
    if token.pos_ == "PROPN" or token.tag_ in {"NNP", "NNPS"}:
        return True
    return bool(token.ent_type_) and entity_type(token.ent_type_) not in {EntityType.DATE, EntityType.LITERAL}


def is_common_noun(token: Token) -> bool:
    """A common noun that is not part of a name ("Abilene, Texas": a sentence-initial capitalised
    noun with a name in apposition is a name)."""
    if not is_noun(token) or is_name(token) or not (token.is_lower or token.is_sent_start):
        return False
    return not (token.is_title and any(c.dep_ == "appos" and c.pos_ == "PROPN" for c in token.children))


class RelationExtractor:
    """Applies the rules to one Doc; scheme differences are hidden behind :class:`Grammar`."""

    def __init__(self, grammar: Grammar, confidence: RuleConfidence, vocab: Vocab) -> None:
        self.g = grammar
        self.conf = confidence
        self._appositive = Matcher(vocab)
        self._appositive.add("appositive", _APPOSITIVE)  # type: ignore[arg-type]

    # --- descriptors: common nouns that describe a name ---------------------------------------

    def descriptors(self, doc: Doc) -> tuple[dict[int, int], set[int]]:
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
            for child in tok.children:
                if is_name(child) and self.g.is_appositive(child):
                    found[tok.i] = child.i
            nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            if nxt is not None and is_name(nxt) and self.g.possessor(tok) is not None:
                found.setdefault(tok.i, nxt.i)
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

    # --- entry point --------------------------------------------------------------------------

    def extract(self, doc: Doc, mentions: MentionIndex, surface: set[int]) -> list[Triple]:
        """Every triple of ``doc`` (deduplicated, no self-loops), in text order of predicates."""
        out: dict[tuple[str, str, str, bool], Triple] = {}
        self._doc, self._m, self._out = doc, mentions, out
        self._sentence = {}  # token index → (start_char, end_char) of its sentence; Token.sent rescans
        for sent in doc.sents:
            for k in range(sent.start, sent.end):
                self._sentence[k] = (sent.start_char, sent.end_char)
        for noun_i, name_i in mentions.descriptors.items():
            self._descriptor(doc[noun_i], doc[name_i], noun_i in surface)
        for tok in doc:
            if tok.i in mentions.descriptors or not (tok.n_lefts or tok.n_rights):
                continue  # a leaf heads no clause and no noun phrase with modifiers
            if self.g.copula(tok) is not None:
                self._copular(tok, self.g.copula(tok), self._copula_subjects(tok))  # type: ignore[arg-type]
            elif tok.lemma_.lower() == "be" and self.g.attributes(tok):
                for attr in self.g.attributes(tok):
                    self._copular(attr, tok, self.g.subjects(tok))
                self._verbal(tok, self._subjects(tok), prefix=None, negated=self.g.negated(tok))
            elif self._is_predicate(tok) and not self._is_open_complement(tok):
                self._verbal(tok, self._subjects(tok), prefix=None, negated=self.g.negated(tok))
            elif is_noun(tok):
                self._noun(tok)
        return list(out.values())

    # --- helpers ------------------------------------------------------------------------------

    def _emit(
        self, subj: Mention | None, pred: str, obj: Mention | None, rule: str, anchor: Token, *,
        negated: bool = False, valid_from: datetime | None = None,
    ) -> None:  # fmt: skip
        if subj is None or obj is None or subj.type in _VALUES:
            return
        if subj.name.casefold() == obj.name.casefold() or not all(w.isalpha() for w in pred.split()):
            return  # no self-loops; no predicate with a word that is not one ("have -")
        base = getattr(self.conf, rule if rule != "surface_appositive" else "surface_pattern")
        for m in (subj, obj):
            if m.via in {"speaker", "addressee"}:
                base *= self.conf.pronoun_factor
            elif m.via == "antecedent":
                base *= self.conf.third_person_factor
        start, end = self._sentence[anchor.i]
        value = self._m.literals.get(obj.start) if obj.type in {EntityType.DATE, EntityType.LITERAL} else None
        triple = Triple(
            subject=self._m.use(subj), predicate=" ".join(pred.split())[:256], object=self._m.use(obj),
            negated=negated, confidence=round(base, 4), start=start, end=end,
            valid_from=valid_from, rule=rule, object_value=value.value if value else None,
            datatype=value.datatype if value else None, unit=value.unit if value else None,
        )  # fmt: skip
        self._out.setdefault(triple.key(), triple)

    def _is_predicate(self, tok: Token) -> bool:
        if tok.pos_ in {"VERB", "AUX"} and tok.dep_ not in self.g.scheme.copula | {"aux", "aux:pass", "auxpass"}:
            return True
        return bool(self.g.subjects(tok) or self.g.passive_subjects(tok) or self.g.objects(tok))

    def _is_open_complement(self, tok: Token) -> bool:
        return tok in self.g.open_complements(tok.head) and tok.head != tok

    def _subjects(self, verb: Token) -> list[Token]:
        explicit = self.g.subjects(verb)
        if explicit:
            return explicit
        head = verb.head
        if head == verb:
            return []
        if self.g.is_verb_conjunct(verb) and head.pos_ in {"VERB", "AUX"}:
            return self._subjects(head) or self.g.passive_subjects(head)
        if (self.g.is_relative_clause(verb) or self.g.is_loose_attachment(verb)) and head.pos_ in {"NOUN", "PROPN"}:
            return [head] if verb.tag_ != "VBN" else []
        return []

    def _copula_subjects(self, comp: Token) -> list[Token]:
        """Subjects of a UD predicate nominal; when the parser hung the complement on a preceding
        name or noun instead ("Rosa[ROOT] is n't from Madrid[conj]"), that noun is the subject."""
        explicit = self.g.subjects(comp)
        head = comp.head
        if explicit or head == comp or head.i > comp.i:
            return explicit
        if head.pos_ in {"PROPN", "PRON"} or is_noun(head):
            return [head]
        return []

    def _word(self, noun: Token) -> str:
        """The noun as a predicate word: "the younger sister" → "younger sister", "CTO" → "cto"."""
        concept = self._m.concept_of(noun, with_owner=False, common=True) if is_noun(noun) else None
        return concept.name if concept is not None else noun.lower_

    def _dates(self, pairs: list[tuple[str | None, Token]]) -> tuple[list[tuple[str | None, Mention]], datetime | None]:
        dated: list[tuple[str | None, Mention]] = []
        for prep, noun in pairs:
            m = self._m.get(noun)
            if m is not None and m.type == EntityType.DATE:
                dated.append((prep, m))
        first = next((self._m.times[m.start].value for _, m in dated if self._m.times.get(m.start)), None)
        return dated, first

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
            if self._unique(noun):  # "Bob, the founder of Acme," → (Acme, founder, Bob)
                self._emit(self._m.get(target), word, name, "attribute", noun)
            else:
                self._emit(name, f"is {word} {prep}", self._m.get(target), rule, noun)
        if not preps:
            self._emit(name, "is", concept, rule, noun)

    def _owner(self, noun: Token) -> Token | None:
        """Whose attribute a relational noun names: its possessor ("Denmark's leader", "whose
        capital"), its "of" object ("the capital of Germany"), or the place a "where" clause
        it is the subject of describes ("Singapore, where the leader is …")."""
        owner = self.g.possessor(noun)
        if owner is not None:
            return owner
        for prep, target in self.g.prepositional(noun, include_unmarked=False):
            if prep == "of":
                return target
        return None

    def _where_owner(self, clause: Token) -> Token | None:
        """The name before ", where" for a clause introduced by the relative adverb "where"."""
        adverb = next((c for c in clause.children if c.lower_ == "where" and c.i < clause.i), None)
        return self._named_before(adverb.i) if adverb is not None else None

    def _where_before(self, subject: Token) -> Token | None:
        """The same, read from the surface when the parse split the clause: the subject starts
        right after "where" ("…, where the leader is X"), or after "and" that joins it to such a
        clause ("… where the leader is X and the currency is Y")."""
        k = subject.left_edge.i - 1
        if k < 0:
            return None
        if self._doc[k].lower_ == "where":
            return self._named_before(k)
        if self._doc[k].lower_ != "and":
            return None
        start = self._doc[k].sent.start
        where = next((j for j in range(k - 1, start - 1, -1) if self._doc[j].lower_ == "where"), None)
        return self._named_before(where) if where is not None else None

    def _named_before(self, k: int) -> Token | None:
        k -= 1
        while k >= 0 and self._doc[k].is_punct:
            k -= 1
        if k < 0:
            return None
        mention = self._m.get(self._doc[k])
        return self._doc[k] if mention is not None and mention.named else None

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
            if is_noun(n) and (value is None or value.type not in _VALUES):
                value = self._m.concept_of(n, with_owner=True)
            if n.like_num and any(p == "of" for p, _ in preps):
                continue  # a partitive ("X and Y are two of the groups …") is no value of X
            for s, attribute, owner in subjects:
                if attribute is not None and case is None:  # not "Y's press is in Z"
                    self._emit(owner, attribute, value, "attribute", n, negated=negated, valid_from=when)
                elif attribute is None and where is not None and is_common_noun(n) and not preps and not self._owner(n):
                    # "Malaysia, where Arifin Zakaria is the leader" → (Malaysia, leader, Arifin Zakaria)
                    self._emit(self._m.get(where), self._word(n), s, "attribute", n, negated=negated)
                elif case is not None:
                    self._emit(s, f"is {case}", self._m.get(n), "copula", n, negated=negated, valid_from=when)
                elif preps and (is_noun(n) or n.pos_ in {"PROPN", "ADJ"}):
                    word = self._word(n) if n.pos_ != "ADJ" else n.lower_  # "is east of", "is involved in"
                    for prep, target in preps:
                        obj = self._m.get(target)
                        if self._unique(n):  # "X is the capital of Y" → (Y, capital, X)
                            self._emit(obj, word, s, "attribute", n, negated=negated, valid_from=when)
                        else:
                            self._emit(s, f"is {word} {prep}", obj, "copula", n, negated=negated, valid_from=when)
                else:
                    self._emit(s, "is", value, "copula", n, negated=negated, valid_from=when)

    def _verbal(self, verb: Token, subject_tokens: list[Token], *, prefix: str | None, negated: bool) -> None:
        g = self.g
        passive_subjects = g.passive_subjects(verb) or (
            self._predicated(verb.head) if verb.tag_ == "VBN" and g.is_loose_attachment(verb) else []
        )
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
        timed = [o for o in objects if (m := self._m.get(o)) is not None and m.type == EntityType.DATE]
        if timed:  # a time parsed as an object ("learn grafting this spring") dates the clause
            objects = [o for o in objects if o not in timed]
            pairs += [(None, o) for o in timed]
        agents = g.agents(verb)
        if passive and not agents:
            agents = [n for p, n in pairs if p == "by"]
            pairs = [(p, n) for p, n in pairs if p != "by"]
        if g.is_relative_clause(verb) and g.subjects(verb) and not objects and not passive:
            adverbs = [c.lower_ for c in verb.children if c.lower_ in _RELATIVE_ADVERBS or c.lower_ in {"when", "why"}]
            if not adverbs:  # "the company that Yusuf founded" → (Yusuf, found, company)
                objects = [verb.head]
            elif adverbs[0] in _RELATIVE_ADVERBS:  # "the city where I live" → (I, live in, city)
                pairs.append((_RELATIVE_ADVERBS[adverbs[0]], verb.head))
        dated, when = self._dates(pairs)
        subjects = [self._m.get(s) for s in subject_tokens]
        emitted = len(self._out)
        for s, s_tok in zip(subjects, subject_tokens, strict=True):
            owner = self._owner(s_tok) if lemma in _INCLUSION and is_common_noun(s_tok) else None
            for obj in objects:
                neg = negated or g.negated_object(obj)
                target = self._owned_value(obj) if lemma == "have" else None
                if target is not None:  # "X has a periapsis of 296521000 km" → (X, periapsis, 296521000 km)
                    self._emit(s, self._word(obj), target, "attribute", verb, negated=neg, valid_from=when)
                elif owner is not None:  # "Y's former clubs include X" → (Y, former club, X)
                    owned, word = self._m.get(owner), self._word(s_tok)
                    self._emit(owned, word, self._m.get(obj), "attribute", verb, negated=neg, valid_from=when)
                else:
                    self._emit(s, pred, self._m.get(obj), "verb_object", verb, negated=neg, valid_from=when)
            for iobj in g.indirect_objects(verb):
                self._emit(s, f"{pred} to", self._m.get(iobj), "prepositional", verb, negated=negated, valid_from=when)
        for agent in agents:
            for patient in passive_subjects:
                obj = self._m.get(patient)
                self._emit(self._m.get(agent), pred, obj, "verb_object", verb, negated=negated, valid_from=when)
        holders = [self._m.get(p) for p in passive_subjects] if passive else subjects
        base = passive_pred if passive and not prefix else pred
        for s in holders:
            for prep, noun in pairs:
                obj = self._m.get(noun)
                if prep is None or obj is None or obj.type == EntityType.DATE:
                    continue
                self._emit(s, f"{base} {prep}", obj, "prepositional", verb, negated=negated, valid_from=when)
        for k, (prep, date) in enumerate(dated):  # explicit calendar dates are facts; others only date one
            if not (_EXPLICIT.search(date.text) or (k == 0 and len(self._out) == emitted)):
                continue
            word = prep or self._preposition_before(date) or ("on" if len(date.name) == 10 else "in")
            for s in holders:
                self._emit(s, f"{base} {word}", date, "prepositional", verb, negated=negated, valid_from=when)
        for comp in g.open_complements(verb):
            to = any(c.lower_ == "to" for c in comp.children)
            self._verbal(comp, subject_tokens, prefix=f"{pred} to" if to else pred, negated=negated)

    @staticmethod
    def _definite(noun: Token) -> bool:
        """A definite description ("*the* capital of Y") names Y's one N — an attribute of Y;
        an indefinite or bare one ("*a* recipient of Y", "part of Y") only a membership."""
        return any(c.lower_ in {"the", "this", "that"} and c.i < noun.i for c in noun.children)

    def _unique(self, noun: Token) -> bool:
        """A definite description with its complement ("the capital of Y", "the largest city in
        Y", "the backup pilot on Y") names the one N that Y has: an attribute of Y. An
        indefinite one ("a recipient of Y") is only a membership."""
        return (is_noun(noun) or noun.pos_ == "PROPN") and self._definite(noun)

    def _is_attribute(self, noun: Token) -> bool:
        """True when a copular clause reads ``noun`` as its owner's attribute ("Y's capital is X")."""
        head = noun.head
        clause = head if noun.dep_ in self.g.scheme.subject else None
        return clause is not None and (self.g.copula(clause) is not None or head.lemma_ == "be")

    def _predicated(self, noun: Token) -> list[Token]:
        """What a participle on ``noun`` is said of: the noun, or — when the noun is a copula's
        complement — that copula's subjects ("Inuktitut is a language spoken in Canada")."""
        if self.g.copula(noun) is not None:
            return self.g.subjects(noun) or [noun]
        if noun.dep_ in self.g.scheme.attribute:
            return self.g.subjects(noun.head) or [noun]
        return [noun]

    def _owned_value(self, noun: Token) -> Mention | None:
        """The value of "a N of V" ("a periapsis of 296521000 km") or "the N V" ("the area code
        657", "the ISBN number 1-4165-2060-0") when V is a name or a literal."""
        if not is_common_noun(noun) or self.g.possessor(noun) is not None:
            return None
        for prep, target in self.g.prepositional(noun, include_unmarked=False):
            mention = self._m.get(target)
            if prep == "of" and mention is not None and (mention.named or mention.type in _VALUES):
                return mention
        nxt = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
        mention = self._m.get(nxt) if nxt is not None and nxt.head == noun else None
        return mention if mention is not None and (mention.named or mention.type in _VALUES) else None

    def _preposition_before(self, mention: Mention) -> str | None:
        span = self._doc.char_span(mention.start, mention.end, alignment_mode="expand")
        k = span.start - 1 if span is not None else -1
        while k >= 0 and self._doc[k].lower_ == "the":
            k -= 1
        return self._doc[k].lower_ if k >= 0 and self._doc[k].pos_ == "ADP" else None

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
