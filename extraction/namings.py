"""Passive naming verbs used as a copula: what an owned relational noun is called.

Construction (rule ``attribute``; confidence in :class:`~memcubedb.config.extraction.RuleConfidence`):
a relational common noun with an owner — a possessor or an "of" object — as the subject of a
passive naming verb ("called", "named", "titled", "entitled", "dubbed" + the name; "known as" +
the name) says what the owner's N is, as the copula does ("the capital of Y is X"):

* "The leader of Paraguay is called Juan Afara" → (Paraguay, leader, Juan Afara);
* "The inhabitants of the United States are known as Americans" → (United States,
  inhabitant, Americans);
* "Gujarat's leader is known as the Gujarat Legislative Assembly" → (Gujarat, leader, …).

One name is read, not the conjuncts after it (mostly a clause of their own: "is known as the
President and the capital city is Washington DC"). An owner reached through a pronoun ("its
inhabitants are called Americans") is left to the rules that resolve it. A bare noun with no
owner ("the people are called Spaniards") is left to the other rules (the "where" runs read it
against their place); so is a name as the subject ("X is also known as Y": a second name, read
by the prepositional rule).
"""

from __future__ import annotations

from spacy.tokens import Token

from memcubedb.extraction.arguments import ArgumentReader
from memcubedb.extraction.descriptors import NAMING_PARTICIPLES, is_common_noun


class NamingReader(ArgumentReader):
    """Owned relational nouns named by a passive naming verb, over the Doc bound by
    :meth:`ArgumentReader.bind`."""

    def _namings(self) -> None:
        """Emit (owner, noun, name) for every owned subject of a passive naming verb."""
        for verb in self._doc:
            if verb.tag_ != "VBN" or not any(c.dep_ in {"aux:pass", "auxpass"} for c in verb.children):
                continue
            names = self._given_names(verb)
            if not names:
                continue
            for subject in self.g.passive_subjects(verb):
                owner = self._owner(subject) if is_common_noun(subject) else None
                owned = self._m.get(owner) if owner is not None else None
                if owned is None or owned.via == "antecedent":
                    continue  # "its inhabitants are called …": whose is left to the pronoun's own rules
                for name in names:
                    self._emit(owned, self._word(subject), self._m.get(name), "attribute", verb,
                               negated=self.g.negated(verb))  # fmt: skip

    def _given_names(self, verb: Token) -> list[Token]:
        """The names a naming verb gives: the object of "called"/"named"/…, or the "as" phrase
        of "known"."""
        if verb.lower_ in NAMING_PARTICIPLES:
            found = self.g.objects(verb)
        elif verb.lower_ == "known":
            found = [n for p, n in self.g.prepositional(verb, include_unmarked=False) if p == "as"]
        else:
            return []
        # a conjunct after the name mostly opens a clause of its own ("known as the President and
        # the capital city is Washington DC"); one name is what a naming verb gives
        return [n for n in found if not self.g.is_verb_conjunct(n)]
