"""The small label mapping that lets one set of extraction rules run on two annotation schemes.

* **Universal Dependencies** (UD v2, https://universaldependencies.org/u/dep/) as produced by
  the stand-in pipeline ``en_ud_ewt_sm``: ``nsubj``, ``obj``, ``obl`` + ``case``, ``nmod``,
  ``nmod:poss``, ``cop``…; NER labels PER/ORG/LOC (Universal NER).
* **ClearNLP** (Choi & Palmer 2012, the scheme of spaCy's ``en_core_web_*``): ``nsubj``,
  ``dobj``, ``prep`` → ``pobj``, ``poss``, ``attr``/``acomp``…; NER labels of OntoNotes 5.

Rules in :mod:`memcubedb.extraction.grammar` ask a :class:`LabelScheme` for *roles* (subject,
object, possessor…) and never test a label string themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from memcubedb.extraction.triples import EntityType


@dataclass(frozen=True, slots=True)
class LabelScheme:
    """Dependency labels of one scheme, grouped by the role they play for relation extraction.

    Attributes:
        subject / passive_subject / obj / indirect_object: core arguments of a predicate.
        oblique: nominal arguments of a predicate that carry their preposition as a ``case``
            child (UD); empty for ClearNLP, where the preposition heads (``prep`` → ``pobj``).
        preposition / prep_object: ClearNLP's head-preposition and its object.
        case: the preposition as a child of its noun (UD).
        agent: the by-phrase of a passive.
        copula: the copula as a child of the predicate nominal (UD).
        attribute: the complement of a copular verb (ClearNLP ``attr``/``acomp``).
        possessive / appositive / descriptor: noun-level modifiers naming a relation.
        name_part: labels joining the words of one name or term (``compound``, ``flat``).
        noun_modifier: a prepositional modifier of a noun (UD ``nmod``; ClearNLP via ``prep``).
        unmarked: bare-noun adverbials, typically time ("last week").
        conj / xcomp / particle / relcl / loose: coordination, open clausal complements,
            verb particles, relative clauses, and attachments whose subject is their head noun.
    """

    name: str
    subject: frozenset[str]
    passive_subject: frozenset[str]
    obj: frozenset[str]
    indirect_object: frozenset[str]
    oblique: frozenset[str]
    preposition: frozenset[str]
    prep_object: frozenset[str]
    case: frozenset[str]
    agent: frozenset[str]
    copula: frozenset[str]
    attribute: frozenset[str]
    possessive: frozenset[str]
    appositive: frozenset[str]
    descriptor: frozenset[str]
    name_part: frozenset[str]
    noun_modifier: frozenset[str]
    unmarked: frozenset[str]
    conj: frozenset[str]
    xcomp: frozenset[str]
    particle: frozenset[str]
    relcl: frozenset[str]
    loose: frozenset[str]
    negation: frozenset[str]


def _f(*labels: str) -> frozenset[str]:
    return frozenset(labels)


UD = LabelScheme(
    name="ud",
    subject=_f("nsubj", "nsubj:outer", "csubj"),
    passive_subject=_f("nsubj:pass", "csubj:pass"),
    obj=_f("obj"),
    indirect_object=_f("iobj"),
    oblique=_f("obl", "obl:npmod"),
    preposition=_f(),
    prep_object=_f(),
    case=_f("case"),
    agent=_f("obl:agent"),
    copula=_f("cop"),
    attribute=_f(),
    possessive=_f("nmod:poss"),
    appositive=_f("appos"),
    descriptor=_f("nmod:desc", "compound", "appos", "nmod:unmarked"),
    name_part=_f("compound", "flat", "flat:name", "flat:foreign"),
    noun_modifier=_f("nmod"),
    unmarked=_f("obl:unmarked", "obl:tmod", "nmod:tmod", "nmod:unmarked"),
    conj=_f("conj"),
    xcomp=_f("xcomp"),
    particle=_f("compound:prt"),
    relcl=_f("acl:relcl", "advcl:relcl"),
    loose=_f("parataxis", "dep", "acl"),
    negation=_f("advmod", "neg"),
)

CLEARNLP = LabelScheme(
    name="clearnlp",
    subject=_f("nsubj", "csubj"),
    passive_subject=_f("nsubjpass", "csubjpass"),
    obj=_f("dobj"),
    indirect_object=_f("dative"),
    oblique=_f(),
    preposition=_f("prep"),
    prep_object=_f("pobj"),
    case=_f(),
    agent=_f("agent"),
    copula=_f(),
    attribute=_f("attr", "acomp"),
    possessive=_f("poss"),
    appositive=_f("appos"),
    descriptor=_f("compound", "appos", "nmod"),
    name_part=_f("compound"),
    noun_modifier=_f(),
    unmarked=_f("npadvmod"),
    conj=_f("conj"),
    xcomp=_f("xcomp"),
    particle=_f("prt"),
    relcl=_f("relcl"),
    loose=_f("parataxis", "dep", "acl"),
    negation=_f("neg", "advmod"),
)

SCHEMES: dict[str, LabelScheme] = {UD.name: UD, CLEARNLP.name: CLEARNLP}


class UnknownLabelSchemeError(ValueError):
    """The pipeline's dependency labels match neither UD nor ClearNLP."""


#: labels only one of the two schemes uses
_CLEARNLP_ONLY = frozenset({"dobj", "pobj", "prep", "poss", "attr", "acomp", "nsubjpass", "auxpass", "dative", "relcl",
                            "prt", "npadvmod", "pcomp"})  # fmt: skip
_UD_ONLY = frozenset({"obj", "obl", "nmod:poss", "cop", "flat", "aux:pass", "nsubj:pass", "compound:prt", "acl:relcl"})


def _scheme_of(labels: set[str]) -> LabelScheme:
    if labels & _CLEARNLP_ONLY:
        return CLEARNLP
    if labels & _UD_ONLY:
        return UD
    raise UnknownLabelSchemeError(
        f"cannot tell the dependency scheme from labels {sorted(labels)[:12]}…; expected UD or ClearNLP"
    )


def detect_scheme(source: Language | Doc) -> LabelScheme:
    """The scheme of a pipeline (from its parser's label set) or of a parsed Doc.

    Raises:
        UnknownLabelSchemeError: when the labels match neither scheme (or the pipeline has no
            parser).
    """
    if isinstance(source, Doc):
        return _scheme_of({t.dep_ for t in source})
    if "parser" not in source.pipe_names:
        raise UnknownLabelSchemeError(f"pipeline {source.meta.get('name')!r} has no dependency parser")
    return _scheme_of(set(source.get_pipe("parser").labels))


#: NER label (UNER: PER/ORG/LOC; OntoNotes: PERSON, GPE, …) → our coarse type.
ENTITY_TYPES: dict[str, EntityType] = {
    "PER": EntityType.PERSON,
    "PERSON": EntityType.PERSON,
    "ORG": EntityType.ORG,
    "LOC": EntityType.PLACE,
    "GPE": EntityType.PLACE,
    "FAC": EntityType.PLACE,
    "DATE": EntityType.DATE,
    "TIME": EntityType.DATE,
    "EVENT": EntityType.EVENT,
    "PRODUCT": EntityType.PRODUCT,
    "WORK_OF_ART": EntityType.PRODUCT,
    "MONEY": EntityType.LITERAL,
    "QUANTITY": EntityType.LITERAL,
    "PERCENT": EntityType.LITERAL,
    "CARDINAL": EntityType.LITERAL,
    "ORDINAL": EntityType.LITERAL,
}


def entity_type(ner_label: str) -> EntityType:
    """Map any NER label to :class:`EntityType` (unknown labels, e.g. NORP/LAW/MISC → OTHER)."""
    return ENTITY_TYPES.get(ner_label, EntityType.OTHER)
