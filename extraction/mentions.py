"""Mentions in a parsed Doc: names, common-noun things, literals, dates and resolved pronouns.

Names come from :mod:`memcubedb.extraction.names`. Pronouns are resolved with a small
:class:`~memcubedb.extraction.discourse.Discourse` state kept per conversation or document: first person → the speaker,
second person → the addressee, he/she → the last compatible person, it → the last thing,
relative pronouns → the name right before them, else the noun their clause modifies (a
predicate nominal's subject: "X is a footballer who …" → X).
"""

from __future__ import annotations

from functools import lru_cache

from lemminflect import getLemma
from spacy.tokens import Doc, Token

from memcubedb.extraction.discourse import (
    FEMALE,
    FIRST_PERSON,
    GENDERED,
    MALE,
    NEUTER,
    RELATIVE,
    SECOND_PERSON,
    Discourse,
)
from memcubedb.extraction.grammar import Grammar, is_noun
from memcubedb.extraction.literals import DATE_TYPES, Literal, Measure, code, is_code, measure, quantity
from memcubedb.extraction.names import MAX_CHARS, NameFinder
from memcubedb.extraction.temporal import TimeExpression
from memcubedb.extraction.triples import EntityType, Mention, TextUnit

#: Light nouns that name nothing worth remembering on their own.
LIGHT_NOUNS = frozenset({"thing", "things", "lot", "lots", "bit", "kind", "sort", "way", "stuff", "one", "ones",
                         "time", "everything", "something", "anything", "nothing", "someone", "anyone",
                         "everyone", "somebody", "anybody", "everybody"})  # fmt: skip
#: Adjectives left out of a concept's name ("other friends" → "friend").
LIGHT_ADJECTIVES = frozenset({"other", "many", "much", "few", "several", "such", "same", "own", "various",
                              "certain", "more", "most", "last", "next", "some", "any", "whole"})  # fmt: skip
THINGS = frozenset({EntityType.ORG, EntityType.PLACE, EntityType.PRODUCT, EntityType.EVENT, EntityType.CONCEPT})
#: nouns that classify the name they take with "of" ("the city of Paris" is Paris; unlike
#: relational nouns: "the capital of France" is not France)
CLASSIFIER_NOUNS = frozenset({"city", "town", "village", "municipality", "state", "country", "province", "county",
                              "region", "island", "borough", "district", "kingdom", "republic", "nation", "port",
                              "commune", "parish", "prefecture", "territory", "metropolis", "language"})  # fmt: skip


@lru_cache(maxsize=16384)
def _verb_lemma(word: str) -> str:
    found = getLemma(word, upos="VERB")
    return found[0].lower() if found else word


def verb_lemma(token: Token) -> str:
    """Lower-case lemma of a verb: lemminflect's dictionary lemma for the word's tag (it repairs the
    stand-in lemmatiser's errors: "starred" → "star", not "starr"), else the pipeline's lemma with
    3rd-person forms repaired ("lives" → "live", not "life")."""
    if token.tag_.startswith("VB") and token.is_alpha:
        return _verb_lemma(token.lower_)
    lemma = (token.lemma_ or token.text).lower()
    text = token.lower_
    if token.tag_ == "VBZ" and text.endswith("s") and not lemma.startswith(text[:-2]):
        if text.endswith("ies"):
            return text[:-3] + "y"
        if text.endswith(("sses", "shes", "ches", "xes", "zes", "oes")):
            return text[:-2]
        return text[:-1]
    return lemma


#: parts of speech that end a noun's run of modifiers (a misparse can hang a clause, a
#: coordination or a possessor inside a modifier's subtree)
_RUN_BREAKS = frozenset({"DET", "PRON", "CCONJ", "SCONJ", "AUX"})


def _breaks_run(tok: Token) -> bool:
    if tok.pos_ in _RUN_BREAKS or tok.tag_ == "POS" or tok.text in {",", ";", ":", "(", ")", '"'}:
        return True
    hyphenated = not tok.is_alpha or not tok.whitespace_ or (tok.i and not tok.doc[tok.i - 1].whitespace_)
    return (tok.pos_ == "ADP" and not hyphenated) or (tok.pos_ == "VERB" and tok.tag_ not in {"VBN", "VBG"})


def _adjacent(noun: Token, words: list[Token]) -> list[Token]:
    """The modifier words after the last word before ``noun`` that ends its run of modifiers: a
    determiner, conjunction, possessive "'s", comma, a preposition or verb not joined by a hyphen
    ("Anders Osborne's | musical career", "with Twilight and | Old Man Gloom bands"; "under-17
    football team" stays whole)."""
    k = noun.i - 1
    while k >= 0 and not _breaks_run(noun.doc[k]):
        k -= 1
    return [w for w in words if w.i > k]


class MentionIndex(NameFinder):
    """Every mention of one Doc, by token index, built in reading order.

    Args:
        doc: the parsed unit.
        unit: its text unit (speaker/addressee resolve first/second person).
        grammar: role accessors for the doc's label scheme.
        times: the doc's time expressions (their tokens become DATE mentions).
        discourse: state shared with earlier units of the same context; updated in place.
        descriptors: common-noun token index → the name token it describes ("sister" → "Carol").
    """

    def __init__(
        self,
        doc: Doc,
        unit: TextUnit,
        grammar: Grammar,
        times: list[TimeExpression],
        discourse: Discourse,
        descriptors: dict[int, int],
    ) -> None:
        self.doc, self.unit, self.grammar = doc, unit, grammar
        self._text = doc.text  # Doc.text rebuilds the string on every access
        self.discourse = discourse
        self.descriptors = descriptors
        self.participants = {p.casefold() for p in (unit.speaker, unit.addressee) if p}
        self._by_token: dict[int, Mention | None] = {}
        self.used: dict[tuple[int, str], Mention] = {}
        times = [expr for expr in times if not self.year_in_name(expr.span)]  # "1998 RO1" is no date
        self.times: dict[int, TimeExpression] = {expr.span.start_char: expr for expr in times}
        #: mention start (characters) → the typed value of a DATE or LITERAL mention
        self.literals: dict[int, Literal] = {}
        #: LITERAL mention start (characters) → what that quantity measures ("84 m above sea level")
        self.measures: dict[int, Measure] = {}
        for expr in times:
            mention = Mention(
                text=expr.span.text, name=expr.label, type=EntityType.DATE,
                start=expr.span.start_char, end=expr.span.end_char,
            )  # fmt: skip
            for token in expr.span:
                self._by_token[token.i] = mention
            if expr.precision in DATE_TYPES:
                self.literals[expr.span.start_char] = Literal(expr.label, DATE_TYPES[expr.precision])
        self._quantities()
        self._name_starts: set[int] = set()
        self._names = self._name_spans()
        for noun_i, name_i in descriptors.items():
            kinship = doc[noun_i].lower_
            for gender, words in GENDERED.items():
                if kinship in words and name_i in self._names:
                    discourse.gender[self._names[name_i].name.casefold()] = gender
        self._build()

    # --- values -------------------------------------------------------------------------------

    def _quantities(self) -> None:
        """Numbers (with the unit after them) not inside a date or a numbered name; the words of a
        measure phrase after a quantity ("tall", "above sea level") are no mention of their own."""
        doc = self.doc
        for token in doc:
            number = token.like_num and token.pos_ != "PROPN"
            if token.i in self._by_token or not (number or is_code(token.text)) or self._numbers_name(token):
                continue
            found = code(doc, token) or quantity(doc, token)
            if found is None:
                continue
            value, start, end = found
            span = doc[start:end]
            mention = Mention(
                text=span.text, name=value.label, type=EntityType.LITERAL, start=span.start_char, end=span.end_char
            )
            self.literals[span.start_char] = value
            for k in range(start, end):
                self._by_token[k] = mention
            measured = measure(doc, end) if value.datatype != "xsd:string" else None
            if measured is not None:
                self.measures[span.start_char] = measured
                for k in range(measured.start, measured.end):
                    self._by_token[k] = None

    # --- reading-order pass ---------------------------------------------------------------

    def _classings(self) -> dict[int, list[tuple[int, int]]]:
        """Where a name is classed by a common noun, keyed by the later of the two tokens:
        ``(noun index, name index)`` for "X is a dish", "Y's club was X" (a copula between the
        noun and the name, either way round) and a descriptor ("X, a food", "the club X")."""
        pairs = list(self.descriptors.items())
        scheme = self.grammar.scheme
        for token in self.doc:
            if self.grammar.copula(token) is not None:
                subjects = self.grammar.subjects(token)
            elif token.dep_ in scheme.attribute:
                subjects = self.grammar.subjects(token.head)
            else:
                continue
            for subject in subjects[:1]:
                if is_noun(token) and token.i not in self._names and subject.i in self._names:
                    pairs.append((token.i, subject.i))
                elif token.i in self._names and is_noun(subject) and subject.i not in self._names:
                    pairs.append((subject.i, token.i))
        found: dict[int, list[tuple[int, int]]] = {}
        for noun_i, name_i in pairs:
            found.setdefault(max(noun_i, name_i), []).append((noun_i, name_i))
        return found

    def _classify(self, pairs: list[tuple[int, int]]) -> None:
        for noun_i, name_i in pairs:
            noun, name = self.doc[noun_i], self._names.get(name_i)
            if name is not None and noun.is_lower and noun.lower_ not in LIGHT_NOUNS:
                self.discourse.classify((noun.lemma_ or noun.text).lower(), name)

    def _build(self) -> None:
        classings = self._classings()
        for token in self.doc:
            self._classify(classings.get(token.i - 1, []))
            if token.is_sent_start and token.i:
                self.discourse.sentence += 1
            if token.i in self._by_token or token.is_space:
                continue
            if token.i in self._names:
                mention = self._names[token.i]
                self._by_token[token.i] = mention
                if token.i in self._name_starts:
                    self._remember(mention, subject=self._is_subject(mention))
            elif token.pos_ == "PRON" or token.tag_ in {"PRP", "PRP$", "WP", "WDT"}:
                self._by_token[token.i] = self._pronoun(token)
            elif is_noun(token) and token.i not in self.descriptors and (named := self._named_by(token)):
                self._by_token[token.i] = named
                self._remember(named, subject=self._is_subject_token(token))
            elif is_noun(token) and token.i not in self.descriptors:
                concept = self.concept_of(token, with_owner=True)
                self._by_token[token.i] = concept
                if concept is not None:
                    self._remember(concept, subject=self._is_subject_token(token))
                    if self._is_subject_token(token) and (owner := self._owner_name(token)) is not None:
                        self._remember(owner, subject=True)
        self._classify(classings.get(len(self.doc) - 1, []))
        self.discourse.sentence += 1

    def _owner_name(self, noun: Token) -> Mention | None:
        """The name owning a common-noun subject of a main clause ("The epoch *of 1001 Gaussia*
        is …", "*Gaussia*'s epoch is …"), if any: the topic a later pronoun takes up, salient
        over the bare relational noun (Lappin & Leass 1994: the head of a possessive or "of"
        phrase inherits subject salience)."""
        if not self._main_clause(noun.head):
            return None
        owner = self.grammar.possessor(noun)
        if owner is not None and owner.i in self._names:
            return self._names[owner.i]
        for prep, target in self.grammar.prepositional(noun, include_unmarked=False):
            if prep == "of" and target.i in self._names:
                return self._names[target.i]
        return None

    def _named_by(self, noun: Token) -> Mention | None:
        """The name a definite common noun stands for, if any:

        * a classifier noun with its name ("the city of Alderney", "the municipality of
          Gettysburg") is that name;
        * a bare definite description ("the monument", "this airport", "of the country": its
          preposition is no modifier) is the most recent name with that head word, else the most
          recent name an earlier statement classed as one ("Y's club was X. *The club* …", "X
          is a country"), else — for a classifier noun — the last place named, as a resolved
          anaphor (``via="antecedent"``).
        """
        if not any(c.dep_ == "det" and c.lower_ in {"the", "this", "that"} for c in noun.children):
            return None
        lemma = (noun.lemma_ or noun.text).lower()
        if lemma in CLASSIFIER_NOUNS:
            for prep, target in self.grammar.prepositional(noun, include_unmarked=False):
                if prep == "of" and target.i in self._names:
                    return self._names[target.i]
        scheme = self.grammar.scheme
        if any(c.dep_ not in {"det", "punct", *scheme.case} and c.i < noun.i for c in noun.children):
            return None  # modified: "the other airport" may be another one
        found = self.discourse.by_head(lemma) or self.discourse.by_class(lemma)
        if found is None and lemma in CLASSIFIER_NOUNS - {"language"}:  # "the country" → the last place named
            found = next((m for m in reversed(self.discourse.names) if m.type == EntityType.PLACE), None)
        if found is None:
            return None
        return found.model_copy(
            update={"text": noun.text, "start": noun.idx, "end": noun.idx + len(noun), "via": "antecedent"}
        )

    def _is_subject_token(self, token: Token) -> bool:
        scheme = self.grammar.scheme
        return token.dep_ in scheme.subject or token.dep_ in scheme.passive_subject

    def _is_subject(self, mention: Mention) -> bool:
        """A name is a subject, outside a relative clause, itself or through a descriptor ("Eoin,
        the cellar master, keeps…")."""
        span = self.doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is None:
            return False
        inside = range(span.start, span.end)
        described = [self.doc[d] for d, n in self.descriptors.items() if n in inside]
        return any(self._is_subject_token(t) and self._main_clause(t.head) for t in [*span, *described])

    def _main_clause(self, head: Token) -> bool:
        """False when ``head`` heads a relative clause or an adverbial clause opened by a
        subordinator: its subject ("…, where the largest city is Burlington. He …", "…whilst
        Mike Akhigbe was Vice President. He …") is no topic for a later pronoun."""
        if head.dep_ != "ROOT" and any(c.dep_ == "mark" and c.lower_ != "to" for c in head.children):
            return False  # a subordinate clause, whatever the parser hung it as
        return not self.grammar.is_relative_clause(head)

    def _remember(self, mention: Mention, *, subject: bool) -> None:
        if mention.name.casefold() in self.participants:
            return
        if mention.named:
            self.discourse.add_name(mention)
        if mention.type == EntityType.PERSON or (mention.named and subject):
            self.discourse.add_person(mention, subject=subject and mention.named)
        if mention.type in THINGS:
            self.discourse.add_thing(mention, subject=subject)

    def _pronoun(self, token: Token) -> Mention | None:
        word = token.lower_
        via: str
        if word in FIRST_PERSON and self.unit.speaker:
            target, via = self.unit.speaker, "speaker"
            return self._resolved(token, target, EntityType.PERSON, via)
        if word in SECOND_PERSON and self.unit.addressee:
            return self._resolved(token, self.unit.addressee, EntityType.PERSON, "addressee")
        clause = token.head.head if word == "whose" else token.head  # "whose capital is …": whose → capital → is
        named = self._name_before(token) if word in RELATIVE else None
        if named is not None:  # "… the Netherlands, which is led by …": the name it follows, however parsed
            return named.model_copy(update={"text": token.text, "via": "relative"})
        if word in RELATIVE and self.grammar.is_relative_clause(clause):
            antecedent = self.get(self._nearest_noun(token, clause.head) or self._described(clause.head))
            if antecedent is not None:
                return antecedent.model_copy(update={"text": token.text, "via": "relative"})
            return None
        if word in MALE or word in FEMALE or word in NEUTER:
            antecedent = self.discourse.antecedent(word, self._clause_subjects(token))
            if antecedent is not None:
                return antecedent.model_copy(
                    update={"text": token.text, "start": token.idx, "end": token.idx + len(token), "via": "antecedent"}
                )
        return None

    def _name_before(self, token: Token) -> Mention | None:
        """The name right before ``token``, across a comma or an opening bracket, if any."""
        k = token.i - 1
        while k >= 0 and self.doc[k].text in {",", "("}:
            k -= 1
        return self._names.get(k) if k >= 0 else None

    def _nearest_noun(self, relative: Token, head: Token) -> Token | None:
        """The noun right before a relative pronoun when the parser hung the clause higher, on a
        noun that noun modifies ("an ingredient in Amatriciana *sauce* which comes from Lazio"):
        a relative clause follows the noun phrase it restricts."""
        k = relative.i - 1
        while k >= 0 and self.doc[k].text == ",":
            k -= 1
        before = self.doc[k] if k >= 0 else None
        if before is None or before == head or not is_noun(before) or before.i < head.i:
            return None
        return before if head in before.ancestors else None

    def _described(self, noun: Token) -> Token:
        """What a relative clause on ``noun`` is said of: the noun, or — when the noun is a copula's
        common-noun complement ("Alan Martin is a footballer *who* is 185 cm tall") — the
        copula's subject, which the complement only classifies. A complement tagged as an
        adjective is taken for the noun a relative clause needs ("a Canadian *national* who …")."""
        if not (is_noun(noun) or noun.pos_ == "ADJ") or noun.i in self._names:
            return noun
        scheme = self.grammar.scheme
        if self.grammar.copula(noun) is not None:
            subjects = self.grammar.subjects(noun)
        elif noun.dep_ in scheme.attribute:
            subjects = self.grammar.subjects(noun.head)
        else:
            return noun
        return subjects[0] if subjects else noun

    def _clause_subjects(self, token: Token) -> frozenset[str]:
        """Names of the already-read subjects of the clause ``token`` is an argument of."""
        if self._is_subject_token(token):
            return frozenset()
        names = set()
        for child in token.head.children:
            if child.i < token.i and self._is_subject_token(child):
                mention = self._by_token.get(child.i)
                if mention is not None:
                    names.add(mention.name.casefold())
        return frozenset(names)

    def _resolved(self, token: Token, name: str, kind: EntityType, via: str) -> Mention:
        return Mention(
            text=token.text, name=name, type=kind, start=token.idx, end=token.idx + len(token), named=True,
            via=via,  # type: ignore[arg-type]
        )  # fmt: skip

    def concept_of(self, noun: Token, *, with_owner: bool, common: bool = False) -> Mention | None:
        """A common-noun mention: modifiers + head lemma ("payments team"), prefixed by its
        possessor when ``with_owner`` ("Melanie's dog"); ``None`` for light nouns ("thing").
        ``common`` leaves out proper-name modifiers (for a predicate word: "ground", not
        "FC Terek ground")."""
        if noun.lower_ in LIGHT_NOUNS or not noun.text.strip() or len(noun) > MAX_CHARS:
            return None
        words: list[Token] = []
        for child in noun.lefts:
            acronym = child.is_upper and child.i == noun.i - 1  # "the OCLC number" → "OCLC number"
            if common and (child.pos_ == "PROPN" or not child.is_lower) and not acronym:
                continue
            if self.grammar.is_name_part(child) and child.pos_ in {"NOUN", "PROPN", "ADJ", "NUM"}:
                words.extend(t for t in child.subtree if t.text.replace(" ", "").isalnum() or t.like_num)  # "Audi A1"
            elif child.dep_ == "amod" and child.pos_ in {"ADJ", "PROPN"} and child.lower_ not in LIGHT_ADJECTIVES:
                words.extend(t for t in child.subtree if t.is_alpha)  # "Sri Lankan rupee"
        words = _adjacent(noun, words)
        lemma = (noun.lemma_ or noun.text).lower()
        name = " ".join([*(w.text if w.is_title and not w.is_sent_start else w.lower_ for w in words), lemma])
        start = min([noun.idx, *(w.idx for w in words)])
        owner_token = self.grammar.possessor(noun) if with_owner else None
        if owner_token is not None:
            owner = self.get(owner_token)
            if owner is not None:
                name = f"{owner.name}'s {name}"
                start = min(start, owner_token.idx)
        end = noun.idx + len(noun)
        text = self._text[start:end]
        name = " ".join(name.split())[:512]
        return Mention(text=text, name=name, type=EntityType.CONCEPT, start=start, end=end)

    # --- lookup ---------------------------------------------------------------------------

    def get(self, token: Token) -> Mention | None:
        """The mention a token stands for (a name, thing, literal, date or resolved pronoun)."""
        if token.i in self.descriptors:
            return self.get(self.doc[self.descriptors[token.i]])
        if token.is_space or token.is_punct or len(token) > MAX_CHARS:
            return None
        if token.i in self._by_token:
            return self._by_token[token.i]
        if token.pos_ == "ADJ" and any(c.dep_ == "det" for c in token.children):  # "the cooperative": a noun
            concept = self._named_by(token) or self.concept_of(token, with_owner=True)
            self._by_token[token.i] = concept
            return concept
        if token.pos_ in {"ADJ", "NUM"} or token.like_num:
            text = token.lower_ if token.pos_ == "NUM" else (token.lemma_ or token.text).lower()
            mention = Mention(
                text=token.text, name=text, type=EntityType.LITERAL, start=token.idx, end=token.idx + len(token)
            )
            self._by_token[token.i] = mention
            return mention
        return None

    def use(self, mention: Mention) -> Mention:
        """Record that a mention takes part in a triple (it will become an Entity)."""
        self.used.setdefault((mention.start, mention.name), mention)
        return mention

    def named(self) -> list[Mention]:
        """Every distinct named mention of the doc, in text order."""
        seen: dict[int, Mention] = {}
        for mention in self._names.values():
            seen.setdefault(mention.start, mention)
        return [seen[k] for k in sorted(seen)]
