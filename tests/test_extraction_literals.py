"""Dates and quantities as typed literals: read on both label schemes, written to Neo4j, served by
``/v1/facts``; rule confidences and the floor; and the scoring math of ``bench/extraction.py``."""

from __future__ import annotations

import pytest
import spacy
from fastapi.testclient import TestClient
from spacy.language import Language

from memcubedb.config.extraction import ExtractionConfig, ResolutionConfig
from memcubedb.extraction.documents import Document
from memcubedb.extraction.evaluation import capitalised_pairs, score_text
from memcubedb.extraction.ingest import ingest
from memcubedb.extraction.labels import CLEARNLP
from memcubedb.extraction.literals import Literal, number, typed
from memcubedb.extraction.reader import MemReader
from memcubedb.extraction.spacy_extractor import SpacyExtractor
from memcubedb.extraction.triples import TextUnit, Triple
from memcubedb.graph.store import GraphStore
from tests.api_helpers import Keys
from tests.test_extraction_clearnlp import Row, make_doc

pytest_plugins = ["tests.api_fixtures"]

Typed = tuple[str, str, str | None, str | None, str | None]  # subject, predicate, value, datatype, unit

UD_CASES: list[tuple[str, Typed]] = [
    ("Buzz Aldrin was born on 20 January 1930.", ("buzz aldrin", "born on", "1930-01-20", "xsd:date", None)),
    ("Alan Shepard died on July 21st, 1998.", ("alan shepard", "die on", "1998-07-21", "xsd:date", None)),
    ("The Acme plant opened in March 1998.", ("acme plant", "open in", "1998-03", "xsd:gYearMonth", None)),
    ("Abilene has an area of 286.5 square kilometres.",
     ("abilene", "area", "286.5", "xsd:decimal", "square kilometres")),
    ("Denmark's population is 5,800,000.", ("denmark", "population", "5800000", "xsd:integer", None)),
    ("Adirondack Regional Airport is 507 metres above sea level.",
     ("adirondack regional airport", "is above sea level", "507", "xsd:integer", "metres")),
    ("Agra Airport is located 167.94 metres above sea level.",
     ("agra airport", "located above sea level", "167.94", "xsd:decimal", "metres")),
    ("Alex Plante is 1.9304m tall.", ("alex plante", "height", "1.9304", "xsd:decimal", "m")),
    ("The AIDAstella is 253260.0 millimetres in length.",
     ("aidastella", "length", "253260.0", "xsd:decimal", "millimetres")),
    ("Ceres has a surface area of 2.77 square kilometres, an apoapsis of 523951582.3 kilometres, and a temperature "
     "of 164.0 kelvins.", ("ceres", "temperature", "164.0", "xsd:decimal", "kelvins")),
    ("Ceres has an average speed of 37.16 kilometres per second.",
     ("ceres", "average speed", "37.16", "xsd:decimal", "kilometres per second")),
    ("Abilene, Texas is 524 above sea level.", ("abilene, texas", "is above sea level", "524", "xsd:integer", None)),
    ("The Ariane 5 had its first voyage August 11, 2005 and its last flight on December 18, 2009.",
     ("ariane 5", "last flight on", "2009-12-18", "xsd:date", None)),
    ("The inauguration date for the Atatürk Monument is 1932-07-27.",
     ("atatürk monument", "inauguration date", "1932-07-27", "xsd:date", None)),
    ("Born on October 17th, 1933 in British Hong Kong, William Anders would serve as a crew member on Apollo 8.",
     ("william anders", "born on", "1933-10-17", "xsd:date", None)),
    ("Elliot See, born July 23 1927 in Dallas, has died.", ("elliot see", "born on", "1927-07-23", "xsd:date", None)),
    ("The runway name of Ardmore Airport is 03L/21R.",
     ("ardmore airport", "runway name", "03L/21R", "xsd:string", None)),
    ("Albuquerque has a total area of 490.9 sq km.", ("albuquerque", "total area", "490.9", "xsd:decimal", "sq km")),
    ("Hygiea has a temperature of 164 degrees Kelvin.",
     ("hygiea", "temperature", "164", "xsd:integer", "degrees kelvin")),
    ("The Audi A1 has a 1.2 litre engine.", ("audi a1", "engine", "1.2", "xsd:decimal", "litre")),
    ("The airport has a 4,349 kilometers long runway.",
     ("airport", "runway length", "4349", "xsd:integer", "kilometers")),
    ("There are 60 floors at 300 North LaSalle.", ("300 north lasalle", "have", "60", "xsd:integer", "floors")),
]  # fmt: skip

CLEARNLP_CASES: list[tuple[list[Row], Typed]] = [
    ([("Aldrin", "PROPN", "NNP", "nsubjpass", 2, "Aldrin", "B-PERSON"),
      ("was", "AUX", "VBD", "auxpass", 2, "be", "O"), ("born", "VERB", "VBN", "ROOT", 2, "bear", "O"),
      ("on", "ADP", "IN", "prep", 2, "on", "O"), ("January", "PROPN", "NNP", "pobj", 3, "January", "B-DATE"),
      ("20", "NUM", "CD", "nummod", 4, "20", "I-DATE"), (",", "PUNCT", ",", "punct", 4, ",", "I-DATE"),
      ("1930", "NUM", "CD", "nummod", 4, "1930", "I-DATE"), (".", "PUNCT", ".", "punct", 2, ".", "O")],
     ("aldrin", "born on", "1930-01-20", "xsd:date", None)),
    ([("Abilene", "PROPN", "NNP", "nsubj", 1, "Abilene", "B-GPE"), ("has", "VERB", "VBZ", "ROOT", 1, "have", "O"),
      ("an", "DET", "DT", "det", 3, "an", "O"), ("area", "NOUN", "NN", "dobj", 1, "area", "O"),
      ("of", "ADP", "IN", "prep", 3, "of", "O"), ("286.5", "NUM", "CD", "nummod", 7, "286.5", "B-QUANTITY"),
      ("square", "ADJ", "JJ", "amod", 7, "square", "I-QUANTITY"),
      ("kilometres", "NOUN", "NNS", "pobj", 4, "kilometre", "I-QUANTITY"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
     ("abilene", "area", "286.5", "xsd:decimal", "square kilometres")),
    ([("Abilene", "PROPN", "NNP", "nsubj", 1, "Abilene", "B-GPE"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
      ("524", "NUM", "CD", "nummod", 3, "524", "B-QUANTITY"),
      ("metres", "NOUN", "NNS", "npadvmod", 4, "metre", "I-QUANTITY"), ("above", "ADP", "IN", "prep", 1, "above", "O"),
      ("sea", "NOUN", "NN", "compound", 6, "sea", "O"), ("level", "NOUN", "NN", "pobj", 4, "level", "O"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     ("abilene", "is above sea level", "524", "xsd:integer", "metres")),
    ([("Plante", "PROPN", "NNP", "nsubj", 1, "Plante", "B-PERSON"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
      ("1.9", "NUM", "CD", "nummod", 3, "1.9", "B-QUANTITY"), ("m", "NOUN", "NN", "npadvmod", 4, "m", "I-QUANTITY"),
      ("tall", "ADJ", "JJ", "acomp", 1, "tall", "O"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
     ("plante", "height", "1.9", "xsd:decimal", "m")),
    ([("Ceres", "PROPN", "NNP", "nsubj", 1, "Ceres", "B-LOC"), ("has", "VERB", "VBZ", "ROOT", 1, "have", "O"),
      ("a", "DET", "DT", "det", 3, "a", "O"), ("mass", "NOUN", "NN", "dobj", 1, "mass", "O"),
      ("of", "ADP", "IN", "prep", 3, "of", "O"), ("9.8", "NUM", "CD", "nummod", 6, "9.8", "B-QUANTITY"),
      ("kg", "NOUN", "NN", "pobj", 4, "kg", "I-QUANTITY"), ("and", "CCONJ", "CC", "cc", 6, "and", "O"),
      ("a", "DET", "DT", "det", 9, "a", "O"), ("periapsis", "NOUN", "NN", "conj", 6, "periapsis", "O"),
      ("of", "ADP", "IN", "prep", 9, "of", "O"), ("2.5", "NUM", "CD", "pobj", 10, "2.5", "B-CARDINAL"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     ("ceres", "periapsis", "2.5", "xsd:decimal", None)),
    ([("Ceres", "PROPN", "NNP", "nsubj", 1, "Ceres", "B-LOC"), ("has", "VERB", "VBZ", "ROOT", 1, "have", "O"),
      ("a", "DET", "DT", "det", 3, "a", "O"), ("speed", "NOUN", "NN", "dobj", 1, "speed", "O"),
      ("of", "ADP", "IN", "prep", 3, "of", "O"), ("18.5", "NUM", "CD", "nummod", 6, "18.5", "B-QUANTITY"),
      ("km", "NOUN", "NN", "pobj", 4, "km", "I-QUANTITY"), ("/", "SYM", "SYM", "punct", 6, "/", "I-QUANTITY"),
      ("h", "NOUN", "NN", "appos", 6, "h", "I-QUANTITY"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
     ("ceres", "speed", "18.5", "xsd:decimal", "km/h")),
    ([("The", "DET", "DT", "det", 1, "the", "O"), ("length", "NOUN", "NN", "nsubj", 4, "length", "O"),
      ("for", "ADP", "IN", "prep", 1, "for", "O"), ("Ceres", "PROPN", "NNP", "pobj", 2, "Ceres", "B-LOC"),
      ("is", "AUX", "VBZ", "ROOT", 4, "be", "O"), ("5.4", "NUM", "CD", "attr", 4, "5.4", "B-CARDINAL"),
      (".", "PUNCT", ".", "punct", 4, ".", "O")],
     ("ceres", "length", "5.4", "xsd:decimal", None)),
    ([("Born", "VERB", "VBN", "advcl", 7, "bear", "O"), ("on", "ADP", "IN", "prep", 0, "on", "O"),
      ("17", "NUM", "CD", "nummod", 3, "17", "B-DATE"), ("October", "PROPN", "NNP", "pobj", 1, "October", "I-DATE"),
      ("1933", "NUM", "CD", "nummod", 3, "1933", "I-DATE"), (",", "PUNCT", ",", "punct", 7, ",", "O"),
      ("Anders", "PROPN", "NNP", "nsubj", 7, "Anders", "B-PERSON"), ("served", "VERB", "VBD", "ROOT", 7, "serve", "O"),
      (".", "PUNCT", ".", "punct", 7, ".", "O")],
     ("anders", "born on", "1933-10-17", "xsd:date", None)),
    ([("The", "DET", "DT", "det", 2, "the", "O"), ("runway", "NOUN", "NN", "compound", 2, "runway", "O"),
      ("name", "NOUN", "NN", "nsubj", 5, "name", "O"), ("of", "ADP", "IN", "prep", 2, "of", "O"),
      ("Ardmore", "PROPN", "NNP", "pobj", 3, "Ardmore", "B-FAC"), ("is", "AUX", "VBZ", "ROOT", 5, "be", "O"),
      ("03L/21R", "PROPN", "NNP", "attr", 5, "03L/21R", "O"), (".", "PUNCT", ".", "punct", 5, ".", "O")],
     ("ardmore", "runway name", "03L/21R", "xsd:string", None)),
    ([("Audi", "PROPN", "NNP", "nsubj", 1, "Audi", "B-ORG"), ("has", "VERB", "VBZ", "ROOT", 1, "have", "O"),
      ("a", "DET", "DT", "det", 5, "a", "O"), ("1.2", "NUM", "CD", "nummod", 4, "1.2", "B-QUANTITY"),
      ("litre", "NOUN", "NN", "compound", 5, "litre", "I-QUANTITY"), ("engine", "NOUN", "NN", "dobj", 1, "engine", "O"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     ("audi", "engine", "1.2", "xsd:decimal", "litre")),
    ([("There", "PRON", "EX", "expl", 1, "there", "O"), ("are", "VERB", "VBP", "ROOT", 1, "be", "O"),
      ("45", "NUM", "CD", "nummod", 3, "45", "B-CARDINAL"), ("floors", "NOUN", "NNS", "attr", 1, "floor", "O"),
      ("at", "ADP", "IN", "prep", 3, "at", "O"), ("Lakeside", "PROPN", "NNP", "compound", 6, "Lakeside", "B-FAC"),
      ("Tower", "PROPN", "NNP", "pobj", 4, "Tower", "I-FAC"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
     ("lakeside tower", "have", "45", "xsd:integer", "floors")),
]  # fmt: skip


def typed_facts(triples: list[Triple]) -> set[Typed]:
    return {(t.subject.name.casefold(), t.predicate, t.object_value, t.datatype, t.unit) for t in triples}


@pytest.fixture(scope="module")
def ud() -> SpacyExtractor:
    return SpacyExtractor(ExtractionConfig())


@pytest.fixture(scope="module")
def clearnlp() -> tuple[Language, SpacyExtractor]:
    blank = spacy.blank("en")
    return blank, SpacyExtractor(ExtractionConfig(), nlp=blank, scheme=CLEARNLP)


@pytest.mark.parametrize(("text", "expected"), UD_CASES, ids=[c[0][:40] for c in UD_CASES])
def test_ud_values_are_typed_literals(ud: SpacyExtractor, text: str, expected: Typed) -> None:
    (extraction,) = ud.extract([TextUnit(text=text, context_id=text, opens_context=True)])
    found = typed_facts(extraction.triples)
    assert expected in found, found


@pytest.mark.parametrize(("rows", "expected"), CLEARNLP_CASES, ids=[c[1][1] for c in CLEARNLP_CASES])
def test_clearnlp_values_are_typed_literals(
    clearnlp: tuple[Language, SpacyExtractor], rows: list[Row], expected: Typed
) -> None:
    blank, extractor = clearnlp
    doc = make_doc(blank, rows)
    unit = TextUnit(text=doc.text, context_id=doc.text, opens_context=True)
    found = typed_facts(extractor.extract_doc(doc, unit).triples)
    assert expected in found, found


def test_a_measure_phrase_is_no_thing_of_its_own(ud: SpacyExtractor) -> None:
    text = "Al Asad Airbase is 618 ft above sea level. Alex Plante is 1.9304m tall."
    (extraction,) = ud.extract([TextUnit(text=text, context_id=text, opens_context=True)])
    objects = {t.object.name for t in extraction.triples}
    assert objects == {"618 ft", "1.9304 m"}, objects  # no (…, is above, sea level), no (…, is, tall)
    assert {t.rule for t in extraction.triples} == {"measure"}


def test_literal_forms() -> None:
    assert number("1,234") == typed("1234", is_date=False)
    assert typed("1963-05", is_date=True).datatype == "xsd:gYearMonth"  # type: ignore[union-attr]
    assert typed("blue", is_date=False) is None and typed("last week", is_date=True) is None
    assert typed("12 fans", is_date=False).unit == "fans"  # type: ignore[union-attr]
    assert typed("18.5 km/h", is_date=False) == Literal("18.5", "xsd:decimal", "km/h")


def test_dates_and_quantities_round_trip_into_the_graph_and_the_api(
    client: TestClient, keys: Keys, store: GraphStore
) -> None:
    text = (
        "Buzz Aldrin was born on 20 January 1930. Abilene has an area of 286.5 square kilometres. Al Asad Airbase "
        "is 618 ft above sea level. The AIDAluna had its maiden voyage on the 22nd of March, 2009, and has a top "
        "speed of 18.5 km/h. The runway name of Ardmore Airport is 03L/21R."
    )
    config = ExtractionConfig(resolution=ResolutionConfig(embedding_model=None))
    ingest(store, [Document(uri="test://literals", text=text)], config=config, owner="alice", progress=False)
    items = client.get("/v1/facts", params={"limit": 100}, headers=keys["alice"]).json()["items"]
    values = {(f["subject"], f["predicate"], f["object_value"], f["datatype"], f["unit"]) for f in items}
    assert ("Buzz Aldrin", "born on", "1930-01-20", "xsd:date", None) in values
    assert ("Abilene", "area", "286.5", "xsd:decimal", "square kilometres") in values
    assert ("Al Asad Airbase", "is above sea level", "618", "xsd:integer", "ft") in values
    assert ("AIDAluna", "maiden voyage on", "2009-03-22", "xsd:date", None) in values
    assert ("AIDAluna", "top speed", "18.5", "xsd:decimal", "km/h") in values
    assert ("Ardmore Airport", "runway name", "03L/21R", "xsd:string", None) in values
    listed = client.get("/v1/entities", params={"limit": 100}, headers=keys["alice"]).json()["items"]
    entities = {e["name"] for e in listed}
    assert "sea level" not in entities and "618 ft" in entities  # the measure phrase is no thing; the value is
    assert all(f["object_value"] is None for f in items if f["datatype"] is None)
    assert client.get("/v1/facts", headers=keys["bob"]).json()["items"] == []  # bob reads none of alice's


def test_entity_pair_matching_is_one_to_one_with_token_jaccard() -> None:
    gold = [("Glen Ridge, New Jersey", "birthPlace", "x"), ("Aldrin", "birthPlace", "Glen_Ridge")]
    predicted = [("Aldrin", "born in", "Glen Ridge"), ("Aldrin", "born in", "glen ridge"), ("Aldrin", "is", "Ridge")]
    counts = score_text(predicted, gold)
    # two distinct normalised pairs; one gold pair is matched once (Jaccard {ridge}/{glen, ridge} = 0.5)
    assert (counts.pairs.tp, counts.pairs.predicted, counts.pairs.gold) == (1, 2, 2)
    assert counts.exact.tp == 0
    assert score_text([("Aldrin", "birthplace", "glen ridge")], gold).exact.tp == 1
    assert capitalised_pairs("Buzz Aldrin met the Queen of England in Glen Ridge.") == [
        ("Buzz Aldrin", "related to", "Queen of England"),
        ("Buzz Aldrin", "related to", "Glen Ridge"),
        ("Queen of England", "related to", "Glen Ridge"),
    ]


def test_each_rule_sets_its_confidence_and_memreader_writes_nothing_below_the_floor(ud: SpacyExtractor) -> None:
    text = "Alice visited the museum in Lyon. Denmark's leader is Lars Rasmussen."
    (extraction,) = ud.extract([TextUnit(text=text, context_id=text, opens_context=True)])
    rules = {t.key()[:3]: (t.rule, t.confidence) for t in extraction.triples}
    conf = ud.config.confidence
    # "museum" is a generic head as well: the rule's confidence times the generic factor
    assert rules[("museum", "in", "lyon")] == ("noun_modifier", round(conf.noun_modifier * conf.generic_factor, 4))
    assert rules[("denmark", "leader", "lars rasmussen")] == ("attribute", conf.attribute)
    assert conf.noun_modifier < conf.floor <= conf.attribute
    config = ExtractionConfig(resolution=ResolutionConfig(embedding_model=None))
    (write,) = MemReader(config).read([Document(uri="test://floor", text=text)])
    assert write.facts and all(f.confidence >= conf.floor for f in write.facts)
    predicates = {f.predicate for f in write.facts}
    assert predicates >= {"visit museum in", "leader"} and "in" not in predicates
