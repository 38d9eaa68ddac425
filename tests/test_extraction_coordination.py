"""Lists read from the surface (:mod:`memcubedb.extraction.coordination`), on the stand-in's UD
parses and on hand-annotated ClearNLP parses with the misattachments a small parser makes."""

from __future__ import annotations

import pytest
from spacy.language import Language

from memcubedb.config.extraction import ExtractionConfig
from memcubedb.extraction.labels import CLEARNLP
from memcubedb.extraction.spacy_extractor import SpacyExtractor
from memcubedb.extraction.triples import TextUnit
from tests.test_extraction_clearnlp import Row, blank, make_doc  # noqa: F401  (blank is a fixture)

Key = tuple[str, str, str, bool]


@pytest.fixture(scope="module")
def ud() -> SpacyExtractor:
    return SpacyExtractor(ExtractionConfig())


@pytest.fixture(scope="module")
def clearnlp(blank: Language) -> SpacyExtractor:  # noqa: F811
    return SpacyExtractor(ExtractionConfig(), nlp=blank, scheme=CLEARNLP)


def written(extractor: SpacyExtractor, text: str) -> set[Key]:
    unit = TextUnit(text=text, context_id=text, opens_context=True)
    (extraction,) = list(extractor.extract([unit]))
    return {t.key() for t in extraction.triples if t.confidence >= extractor.config.confidence.floor}


def written_doc(extractor: SpacyExtractor, blank: Language, rows: list[Row]) -> set[Key]:  # noqa: F811
    doc = make_doc(blank, rows)
    unit = TextUnit(text=doc.text, context_id=doc.text, opens_context=True)
    floor = extractor.config.confidence.floor
    return {t.key() for t in extractor.extract_doc(doc, unit).triples if t.confidence >= floor}


UD_CASES: list[tuple[str, set[Key]]] = [
    # the stand-in hangs "FC" as an apposition of "AFC": the second club is lost to the parse
    ("Alan Martin plays for Barrow AFC and Hamilton Academical FC.",
     {("alan martin", "play for", "barrow afc", False), ("alan martin", "play for", "hamilton academical fc", False)}),
    # a plural classifier before the names ("musicians", "the bands"): the names are the objects
    ("Anders Osborne is associated with musicians Billy Iuso and Theresa Andersson.",
     {("anders osborne", "associated with", "billy iuso", False),
      ("anders osborne", "associated with", "theresa andersson", False)}),
    ("Aaron Turner has been part of the bands Twilight and Greymachine.",
     {("aaron turner", "is part of", "twilight", False), ("aaron turner", "is part of", "greymachine", False)}),
    # the parser took only the last name for the object: the names before it are listed too
    ("The comic character Blockbuster was created by Roger Stern and Tom Lyle.",
     {("blockbuster", "created by", "roger stern", False), ("blockbuster", "created by", "tom lyle", False)}),
    # the preposition again and a classifier opening a list of its own
    ("Rock musician Anders Osborne has worked with the band Galactic and also with the musical artists Tab Benoit "
     "and Billy Iuso.",
     {("anders osborne", "work with", "tab benoit", False), ("anders osborne", "work with", "billy iuso", False)}),
    # a reciprocal word relates the members of the subject list to each other
    ("The Alfa Romeo 164 and the Fiat Croma are similar means of transport.",
     {("alfa romeo 164", "is similar to", "fiat croma", False)}),
    ("Batagor and Siomay are variations of the same dish.", {("batagor", "is variation of", "siomay", False)}),
    # "of" inside the first name, but "the" opens a new member
    ("The Air Force was involved in the Invasion of Grenada and the Korean War.",
     {("air force", "is involved in", "invasion of grenada", False),
      ("air force", "is involved in", "korean war", False)}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), UD_CASES, ids=[c[0][:40] for c in UD_CASES])
def test_every_member_of_a_list_takes_the_fact(ud: SpacyExtractor, text: str, expected: set[Key]) -> None:
    found = written(ud, text)
    assert expected <= found, f"missing {expected - found}; got {sorted(found)}"


@pytest.mark.parametrize(
    "text",
    [
        "Tony was born in Dallas and Houston is the largest city of Texas.",  # a clause of its own
        "The School of Business and Social Sciences is in Denmark.",  # "and" inside a name
        "Ahmad was born in Galicia, Spain.",  # commas alone: a place in a place, no list
    ],
)
def test_what_is_no_list_is_not_distributed(ud: SpacyExtractor, text: str) -> None:
    found = written(ud, text)
    wrong = {"houston", "social sciences", "spain"}
    assert not {k for k in found if k[0] in wrong or (k[2] in wrong and k[0] != "galicia")}, found


def test_clearnlp_a_second_conjunct_hung_as_an_apposition(blank: Language, clearnlp: SpacyExtractor) -> None:  # noqa: F811
    found = written_doc(clearnlp, blank, [
        ("Alan", "PROPN", "NNP", "compound", 1, "Alan", "B-PERSON"),
        ("Martin", "PROPN", "NNP", "nsubj", 2, "Martin", "I-PERSON"), ("plays", "VERB", "VBZ", "ROOT", 2, "play", "O"),
        ("for", "ADP", "IN", "prep", 2, "for", "O"), ("Barrow", "PROPN", "NNP", "compound", 5, "Barrow", "B-ORG"),
        ("AFC", "PROPN", "NNP", "pobj", 3, "AFC", "I-ORG"), ("and", "CCONJ", "CC", "cc", 5, "and", "O"),
        ("Hamilton", "PROPN", "NNP", "compound", 8, "Hamilton", "B-ORG"),
        ("Academical", "PROPN", "NNP", "compound", 9, "Academical", "I-ORG"),
        ("FC", "PROPN", "NNP", "appos", 5, "FC", "I-ORG"), (".", "PUNCT", ".", "punct", 2, ".", "O"),
    ])  # fmt: skip
    assert ("alan martin", "play for", "hamilton academical fc", False) in found, found


def test_clearnlp_names_after_a_plural_classifier(blank: Language, clearnlp: SpacyExtractor) -> None:  # noqa: F811
    found = written_doc(clearnlp, blank, [
        ("Osborne", "PROPN", "NNP", "nsubjpass", 2, "Osborne", "B-PERSON"),
        ("is", "AUX", "VBZ", "auxpass", 2, "be", "O"), ("associated", "VERB", "VBN", "ROOT", 2, "associate", "O"),
        ("with", "ADP", "IN", "prep", 2, "with", "O"), ("musicians", "NOUN", "NNS", "pobj", 3, "musician", "O"),
        ("Billy", "PROPN", "NNP", "compound", 6, "Billy", "B-PERSON"),
        ("Iuso", "PROPN", "NNP", "npadvmod", 2, "Iuso", "I-PERSON"), ("and", "CCONJ", "CC", "cc", 6, "and", "O"),
        ("Theresa", "PROPN", "NNP", "compound", 9, "Theresa", "B-PERSON"),
        ("Andersson", "PROPN", "NNP", "conj", 6, "Andersson", "I-PERSON"), (".", "PUNCT", ".", "punct", 2, ".", "O"),
    ])  # fmt: skip
    assert {("osborne", "associated with", "billy iuso", False),
            ("osborne", "associated with", "theresa andersson", False)} <= found, found  # fmt: skip


def test_clearnlp_a_conjunct_before_a_finite_verb_starts_a_clause(blank: Language, clearnlp: SpacyExtractor) -> None:  # noqa: F811
    # "Tony was born in Dallas and Houston is …", Houston hung as a conjunct of Dallas
    found = written_doc(clearnlp, blank, [
        ("Tony", "PROPN", "NNP", "nsubjpass", 2, "Tony", "B-PERSON"), ("was", "AUX", "VBD", "auxpass", 2, "be", "O"),
        ("born", "VERB", "VBN", "ROOT", 2, "bear", "O"), ("in", "ADP", "IN", "prep", 2, "in", "O"),
        ("Dallas", "PROPN", "NNP", "pobj", 3, "Dallas", "B-GPE"), ("and", "CCONJ", "CC", "cc", 4, "and", "O"),
        ("Houston", "PROPN", "NNP", "conj", 4, "Houston", "B-GPE"), ("is", "AUX", "VBZ", "conj", 2, "be", "O"),
        ("big", "ADJ", "JJ", "acomp", 7, "big", "O"), (".", "PUNCT", ".", "punct", 2, ".", "O"),
    ])  # fmt: skip
    assert ("tony", "born in", "dallas", False) in found, found
    assert ("tony", "born in", "houston", False) not in found, found


def test_clearnlp_names_listed_before_the_object(blank: Language, clearnlp: SpacyExtractor) -> None:  # noqa: F811
    # "… created by Roger Stern and Tom Lyle" with "Stern" hung as a compound of "Lyle"
    found = written_doc(clearnlp, blank, [
        ("Blockbuster", "PROPN", "NNP", "nsubjpass", 2, "Blockbuster", "B-PERSON"),
        ("was", "AUX", "VBD", "auxpass", 2, "be", "O"), ("created", "VERB", "VBN", "ROOT", 2, "create", "O"),
        ("by", "ADP", "IN", "agent", 2, "by", "O"), ("Roger", "PROPN", "NNP", "compound", 5, "Roger", "B-PERSON"),
        ("Stern", "PROPN", "NNP", "compound", 8, "Stern", "I-PERSON"), ("and", "CCONJ", "CC", "cc", 5, "and", "O"),
        ("Tom", "PROPN", "NNP", "compound", 8, "Tom", "B-PERSON"),
        ("Lyle", "PROPN", "NNP", "pobj", 3, "Lyle", "I-PERSON"),
        (".", "PUNCT", ".", "punct", 2, ".", "O"),
    ])  # fmt: skip
    assert {("blockbuster", "created by", "roger stern", False),
            ("blockbuster", "created by", "tom lyle", False)} <= found, found  # fmt: skip


def test_clearnlp_a_reciprocal_word_relates_the_subjects(blank: Language, clearnlp: SpacyExtractor) -> None:  # noqa: F811
    found = written_doc(clearnlp, blank, [
        ("Batagor", "PROPN", "NNP", "nsubj", 3, "Batagor", "B-PRODUCT"), ("and", "CCONJ", "CC", "cc", 0, "and", "O"),
        ("Siomay", "PROPN", "NNP", "conj", 0, "Siomay", "B-PRODUCT"), ("are", "AUX", "VBP", "ROOT", 3, "be", "O"),
        ("related", "ADJ", "JJ", "acomp", 3, "related", "O"), (".", "PUNCT", ".", "punct", 3, ".", "O"),
    ])  # fmt: skip
    assert ("batagor", "is related to", "siomay", False) in found, found


WHERE_CASES: list[tuple[str, set[Key]]] = [
    ("The ground is located in Italy, where the capital is Rome, the leader is Sergio Mattarella and the language "
     "spoken is Italian.",
     {("italy", "capital", "rome", False), ("italy", "leader", "sergio mattarella", False)}),
    ("Barny Cakes come from France where Gerard Larcher and Claude Bartolone are leaders.",
     {("france", "leader", "gerard larcher", False), ("france", "leader", "claude bartolone", False)}),
    ("Albuquerque is in the United States, where English is the official language and African Americans are one "
     "of the ethnic groups.",
     {("united states", "ethnic group", "african americans", False)}),
    ("Adam Koc is from Poland, where Polish is spoken and where Kashubians are an ethnic group.",
     {("poland", "spoken", "polish", False), ("poland", "ethnic group", "kashubians", False)}),
    ("Albany is located in the United States, where there is an ethnic group called African Americans.",
     {("united states", "ethnic group", "african americans", False)}),
    ("The Asian Americans are an ethnic group in the United States, where Albany is located.",
     {("albany", "located in", "united states", False)}),
    ("Arros negre is a traditional dish from Spain whose leader is Felipe VI and Euro is its currency.",
     {("spain", "leader", "felipe vi", False), ("spain", "currency", "euro", False)}),
    ("In the United States, English is the language and the capital is Washington.",
     {("united states", "language", "english", False), ("united states", "capital", "washington", False)}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), WHERE_CASES, ids=[c[0][:40] for c in WHERE_CASES])
def test_a_run_of_where_clauses_gives_the_place_its_attributes(
    ud: SpacyExtractor, text: str, expected: set[Key]
) -> None:
    found = written(ud, text)
    assert expected <= found, f"missing {expected - found}; got {sorted(found)}"


def test_clearnlp_a_run_of_where_clauses(blank: Language, clearnlp: SpacyExtractor) -> None:  # noqa: F811
    # "… Italy, where the capital is Rome and Mattarella is the leader", the second clause hung on "Rome"
    found = written_doc(clearnlp, blank, [
        ("Lumezzane", "PROPN", "NNP", "nsubj", 1, "Lumezzane", "B-ORG"),
        ("plays", "VERB", "VBZ", "ROOT", 1, "play", "O"),
        ("in", "ADP", "IN", "prep", 1, "in", "O"), ("Italy", "PROPN", "NNP", "pobj", 2, "Italy", "B-GPE"),
        (",", "PUNCT", ",", "punct", 3, ",", "O"), ("where", "SCONJ", "WRB", "advmod", 7, "where", "O"),
        ("the", "DET", "DT", "det", 7, "the", "O"), ("capital", "NOUN", "NN", "nsubj", 8, "capital", "O"),
        ("is", "AUX", "VBZ", "relcl", 3, "be", "O"), ("Rome", "PROPN", "NNP", "attr", 8, "Rome", "B-GPE"),
        ("and", "CCONJ", "CC", "cc", 9, "and", "O"),
        ("Mattarella", "PROPN", "NNP", "conj", 9, "Mattarella", "B-PERSON"),
        ("is", "AUX", "VBZ", "conj", 8, "be", "O"), ("the", "DET", "DT", "det", 14, "the", "O"),
        ("leader", "NOUN", "NN", "attr", 12, "leader", "O"), (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    assert {("italy", "capital", "rome", False), ("italy", "leader", "mattarella", False)} <= found, found


def test_clearnlp_where_a_participle_clause(blank: Language, clearnlp: SpacyExtractor) -> None:  # noqa: F811
    # "Bionico comes from Mexico, where Spanish is spoken and Puebla is located."
    found = written_doc(clearnlp, blank, [
        ("Bionico", "PROPN", "NNP", "nsubj", 1, "Bionico", "B-PRODUCT"),
        ("comes", "VERB", "VBZ", "ROOT", 1, "come", "O"),
        ("from", "ADP", "IN", "prep", 1, "from", "O"), ("Mexico", "PROPN", "NNP", "pobj", 2, "Mexico", "B-GPE"),
        (",", "PUNCT", ",", "punct", 3, ",", "O"), ("where", "SCONJ", "WRB", "advmod", 8, "where", "O"),
        ("Spanish", "PROPN", "NNP", "nsubjpass", 8, "Spanish", "B-LANGUAGE"),
        ("is", "AUX", "VBZ", "auxpass", 8, "be", "O"), ("spoken", "VERB", "VBN", "relcl", 3, "speak", "O"),
        ("and", "CCONJ", "CC", "cc", 8, "and", "O"), ("Puebla", "PROPN", "NNP", "nsubjpass", 12, "Puebla", "B-GPE"),
        ("is", "AUX", "VBZ", "auxpass", 12, "be", "O"), ("located", "VERB", "VBN", "conj", 8, "locate", "O"),
        (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    assert {("mexico", "spoken", "spanish", False), ("puebla", "located in", "mexico", False)} <= found, found


def test_names_after_a_stranded_by_are_the_agents(ud: SpacyExtractor) -> None:
    # the stand-in hangs the names after "by" as the subject of "located"
    found = written(ud, "The Memorial was designed by Huseyin Butuner and Hilmi Guner and is located in Azerbaijan.")
    assert ("memorial", "designed by", "hilmi guner", False) in found, found
    assert not {k for k in found if k[0] in {"huseyin butuner", "hilmi guner"}}, found


def test_clearnlp_names_after_a_stranded_by_are_the_agents(blank: Language, clearnlp: SpacyExtractor) -> None:  # noqa: F811
    found = written_doc(clearnlp, blank, [
        ("Memorial", "PROPN", "NNP", "nsubjpass", 2, "Memorial", "B-FAC"),
        ("was", "AUX", "VBD", "auxpass", 2, "be", "O"), ("designed", "VERB", "VBN", "ROOT", 2, "design", "O"),
        ("by", "ADP", "IN", "agent", 2, "by", "O"), ("Butuner", "PROPN", "NNP", "nsubjpass", 7, "Butuner", "B-PERSON"),
        ("and", "CCONJ", "CC", "cc", 7, "and", "O"), ("is", "AUX", "VBZ", "auxpass", 7, "be", "O"),
        ("located", "VERB", "VBN", "conj", 2, "locate", "O"), ("in", "ADP", "IN", "prep", 7, "in", "O"),
        ("Baku", "PROPN", "NNP", "pobj", 8, "Baku", "B-GPE"), (".", "PUNCT", ".", "punct", 2, ".", "O"),
    ])  # fmt: skip
    assert {("memorial", "designed by", "butuner", False), ("memorial", "located in", "baku", False)} <= found, found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The capital of Italy is Rome and the leader is Pietro Grasso.", ("italy", "leader", "pietro grasso", False)),
        ("The capital of Italy is Rome, the leader is Pietro Grasso.", ("italy", "leader", "pietro grasso", False)),
        (
            "Austin is the capital of Texas and the largest city is Houston.",
            ("texas", "largest city", "houston", False),
        ),
    ],
)
def test_an_ownerless_noun_in_a_coordinated_clause_takes_the_owner_before(
    ud: SpacyExtractor, text: str, expected: Key
) -> None:
    found = written(ud, text)
    assert expected in found, found


def test_clearnlp_an_ownerless_noun_in_a_coordinated_clause(blank: Language, clearnlp: SpacyExtractor) -> None:  # noqa: F811
    found = written_doc(clearnlp, blank, [
        ("The", "DET", "DT", "det", 1, "the", "O"), ("capital", "NOUN", "NN", "nsubj", 4, "capital", "O"),
        ("of", "ADP", "IN", "prep", 1, "of", "O"), ("Italy", "PROPN", "NNP", "pobj", 2, "Italy", "B-GPE"),
        ("is", "AUX", "VBZ", "ROOT", 4, "be", "O"), ("Rome", "PROPN", "NNP", "attr", 4, "Rome", "B-GPE"),
        ("and", "CCONJ", "CC", "cc", 4, "and", "O"), ("the", "DET", "DT", "det", 8, "the", "O"),
        ("leader", "NOUN", "NN", "nsubj", 9, "leader", "O"), ("is", "AUX", "VBZ", "conj", 4, "be", "O"),
        ("Grasso", "PROPN", "NNP", "attr", 9, "Grasso", "B-PERSON"), (".", "PUNCT", ".", "punct", 4, ".", "O"),
    ])  # fmt: skip
    assert ("italy", "leader", "grasso", False) in found, found


def test_clearnlp_a_fronted_place_opens_a_run(blank: Language, clearnlp: SpacyExtractor) -> None:  # noqa: F811
    # "In Austria, the language is German."
    found = written_doc(clearnlp, blank, [
        ("In", "ADP", "IN", "prep", 5, "in", "O"), ("Austria", "PROPN", "NNP", "pobj", 0, "Austria", "B-GPE"),
        (",", "PUNCT", ",", "punct", 5, ",", "O"), ("the", "DET", "DT", "det", 4, "the", "O"),
        ("language", "NOUN", "NN", "nsubj", 5, "language", "O"), ("is", "AUX", "VBZ", "ROOT", 5, "be", "O"),
        ("German", "PROPN", "NNP", "attr", 5, "German", "B-LANGUAGE"), (".", "PUNCT", ".", "punct", 5, ".", "O"),
    ])  # fmt: skip
    assert ("austria", "language", "german", False) in found, found


def test_clearnlp_whose_opens_a_run(blank: Language, clearnlp: SpacyExtractor) -> None:  # noqa: F811
    # "Paella comes from Spain, whose leader is Felipe and Euro is its currency."
    found = written_doc(clearnlp, blank, [
        ("Paella", "PROPN", "NNP", "nsubj", 1, "Paella", "B-PRODUCT"), ("comes", "VERB", "VBZ", "ROOT", 1, "come", "O"),
        ("from", "ADP", "IN", "prep", 1, "from", "O"), ("Spain", "PROPN", "NNP", "pobj", 2, "Spain", "B-GPE"),
        (",", "PUNCT", ",", "punct", 3, ",", "O"), ("whose", "DET", "WP$", "poss", 6, "whose", "O"),
        ("leader", "NOUN", "NN", "nsubj", 7, "leader", "O"), ("is", "AUX", "VBZ", "relcl", 3, "be", "O"),
        ("Felipe", "PROPN", "NNP", "attr", 7, "Felipe", "B-PERSON"), ("and", "CCONJ", "CC", "cc", 7, "and", "O"),
        ("Euro", "PROPN", "NNP", "nsubj", 11, "Euro", "B-MONEY"), ("is", "AUX", "VBZ", "conj", 7, "be", "O"),
        ("its", "PRON", "PRP$", "poss", 13, "its", "O"), ("currency", "NOUN", "NN", "attr", 11, "currency", "O"),
        (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    assert {("spain", "leader", "felipe", False), ("spain", "currency", "euro", False)} <= found, found
