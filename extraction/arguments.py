"""What a clause is about: the argument helpers the rules of :mod:`memcubedb.extraction.relations`
share — who a predicate's subject is (coordination, relative clauses, copulas), whose attribute
a relational noun names (possessor, "of", "where"), which value an attribute has, and how a
fact is emitted with its rule's confidence (:class:`~memcubedb.config.extraction.RuleConfidence`:
pronoun, generic-head and question factors; the floor is applied by the writer).
"""

from __future__ import annotations

from datetime import datetime

from spacy.tokens import Doc, Token

from memcubedb.config.extraction import RuleConfidence
from memcubedb.extraction.descriptors import is_common_noun, is_name
from memcubedb.extraction.discourse import RELATIVE
from memcubedb.extraction.grammar import Grammar, is_noun
from memcubedb.extraction.mentions import CLASSIFIER_NOUNS, MentionIndex
from memcubedb.extraction.triples import EntityType, Mention, Triple

#: mention types that are values, not things: never a subject
VALUES = frozenset({EntityType.DATE, EntityType.LITERAL})
#: nouns that place their subject inside the thing they take with "of" ("X is a member of Y",
#: "X is part of Y"): X is the subject of such a fact, not Y's attribute
_MEMBERSHIP = frozenset({"part", "member", "one", "citizen", "native", "resident", "kind", "type", "example"})
#: possessive determiners of the third person ("began *his* career")
_THIRD_PERSON_POSSESSIVES = frozenset({"his", "her", "its", "their"})
#: prepositions by which an indefinite relational noun names its owner ("a leader *of* Y"); not
#: "for", which names whom X works for ("a defender *for* Y": X plays for Y, no attribute of Y)
_OWNING_PREPOSITIONS = frozenset({"of", "in", "at"})
#: relative words that open a clause set off by commas inside a sentence ("X, whose capital is Y, …")
_OPENERS = frozenset({"whose", "who", "which"})
#: tokens that end the search for an insertion's opener
_STOPS = frozenset({",", "(", ")", ".", "!", "?", ";"})
#: rules that may take a measured quantity as object (:mod:`memcubedb.extraction.measures`)
_MEASURING = frozenset({"measure", "attribute"})


class ArgumentReader:
    """Argument helpers over one Doc at a time; :meth:`bind` sets the Doc being read.

    Args:
        grammar: role accessors for the Doc's label scheme.
        confidence: per-rule confidences and factors.
    """

    def __init__(self, grammar: Grammar, confidence: RuleConfidence) -> None:
        self.g = grammar
        self.conf = confidence
        self._doc: Doc
        self._m: MentionIndex
        self._out: dict[tuple[str, str, str, bool], Triple] = {}
        self._text = ""
        self._sentence: dict[int, tuple[int, int]] = {}

    def bind(self, doc: Doc, mentions: MentionIndex) -> dict[tuple[str, str, str, bool], Triple]:
        """Start reading ``doc``: its mentions, sentence bounds and an empty output (returned)."""
        self._doc, self._m, self._out, self._text = doc, mentions, {}, doc.text
        self._sentence = {}  # token index → (start_char, end_char) of its sentence; Token.sent rescans
        for sent in doc.sents:
            for k in range(sent.start, sent.end):
                self._sentence[k] = (sent.start_char, sent.end_char)
        return self._out

    def _emit(
        self, subj: Mention | None, pred: str, obj: Mention | None, rule: str, anchor: Token, *,
        negated: bool = False, valid_from: datetime | None = None, factor: float = 1.0,
    ) -> None:  # fmt: skip
        if subj is None or obj is None or subj.type in VALUES:
            return
        if subj.name.casefold() == obj.name.casefold() or not all(w.isalpha() for w in pred.split()):
            return  # no self-loops; no predicate with a word that is not one ("have -")
        if obj.type == EntityType.LITERAL and obj.start in self._m.measures and rule not in _MEASURING:
            return  # "is 84 metres above sea level": what it measures is said by the measure rule
        if self._quality(rule, pred, obj):
            return  # "I'll try my best", "we'll do great", "nature's the best": no second entity
        base = getattr(self.conf, rule if rule != "surface_appositive" else "surface_pattern") * factor
        for m in (subj, obj):
            if m.via in {"speaker", "addressee"}:
                base *= self.conf.pronoun_factor
            elif m.via == "antecedent":
                base *= self.conf.third_person_factor
        if self._generic(subj) and not (rule == "attribute" and obj.named and subj.name not in CLASSIFIER_NOUNS):
            base *= self.conf.generic_factor  # "the cooperative's cellar master Eoin"; not "the country's leader X"
        if rule != "possessive" and subj.via not in {"speaker", "addressee"}:
            base *= self._object_factor(obj)  # not "my mentor for …" nor "I'm planning a trip to …" (RuleConfidence)
        start, end = self._sentence[anchor.i]
        if self._text[start:end].rstrip().endswith("?"):  # a question asserts nothing
            base *= self.conf.question_factor
        value = self._m.literals.get(obj.start) if obj.type in {EntityType.DATE, EntityType.LITERAL} else None
        triple = Triple(
            subject=self._m.use(subj), predicate=" ".join(pred.split())[:256], object=self._m.use(obj),
            negated=negated, confidence=round(base, 4), start=start, end=end,
            valid_from=valid_from, rule=rule, object_value=value.value if value else None,
            datatype=value.datatype if value else None, unit=value.unit if value else None,
        )  # fmt: skip
        known = self._out.get(triple.key())
        if known is None or known.confidence < triple.confidence:
            self._out[triple.key()] = triple

    def _generic(self, mention: Mention) -> bool:
        """A bare common noun with no owner and nothing that picks one out ("the film", "food",
        "the football team"): a fact about it says nothing about a particular thing. A noun
        restricted by a name ("the Antares rocket") or a relative clause ("the company that
        Yusuf founded") is particular. A third-person pronoun standing for such a noun is as
        generic as the noun ("The film is great. It won awards."): its antecedent, read from the
        name the pronoun took, is generic when it has no owner and no capitalised word; so is a
        relative pronoun standing for a bare noun ("a genre *that* originated from blues"): its
        clause is the very fact, not what picks the noun out."""
        if mention.type != EntityType.CONCEPT or "'s " in mention.name:
            return False
        if mention.via == "antecedent":
            return mention.name.islower()
        if mention.via not in {None, "relative"}:
            return False
        span = self._doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is None:
            return True
        if any(is_name(t) for t in span):  # "the Antares rocket": a name picks it out
            return False
        if mention.via == "relative":  # "a food which originates from Andalusia": the clause is the fact itself
            return True
        return not any(self.g.is_relative_clause(c) for c in span.root.children)

    def _quality(self, rule: str, pred: str, obj: Mention) -> bool:
        """The object is an adjective phrase standing for a quality or a rank, not a second entity:
        a verb's direct object ("try my *best*", "do *great*"), or an adjective used as a noun
        after a determiner as an attribute value or copula complement ("nature's *the best*",
        "you'll be *the first* to know"). A bare adjective stays a value there ("the language is
        Spanish", "the party's colour is blue"); after a preposition an adjective head is mostly
        the tagger's error ("went to the *fair*")."""
        if obj.via is not None or obj.type not in {EntityType.CONCEPT, EntityType.LITERAL}:
            return False
        if obj.type == EntityType.LITERAL and rule != "verb_object":
            return False
        if rule not in {"verb_object", "attribute"} and pred != "is":
            return False
        span = self._doc.char_span(obj.start, obj.end, alignment_mode="expand")
        if span is None or span.root.pos_ != "ADJ":
            return False
        return not span.root.tag_ or span.root.tag_.startswith("JJ")  # the stand-in's "a scarf": ADJ but NN

    def _object_factor(self, obj: Mention) -> float:
        """The factor of a fact for its common-noun object (``RuleConfidence``):
        ``modified_object_factor`` when the noun carries its own prepositional phrase ("fought in
        *battles* in the Polish-Soviet War", "has the main *ingredients* of meringue"): the noun is
        a step towards what the phrase names, not the thing the fact is about;
        ``owned_object_factor`` when a third-person possessive owns it ("began *his* career"):
        the subject's own thing, no second entity."""
        if obj.type != EntityType.CONCEPT or obj.via is not None:
            return 1.0
        span = self._doc.char_span(obj.start, obj.end, alignment_mode="expand")
        if span is None:
            return 1.0
        if any(p and p != "with" for p, _ in self.g.prepositional(span.root, include_unmarked=False)):
            return self.conf.modified_object_factor  # "with" + name is the verb's ("went to the concert with Maya")
        if self._unmarked_names(span.root):  # "the ICAO location identifier KACY": the name is the object
            return self.conf.modified_object_factor
        if any(c.lower_ in _THIRD_PERSON_POSSESSIVES for c in span.root.children if c.dep_ in self.g.scheme.possessive):
            return self.conf.owned_object_factor
        return 1.0

    def _unmarked_names(self, noun: Token) -> list[Mention]:
        """Names after a common noun that hang on it with no preposition, as an apposition or an
        unmarked modifier ("the ICAO location identifier *KACY*", "clubs *US Palermo*")."""
        if not is_common_noun(noun):
            return []
        found: list[Mention] = []
        for child in noun.children:
            unmarked = child.dep_ in self.g.scheme.noun_modifier and not self.g.has_case(child)
            if child.i > noun.i and (unmarked or self.g.is_appositive(child)):
                mention = self._m.get(child)
                if mention is not None and mention.named:
                    found.append(mention)
        return found

    def _is_predicate(self, tok: Token) -> bool:
        if tok.pos_ in {"VERB", "AUX"} and tok.dep_ not in self.g.scheme.copula | {"aux", "aux:pass", "auxpass"}:
            return True
        return bool(self.g.subjects(tok) or self.g.passive_subjects(tok) or self.g.objects(tok))

    def _is_open_complement(self, tok: Token) -> bool:
        return tok in self.g.open_complements(tok.head) and tok.head != tok

    def _subjects(self, verb: Token) -> list[Token]:
        return self._outside_insertions(self._verb_subjects(verb), verb)

    def _verb_subjects(self, verb: Token) -> list[Token]:
        explicit = self.g.subjects(verb)
        if explicit:
            return explicit
        fronted = self._fronted_relative(verb)
        if fronted:
            return fronted
        head = verb.head
        if head == verb:
            return []
        coordinated = self.g.is_verb_conjunct(verb) or (verb.dep_ == "parataxis" and verb.i > head.i)
        if coordinated and head.pos_ in {"VERB", "AUX"}:  # "X, who was born in Y, fought in Z" (parataxis)
            return self._subjects(head) or self.g.passive_subjects(head)
        if self.g.is_verb_conjunct(verb) and self.g.copula(head) is not None and head.i < verb.i:
            return self._copula_subjects(head)  # "X is 253 m long and was launched in 2013"
        if (self.g.is_relative_clause(verb) or self.g.is_loose_attachment(verb)) and head.pos_ in {"NOUN", "PROPN"}:
            if verb.tag_ == "VBN":
                return []
            if self.g.is_loose_attachment(verb) and is_common_noun(head):
                return self._predicated(head)  # "X is a dessert containing sour cream": said of X
            return [head]
        return []

    def _outside_insertions(self, subjects: list[Token], pred: Token) -> list[Token]:
        """Subjects of ``pred`` with one the parser took from inside an insertion closed before
        ``pred`` replaced by what the insertion is about: inside a relative clause (opened by
        "whose"/"who"/"which", no verb of its own before the subject) closed by a comma, the
        relative word, which resolves to the name it follows ("Jamaica, whose queen is Elizabeth
        II, is led by X" parsed with "Elizabeth II" the subject of "led"; "AC Milan, which is in
        Serie A league, is managed by X"); inside a set-off "where" clause, what the sentence is
        about (:meth:`_set_off`); inside brackets, the word before them ("X (Director - Y), is
        located in Z", "X (original name: Y) was designed by Z"); an indefinite noun set off after
        a name, the name (:meth:`_appositive_of`); a name only continuing the place before its
        comma, what that place is said of (:meth:`_continued_place`)."""
        doc = pred.doc
        out = []
        for subject in subjects:
            k = subject.i - 1  # the stand-in may start a sentence inside the brackets ("Dr. G. P.")
            while k >= 0 and doc[k].lower_ not in _OPENERS | _STOPS | {"where"} and doc[k].pos_ != "VERB":
                k -= 1
            opener = doc[k] if k >= 0 else None
            end = pred.left_edge.i if pred.left_edge.i > subject.i else pred.i
            between = {t.text for t in doc[subject.i + 1 : end]}
            if opener is not None and opener.lower_ in _OPENERS and "," in between:
                out.append(opener)
            elif opener is not None and opener.lower_ == "where" and "," in between and (said := self._set_off(opener)):
                out.append(said)
            elif opener is not None and opener.i > 0 and (
                (opener.text == "(" and ")" in between)
                or (opener.text == "," and "," in between and self._appositive_of(subject, opener))
            ):
                out.append(doc[opener.i - 1])
            else:
                out.append(self._continued_place(subject, pred) or subject)
        return out

    def _set_off(self, where: Token) -> Token | None:
        """What a sentence is about when a "where" clause set off by commas interrupts it: the
        place before ", where", or — past a "from"/"in" phrase set off before it — the name
        before that phrase ("Agnes Kant, from the Netherlands, where the leader is Mark Rutte,
        worked as …": Agnes Kant worked)."""
        doc = where.doc
        k = where.i - 1
        if k < 1 or doc[k].text != ",":
            return None
        j = k - 1
        while j > 0 and doc[j].text != "," and doc[j].pos_ not in {"VERB", "AUX"}:
            j -= 1
        if j > 0 and doc[j].text == "," and doc[j + 1].pos_ == "ADP" and self._named(doc[j - 1]):
            return doc[j - 1]
        return doc[k - 1] if self._named(doc[k - 1]) else None

    def _named(self, token: Token) -> bool:
        mention = self._m.get(token)
        return mention is not None and mention.named

    def _appositive_of(self, noun: Token, comma: Token) -> bool:
        """True when ``noun`` is an indefinite common noun set off right after a name by ``comma``
        ("Agustín Barboza, *a* Guarania music solo *singer*, was born in …"): it describes the name."""
        before = self._m.get(comma.doc[comma.i - 1]) if comma.i > 0 else None
        indefinite = comma.i + 1 < noun.i and comma.doc[comma.i + 1].lower_ in {"a", "an"}
        return is_common_noun(noun) and indefinite and before is not None and before.named

    def _continued_place(self, subject: Token, pred: Token) -> Token | None:
        """What a name is said of when the parser made it a subject of ``pred`` although it only
        continues the place named before its comma ("X in Bangalore, *India* was established",
        "X located in Ticino, *Switzerland* was established", "X, born … in Mendoza, *Argentina*
        was a Rear Admiral"): the noun the place's phrase modifies, when that noun is itself a
        subject of ``pred``, or the subject of the clause the phrase belongs to, when that clause
        hangs on ``pred`` before the name. None when the name is no such continuation."""
        k = subject.i - 1
        while k >= 0 and subject.doc[k].text != "," and subject.doc[k] in subject.subtree:
            k -= 1  # the name's own words
        if k < 1 or subject.doc[k].text != ",":
            return None
        place = subject.doc[k - 1]
        while self.g.is_name_part(place) and place.head.i > place.i:
            place = place.head
        named = [self._m.get(t) for t in (place, subject)]
        if not all(m is not None and m.named for m in named) or self._preposition_before(named[0]) is None:  # type: ignore[arg-type]
            return None
        head = place.head.head if place.head.dep_ in self.g.scheme.preposition else place.head
        if head.i >= subject.i:
            return None
        for other in self.g.subjects(pred) + self.g.passive_subjects(pred):
            if other == head or other in head.ancestors:
                return other  # "X in Bangalore, India was established": India is no second subject
        if head.head == pred and head.pos_ in {"VERB", "AUX"}:
            said = [t for t in self.g.subjects(head) + self.g.passive_subjects(head) if t.lower_ not in RELATIVE]
            return said[0] if said else None
        return None

    def _fronted_relative(self, verb: Token) -> list[Token]:
        """The relative pronoun of a clause the parser hung before a subjectless verb as that
        verb's dependent: "Walter Baade, who was born in X, discovered Y" read with "born" an
        adverbial clause of "discovered" (and the name a second subject of "born") — the name the
        pronoun stands for is the subject of "discovered"; the pronoun resolves to it."""
        for clause in verb.children:
            if clause.i < verb.i and clause.pos_ in {"VERB", "AUX"} and not self.g.is_verb_conjunct(clause):
                said = self.g.subjects(clause) + self.g.passive_subjects(clause)
                pronouns = [t for t in said if t.lower_ in RELATIVE]
                if pronouns:
                    return pronouns[:1]
        return []

    def _copula_subjects(self, comp: Token) -> list[Token]:
        """Subjects of a UD predicate nominal; when the parser hung the complement on a preceding
        name or noun instead ("Rosa[ROOT] is n't from Madrid[conj]"), that noun is the subject."""
        explicit = self._outside_insertions(self.g.subjects(comp), comp)
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

    def _quantified(self, noun: Token) -> tuple[str, Mention] | None:
        """The attribute and value of an indefinite noun a quantity modifies ("a *1.2 litre*
        engine" → ("engine", 1.2 litre), "a *21.2* ship beam" → ("ship beam", 21.2), "a *4,349
        kilometers* long runway" → ("runway length", 4349 kilometers)): "X has a 1.2 litre
        engine" says X's engine is 1.2 litres. ``None`` unless the article opens the quantity."""
        article = next((c for c in noun.children if c.lower_ in {"a", "an"} and c.i < noun.i), None)
        first = self._doc[article.i + 1] if article is not None else None
        value = self._m.get(first) if first is not None else None
        if value is None or value.type != EntityType.LITERAL or value.start not in self._m.literals:
            return None
        measured = self._m.measures.get(value.start)
        after = measured.end if measured is not None else self._token_after_mention(value)
        words = [t.lower_ for t in self._doc[after : noun.i] if t.is_alpha and t.is_lower]
        if after > noun.i or len(words) != noun.i - after:
            return None  # something else stands between the quantity and its noun
        said = " ".join([*words, (noun.lemma_ or noun.text).lower()])
        return (f"{said} {measured.attribute}" if measured and measured.attribute else said), value

    def _token_after_mention(self, mention: Mention) -> int:
        span = self._doc.char_span(mention.start, mention.end, alignment_mode="expand")
        return span.end if span is not None else len(self._doc)

    def _measured_owner(self, noun: Token) -> Token | None:
        """Whose attribute a relational noun with a literal value names by "for", "at" or "in"
        ("the orbital period *for* X is 135589000.0", "the runway length *at* X is 3800.0"): the
        name it takes with that preposition (a literal value leaves no other reading)."""
        for prep, target in self.g.prepositional(noun, include_unmarked=False):
            mention = self._m.get(target)
            if prep in {"for", "at", "in"} and mention is not None and mention.named:
                return target
        return None

    def _is_literal(self, token: Token) -> bool:
        """True when ``token`` stands for a typed literal (a date, a number, a quantity, a code)."""
        mention = self._m.get(token)
        return mention is not None and mention.start in self._m.literals

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

    def _owned_by(self, noun: Token, owner: Mention | None) -> bool:
        """True when ``noun``'s possessor is ``owner`` itself ("X has *its* headquarters …")."""
        possessor = self.g.possessor(noun)
        mention = self._m.get(possessor) if possessor is not None else None
        return owner is not None and mention is not None and mention.name.casefold() == owner.name.casefold()

    def _holder(self, subject: Token, said: str) -> tuple[Mention | None, str, str]:
        """Who a verb's prepositional argument is about, with the predicate and rule: the subject,
        or — for "be" with an owned relational noun as subject, as ClearNLP parses "Y's maiden
        flight was on Z" — the owner, (Y, maiden flight on, Z), as the UD copula reads it."""
        if said == "is" and is_common_noun(subject) and (owner := self.g.possessor(subject)) is not None:
            return self._m.get(owner), self._word(subject), "attribute"
        return self._m.get(subject), said, "prepositional"

    @staticmethod
    def _definite(noun: Token) -> bool:
        """A definite description ("*the* capital of Y") names Y's one N — an attribute of Y;
        an indefinite or bare one ("*a* recipient of Y", "part of Y") only a membership."""
        return any(c.lower_ in {"the", "this", "that"} and c.i < noun.i for c in noun.children)

    def _definite_class(self, noun: Token, subject: Mention | None = None, value: Mention | None = None) -> float:
        """The factor of a bare (X, is, N) fact, N said of X by a copula or apposition.

        ``definite_class_factor`` when N is a definite common noun with no owner ("Houston is
        *the largest city*", "C.D. FAS, *the club*,"): a definite description identifies by a
        reference point left implicit (whose largest city?) rather than classifying;
        ``equative_factor`` when X and N are both names ("B.M. Reddy is Dr. G.P. Prabhukumar"):
        an equation of two names states an identity, not a relation between two things (and
        mostly comes from a misread list); 1.0 otherwise ("Leila, *a nurse*")."""
        if is_common_noun(noun) and self._definite(noun) and self.g.possessor(noun) is None:
            return self.conf.definite_class_factor
        if subject is not None and value is not None and subject.named and value.named:
            return self.conf.equative_factor
        return 1.0

    def _unique(self, noun: Token, prep: str | None = None) -> bool:
        """Whether "X is (the|a) N <prep> Y" reads as Y's attribute N, (Y, N, X).

        A definite description ("the capital of Y", "the largest city in Y", "the backup pilot
        on Y") names the one N that Y has. An indefinite relational noun is one of Y's Ns ("a
        leader of Y", "an ingredient in Y", "a commander in Y"), except where N places X inside
        Y or classifies X ("a member of Y", "part of Y", "a city in Y") or the preposition gives
        an origin ("a dish from Y") or whom X works for ("a defender for Y"): those keep X as
        the subject, (X, is N prep, Y)."""
        if not (is_noun(noun) or noun.pos_ == "PROPN"):
            return False
        if self._definite(noun):
            return True
        lemma = noun.lemma_.lower()
        return prep in _OWNING_PREPOSITIONS and lemma not in _MEMBERSHIP and lemma not in CLASSIFIER_NOUNS

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
            if prep == "of" and mention is not None and (mention.named or mention.type in VALUES):
                return mention
        nxt = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
        mention = self._m.get(nxt) if nxt is not None and nxt.head == noun else None
        return mention if mention is not None and (mention.named or mention.type in VALUES) else None

    def _preposition_before(self, mention: Mention) -> str | None:
        span = self._doc.char_span(mention.start, mention.end, alignment_mode="expand")
        k = span.start - 1 if span is not None else -1
        while k >= 0 and self._doc[k].lower_ == "the":
            k -= 1
        return self._doc[k].lower_ if k >= 0 and self._doc[k].pos_ == "ADP" else None
