"""Discourse state of one conversation or document: the antecedents pronouns resolve to.

:class:`Discourse` is carried from unit to unit of one context (chat turns, document chunks) and
updated by :class:`~memcubedb.extraction.mentions.MentionIndex` in reading order: first person →
the speaker, second person → the addressee, he/she → the last compatible person (gender learnt
from titles, kinship nouns and earlier pronouns), it → the last thing, preferring a recent
subject (the topic of a text stays its subject); a definite description ("the club") → the
last name with that head word or that a statement classed as one ("Y's club was X").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from memcubedb.extraction.triples import EntityType, Mention

FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself"})
SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "u", "ya"})
MALE = frozenset({"he", "him", "his", "himself"})
FEMALE = frozenset({"she", "her", "hers", "herself"})
NEUTER = frozenset({"it", "its", "itself"})
RELATIVE = frozenset({"who", "whom", "which", "that", "whose"})

#: kinship nouns and titles that tell a person's gender
GENDERED = {
    "female": frozenset({"sister", "mother", "mom", "mum", "wife", "daughter", "girlfriend", "aunt", "niece",
                         "woman", "girl", "lady", "grandmother", "grandma", "mrs", "mrs.", "ms", "ms.", "miss"}),
    "male": frozenset({"brother", "father", "dad", "husband", "son", "boyfriend", "uncle", "nephew", "man", "boy",
                       "grandfather", "grandpa", "mr", "mr.", "sir"}),
}  # fmt: skip


@dataclass
class Discourse:
    """Pronoun antecedents carried from unit to unit of one conversation or document.

    Attributes:
        persons: recent third persons, most recent last (at most ``keep``): mentions typed
            PERSON, and named subjects of any type (the stand-in NER mislabels people).
        things: recent non-person things ("it"), most recent last; ``subject_thing`` the most
            recent thing that was a subject, with its sentence number, preferred when recent.
        subject_person: the most recent named subject that may be a person, with its sentence
            number: "he"/"she" prefer it over later non-subject names for ``topic_span``
            sentences (a text's topic stays its subject: "Buzz Aldrin was born in Glen Ridge.
            He graduated…").
        gender: case-folded name → "male"/"female", learnt from titles, kinship nouns and
            earlier pronouns; a pronoun never resolves to a person of the other gender.
    """

    persons: list[Mention] = field(default_factory=list)
    things: list[Mention] = field(default_factory=list)
    subject_thing: tuple[int, Mention] | None = None
    subject_person: tuple[int, Mention] | None = None
    topic_span: int = 3
    names: list[Mention] = field(default_factory=list)
    sentence: int = 0
    gender: dict[str, str] = field(default_factory=dict)
    classes: list[tuple[str, Mention]] = field(default_factory=list)
    keep: int = 8

    @staticmethod
    def _push(recent: list[Mention], mention: Mention, keep: int) -> list[Mention]:
        key = mention.name.casefold()
        return [*[m for m in recent if m.name.casefold() != key][-(keep - 1) :], mention]

    def add_person(self, mention: Mention, *, subject: bool = False) -> None:
        """Make ``mention`` the most recent person (and the topic person when a ``subject``)."""
        self.persons = self._push(self.persons, mention, self.keep)
        if subject:
            self.subject_person = (self.sentence, mention)

    def add_name(self, mention: Mention) -> None:
        """Make ``mention`` the most recent name (for "the monument" → "… Infantry Monument")."""
        self.names = self._push(self.names, mention, self.keep)

    def by_head(self, word: str) -> Mention | None:
        """The most recent name whose last word is ``word`` (case-folded, singular), else the most
        recent with ``word`` inside: the referent of a definite description by its head noun ("the
        airport" → "Alderney Airport", "the institute" → "Acharya Institute of Technology")."""
        for mention in reversed(self.names):
            last = mention.name.rsplit(" ", 1)[-1].casefold()
            if last in {word, word + "s"}:
                return mention
        for mention in reversed(self.names):  # "the institute" → "Acharya Institute of Technology"
            if word in mention.name.casefold().split()[:-1]:
                return mention
        return None

    def classify(self, word: str, mention: Mention) -> None:
        """Remember that a statement classed the name ``mention`` as a ``word`` (a singular
        lower-case noun): "X is a dish", "X, a food", "Y's club was X", "the club X"."""
        kept = [c for c in self.classes if c[0] != word or c[1].name.casefold() != mention.name.casefold()]
        self.classes = [*kept[-(self.keep - 1) :], (word, mention)]

    def by_class(self, word: str) -> Mention | None:
        """The most recent name an earlier statement classed as ``word``: the referent of a
        definite description by class ("Chumakov's club was FC Torpedo Moscow. *The club* …";
        the class-match sieve of deterministic coreference, Lee et al. 2013)."""
        return next((m for w, m in reversed(self.classes) if w == word), None)

    def add_thing(self, mention: Mention, *, subject: bool) -> None:
        """Make ``mention`` the most recent thing; a subject is preferred for "it" for two sentences."""
        self.things = self._push(self.things, mention, self.keep)
        if subject:
            self.subject_thing = (self.sentence, mention)

    def antecedent(self, pronoun: str, exclude: frozenset[str] = frozenset()) -> Mention | None:
        """The last compatible antecedent of a third-person pronoun (lower-cased), if any.

        ``exclude`` holds case-folded names that cannot be meant (the clause's own subject:
        "Hana bought a bicycle. She rides *it*" — *it* is not Hana).
        """
        if pronoun in NEUTER:
            recent = self.subject_thing
            topic = self.subject_person
            named_topic = topic is not None and (topic[1].type != EntityType.PERSON or not _person_like(topic[1]))
            if (
                named_topic
                and topic[1].name.casefold() not in self.gender
                and (  # type: ignore[index]
                    recent is None or topic[0] > recent[0] or not recent[1].named  # type: ignore[index]
                )
            ):  # a named subject that is not a person
                recent = topic
            if recent is not None and self.sentence - recent[0] <= 1 and recent[1].name.casefold() not in exclude:
                return recent[1]
            return next((t for t in reversed(self.things) if t.name.casefold() not in exclude), None)
        wanted = "male" if pronoun in MALE else "female"
        topic = self.subject_person
        if topic is not None and self.sentence - topic[0] <= self.topic_span and _person_like(topic[1]):
            key = topic[1].name.casefold()
            if key not in exclude and self.gender.get(key, wanted) == wanted:
                self.gender[key] = wanted
                return topic[1]
        for person in reversed(self.persons):
            key = person.name.casefold()
            if key not in exclude and self.gender.get(key, wanted) == wanted and _person_like(person):
                self.gender[key] = wanted
                return person
        return None


def _person_like(mention: Mention) -> bool:
    """False for a name no person bears: one with a digit ("101 Helena", "1036 Ganymed", an
    asteroid's catalogue name), which "he"/"she" never takes up and "it" may, even where the
    tagger typed it PERSON (the agreement filter of deterministic coreference, Lee et al. 2013)."""
    return not any(ch.isdigit() for ch in mention.name)
