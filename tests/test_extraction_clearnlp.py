"""The same rules on ClearNLP-labelled parses (the scheme of spaCy's ``en_core_web_*``).

``en_core_web_sm`` cannot be downloaded here, so these Docs carry, token by token, the
annotation that pipeline produces (ClearNLP dependencies, PTB tags, OntoNotes entities); the
extractor runs on them exactly as it would on its output.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from memcubedb.config.extraction import ExtractionConfig
from memcubedb.extraction.labels import CLEARNLP, UD, UnknownLabelSchemeError, detect_scheme
from memcubedb.extraction.spacy_extractor import SpacyExtractor
from memcubedb.extraction.triples import TextUnit

# word, POS, tag, dep, head index, lemma, IOB entity
Row = tuple[str, str, str, str, int, str, str]


@pytest.fixture(scope="module")
def blank() -> Language:
    return spacy.blank("en")


@pytest.fixture(scope="module")
def extractor(blank: Language) -> SpacyExtractor:
    return SpacyExtractor(ExtractionConfig(), nlp=blank, scheme=CLEARNLP)


def make_doc(blank: Language, rows: list[Row]) -> Doc:
    words = [r[0] for r in rows]
    spaces = [k + 1 < len(rows) and rows[k + 1][1] != "PUNCT" and rows[k + 1][0] != "'s" for k in range(len(rows))]
    return Doc(
        blank.vocab, words=words, spaces=spaces, pos=[r[1] for r in rows], tags=[r[2] for r in rows],
        deps=[r[3] for r in rows], heads=[r[4] for r in rows], lemmas=[r[5] for r in rows], ents=[r[6] for r in rows],
    )  # fmt: skip


def triples(extractor: SpacyExtractor, doc: Doc, speaker: str | None = None) -> set[tuple[str, str, str, bool]]:
    unit = TextUnit(text=doc.text, speaker=speaker, addressee="Bea" if speaker else None,
                    timestamp=datetime(2023, 5, 8, tzinfo=UTC), context_id=doc.text, opens_context=True)  # fmt: skip
    return {t.key() for t in extractor.extract_doc(doc, unit).triples}


CASES: list[tuple[list[Row], str | None, set[tuple[str, str, str, bool]]]] = [
    ([("Bob", "PROPN", "NNP", "nsubj", 1, "Bob", "B-PERSON"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
      ("the", "DET", "DT", "det", 3, "the", "O"), ("CTO", "NOUN", "NN", "attr", 1, "cto", "O"),
      ("of", "ADP", "IN", "prep", 3, "of", "O"), ("Acme", "PROPN", "NNP", "pobj", 4, "Acme", "B-ORG"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("acme", "cto", "bob", False)}),
    ([("Alice", "PROPN", "NNP", "nsubj", 1, "Alice", "B-PERSON"), ("works", "VERB", "VBZ", "ROOT", 1, "work", "O"),
      ("at", "ADP", "IN", "prep", 1, "at", "O"), ("Acme", "PROPN", "NNP", "pobj", 2, "Acme", "B-ORG"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("alice", "work at", "acme", False)}),
    ([("Carol", "PROPN", "NNP", "nsubj", 3, "Carol", "B-PERSON"), ("does", "AUX", "VBZ", "aux", 3, "do", "O"),
      ("not", "PART", "RB", "neg", 3, "not", "O"), ("like", "VERB", "VB", "ROOT", 3, "like", "O"),
      ("coffee", "NOUN", "NN", "dobj", 3, "coffee", "O"), (".", "PUNCT", ".", "punct", 3, ".", "O")],
     None, {("carol", "like", "coffee", True)}),
    ([("Alice", "PROPN", "NNP", "poss", 2, "Alice", "B-PERSON"), ("'s", "PART", "POS", "case", 0, "'s", "O"),
      ("sister", "NOUN", "NN", "compound", 3, "sister", "O"),
      ("Carol", "PROPN", "NNP", "nsubj", 4, "Carol", "B-PERSON"),
      ("lives", "VERB", "VBZ", "ROOT", 4, "live", "O"), ("in", "ADP", "IN", "prep", 4, "in", "O"),
      ("Paris", "PROPN", "NNP", "pobj", 5, "Paris", "B-GPE"), (".", "PUNCT", ".", "punct", 4, ".", "O")],
     None, {("alice", "sister", "carol", False), ("carol", "live in", "paris", False)}),
    ([("Acme", "PROPN", "NNP", "nsubjpass", 2, "Acme", "B-ORG"), ("was", "AUX", "VBD", "auxpass", 2, "be", "O"),
      ("founded", "VERB", "VBN", "ROOT", 2, "found", "O"), ("by", "ADP", "IN", "agent", 2, "by", "O"),
      ("Bob", "PROPN", "NNP", "pobj", 3, "Bob", "B-PERSON"), ("in", "ADP", "IN", "prep", 2, "in", "O"),
      ("2019", "NUM", "CD", "pobj", 5, "2019", "B-DATE"), (".", "PUNCT", ".", "punct", 2, ".", "O")],
     None, {("acme", "founded by", "bob", False)}),
    ([("Maria", "PROPN", "NNP", "nsubj", 1, "Maria", "B-PERSON"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
      ("from", "ADP", "IN", "prep", 1, "from", "O"), ("Brazil", "PROPN", "NNP", "pobj", 2, "Brazil", "B-GPE"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("maria", "is from", "brazil", False)}),
    ([("Bob", "PROPN", "NNP", "nsubj", 7, "Bob", "B-PERSON"), (",", "PUNCT", ",", "punct", 0, ",", "O"),
      ("the", "DET", "DT", "det", 3, "the", "O"), ("founder", "NOUN", "NN", "appos", 0, "founder", "O"),
      ("of", "ADP", "IN", "prep", 3, "of", "O"), ("Acme", "PROPN", "NNP", "pobj", 4, "Acme", "B-ORG"),
      (",", "PUNCT", ",", "punct", 0, ",", "O"), ("met", "VERB", "VBD", "ROOT", 7, "meet", "O"),
      ("Dana", "PROPN", "NNP", "dobj", 7, "Dana", "B-PERSON"), (".", "PUNCT", ".", "punct", 7, ".", "O")],
     None, {("acme", "founder", "bob", False), ("bob", "meet", "dana", False)}),
    ([("I", "PRON", "PRP", "nsubj", 1, "I", "O"), ("gave", "VERB", "VBD", "ROOT", 1, "give", "O"),
      ("Maria", "PROPN", "NNP", "dative", 1, "Maria", "B-PERSON"), ("a", "DET", "DT", "det", 4, "a", "O"),
      ("book", "NOUN", "NN", "dobj", 1, "book", "O"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
     "Ann", {("ann", "give", "book", False), ("ann", "give to", "maria", False)}),
    # relational nouns read as their owner's attribute
    ([("Denmark", "PROPN", "NNP", "poss", 2, "Denmark", "B-GPE"), ("'s", "PART", "POS", "case", 0, "'s", "O"),
      ("leader", "NOUN", "NN", "nsubj", 3, "leader", "O"), ("is", "AUX", "VBZ", "ROOT", 3, "be", "O"),
      ("Lars", "PROPN", "NNP", "compound", 5, "Lars", "B-PERSON"),
      ("Rasmussen", "PROPN", "NNP", "attr", 3, "Rasmussen", "I-PERSON"), (".", "PUNCT", ".", "punct", 3, ".", "O")],
     None, {("denmark", "leader", "lars rasmussen", False)}),
    ([("The", "DET", "DT", "det", 1, "the", "O"), ("capital", "NOUN", "NN", "nsubj", 4, "capital", "O"),
      ("of", "ADP", "IN", "prep", 1, "of", "O"), ("Germany", "PROPN", "NNP", "pobj", 2, "Germany", "B-GPE"),
      ("is", "AUX", "VBZ", "ROOT", 4, "be", "O"), ("Berlin", "PROPN", "NNP", "attr", 4, "Berlin", "B-GPE"),
      (".", "PUNCT", ".", "punct", 4, ".", "O")],
     None, {("germany", "capital", "berlin", False)}),
    ([("Paris", "PROPN", "NNP", "nsubj", 1, "Paris", "B-GPE"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
      ("in", "ADP", "IN", "prep", 1, "in", "O"), ("France", "PROPN", "NNP", "pobj", 2, "France", "B-GPE"),
      (",", "PUNCT", ",", "punct", 3, ",", "O"), ("where", "SCONJ", "WRB", "advmod", 8, "where", "O"),
      ("the", "DET", "DT", "det", 7, "the", "O"), ("currency", "NOUN", "NN", "nsubj", 8, "currency", "O"),
      ("is", "AUX", "VBZ", "relcl", 3, "be", "O"), ("the", "DET", "DT", "det", 10, "the", "O"),
      ("euro", "NOUN", "NN", "attr", 8, "euro", "O"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("paris", "is in", "france", False), ("france", "currency", "euro", False)}),
    ([("Marv", "PROPN", "NNP", "nsubj", 1, "Marv", "B-PERSON"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
      ("a", "DET", "DT", "det", 3, "a", "O"), ("recipient", "NOUN", "NN", "attr", 1, "recipient", "O"),
      ("of", "ADP", "IN", "prep", 3, "of", "O"), ("Eagle", "PROPN", "NNP", "pobj", 4, "Eagle", "B-ORG"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("eagle", "recipient", "marv", False)}),
    ([("Webster", "PROPN", "NNP", "nsubj", 1, "Webster", "B-PERSON"), ("was", "AUX", "VBD", "ROOT", 1, "be", "O"),
      ("a", "DET", "DT", "det", 3, "a", "O"), ("leader", "NOUN", "NN", "attr", 1, "leader", "O"),
      ("of", "ADP", "IN", "prep", 3, "of", "O"), ("Whigs", "PROPN", "NNPS", "pobj", 4, "Whigs", "B-ORG"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("whigs", "leader", "webster", False)}),
    # a membership keeps its subject
    ([("Sibal", "PROPN", "NNP", "nsubj", 1, "Sibal", "B-PERSON"), ("was", "AUX", "VBD", "ROOT", 1, "be", "O"),
      ("a", "DET", "DT", "det", 3, "a", "O"), ("member", "NOUN", "NN", "attr", 1, "member", "O"),
      ("of", "ADP", "IN", "prep", 3, "of", "O"), ("Whigs", "PROPN", "NNPS", "pobj", 4, "Whigs", "B-ORG"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("sibal", "is member of", "whigs", False)}),
    # possessives: "X is Y's N" → (Y, N, X); "Y's N was on Z" → (Y, N on, Z) with a typed date
    ([("Diya", "PROPN", "NNP", "nsubj", 1, "Diya", "B-PERSON"), ("was", "AUX", "VBD", "ROOT", 1, "be", "O"),
      ("Akhigbe", "PROPN", "NNP", "poss", 4, "Akhigbe", "B-PERSON"), ("'s", "PART", "POS", "case", 2, "'s", "O"),
      ("predecessor", "NOUN", "NN", "attr", 1, "predecessor", "O"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("akhigbe", "predecessor", "diya", False)}),
    ([("Antares", "PROPN", "NNP", "poss", 3, "Antares", "B-PRODUCT"), ("'s", "PART", "POS", "case", 0, "'s", "O"),
      ("maiden", "ADJ", "JJ", "amod", 3, "maiden", "O"), ("flight", "NOUN", "NN", "nsubj", 4, "flight", "O"),
      ("was", "AUX", "VBD", "ROOT", 4, "be", "O"), ("on", "ADP", "IN", "prep", 4, "on", "O"),
      ("21", "NUM", "CD", "nummod", 7, "21", "B-DATE"), ("April", "PROPN", "NNP", "pobj", 5, "April", "I-DATE"),
      ("2013", "NUM", "CD", "nummod", 7, "2013", "I-DATE"), (".", "PUNCT", ".", "punct", 4, ".", "O")],
     None, {("antares", "maiden flight on", "2013-04-21", False)}),
    # "X has its N at Y" → (X, N at, Y); "served as a N on Y" keeps the N in the predicate
    ([("Kourou", "PROPN", "NNP", "nsubj", 1, "Kourou", "B-GPE"), ("has", "VERB", "VBZ", "ROOT", 1, "have", "O"),
      ("its", "PRON", "PRP$", "poss", 3, "its", "O"), ("headquarters", "NOUN", "NN", "dobj", 1, "headquarters", "O"),
      ("at", "ADP", "IN", "prep", 1, "at", "O"), ("Paris", "PROPN", "NNP", "pobj", 4, "Paris", "B-GPE"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("kourou", "headquarters at", "paris", False)}),
    ([("Anders", "PROPN", "NNP", "nsubj", 1, "Anders", "B-PERSON"), ("served", "VERB", "VBD", "ROOT", 1, "serve", "O"),
      ("as", "ADP", "IN", "prep", 1, "as", "O"), ("a", "DET", "DT", "det", 5, "a", "O"),
      ("crew", "NOUN", "NN", "compound", 5, "crew", "O"), ("member", "NOUN", "NN", "pobj", 2, "member", "O"),
      ("on", "ADP", "IN", "prep", 5, "on", "O"), ("Apollo", "PROPN", "NNP", "pobj", 6, "Apollo", "B-PRODUCT"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("anders", "serve as crew member on", "apollo", False)}),
    # a relative clause on a predicate nominal is said of the copula's subject
    ([("Martin", "PROPN", "NNP", "nsubj", 1, "Martin", "B-PERSON"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
      ("a", "DET", "DT", "det", 3, "a", "O"), ("footballer", "NOUN", "NN", "attr", 1, "footballer", "O"),
      ("who", "PRON", "WP", "nsubj", 5, "who", "O"), ("plays", "VERB", "VBZ", "relcl", 3, "play", "O"),
      ("for", "ADP", "IN", "prep", 5, "for", "O"), ("Crewe", "PROPN", "NNP", "pobj", 6, "Crewe", "B-ORG"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("martin", "is", "footballer", False), ("martin", "play for", "crewe", False)}),
    # a relative pronoun right after a name is said of it, though the parse hangs the clause higher
    ([("Kant", "PROPN", "NNP", "nsubj", 1, "Kant", "B-PERSON"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
      ("a", "DET", "DT", "det", 3, "a", "O"), ("national", "NOUN", "NN", "attr", 1, "national", "O"),
      ("of", "ADP", "IN", "prep", 3, "of", "O"), ("Holland", "PROPN", "NNP", "pobj", 4, "Holland", "B-GPE"),
      (",", "PUNCT", ",", "punct", 3, ",", "O"), ("which", "PRON", "WDT", "nsubjpass", 9, "which", "O"),
      ("is", "AUX", "VBZ", "auxpass", 9, "be", "O"), ("led", "VERB", "VBN", "relcl", 3, "lead", "O"),
      ("by", "ADP", "IN", "agent", 9, "by", "O"), ("Rutte", "PROPN", "NNP", "pobj", 10, "Rutte", "B-PERSON"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("holland", "led by", "rutte", False)}),
    # the same when the tagger took the complement for an adjective ("a Canadian national who …")
    ([("Watson", "PROPN", "NNP", "nsubj", 1, "Watson", "B-PERSON"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
      ("a", "DET", "DT", "det", 3, "a", "O"), ("national", "ADJ", "JJ", "acomp", 1, "national", "O"),
      ("who", "PRON", "WP", "nsubj", 5, "who", "O"), ("attended", "VERB", "VBD", "relcl", 3, "attend", "O"),
      ("Yale", "PROPN", "NNP", "dobj", 5, "Yale", "B-ORG"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("watson", "attend", "yale", False)}),
    # a relative clause hung on a higher noun restricts the noun right before it
    ([("Tomato", "NOUN", "NN", "nsubj", 1, "tomato", "O"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
      ("an", "DET", "DT", "det", 3, "an", "O"), ("ingredient", "NOUN", "NN", "attr", 1, "ingredient", "O"),
      ("in", "ADP", "IN", "prep", 3, "in", "O"), ("Amatriciana", "PROPN", "NNP", "compound", 6, "Amatriciana", "O"),
      ("sauce", "NOUN", "NN", "pobj", 4, "sauce", "O"), ("which", "PRON", "WDT", "nsubj", 8, "which", "O"),
      ("comes", "VERB", "VBZ", "relcl", 3, "come", "O"), ("from", "ADP", "IN", "prep", 8, "from", "O"),
      ("Lazio", "PROPN", "NNP", "pobj", 9, "Lazio", "B-GPE"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("amatriciana sauce", "come from", "lazio", False)}),
    # "X is the N spoken in Y" → (Y, N, X)
    ([("Greek", "PROPN", "NNP", "nsubj", 1, "Greek", "B-NORP"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
      ("the", "DET", "DT", "det", 3, "the", "O"), ("language", "NOUN", "NN", "attr", 1, "language", "O"),
      ("spoken", "VERB", "VBN", "acl", 3, "speak", "O"), ("in", "ADP", "IN", "prep", 4, "in", "O"),
      ("Greece", "PROPN", "NNP", "pobj", 5, "Greece", "B-GPE"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("greece", "language", "greek", False)}),
    # coordinated subjects distributed
    ([("Mark", "PROPN", "NNP", "nsubj", 3, "Mark", "B-PERSON"), ("and", "CCONJ", "CC", "cc", 0, "and", "O"),
      ("Lisa", "PROPN", "NNP", "conj", 0, "Lisa", "B-PERSON"), ("visited", "VERB", "VBD", "ROOT", 3, "visit", "O"),
      ("Rome", "PROPN", "NNP", "dobj", 3, "Rome", "B-GPE"), (".", "PUNCT", ".", "punct", 3, ".", "O")],
     None, {("mark", "visit", "rome", False), ("lisa", "visit", "rome", False)}),
    # a passive relative clause keeps its head as subject
    ([("Dent", "PROPN", "NNP", "nsubj", 1, "Dent", "B-PERSON"), ("joined", "VERB", "VBD", "ROOT", 1, "join", "O"),
      ("Falcons", "PROPN", "NNPS", "dobj", 1, "Falcons", "B-ORG"), (",", "PUNCT", ",", "punct", 2, ",", "O"),
      ("which", "PRON", "WDT", "nsubjpass", 6, "which", "O"), ("is", "AUX", "VBZ", "auxpass", 6, "be", "O"),
      ("owned", "VERB", "VBN", "relcl", 2, "own", "O"), ("by", "ADP", "IN", "agent", 6, "by", "O"),
      ("Blank", "PROPN", "NNP", "pobj", 7, "Blank", "B-PERSON"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("dent", "join", "falcons", False), ("falcons", "owned by", "blank", False)}),
    # passive participle + preposition; conjoined objects distributed; particles kept
    ([("Anders", "PROPN", "NNP", "nsubjpass", 2, "Anders", "B-PERSON"),
      ("was", "AUX", "VBD", "auxpass", 2, "be", "O"), ("signed", "VERB", "VBN", "ROOT", 2, "sign", "O"),
      ("to", "ADP", "IN", "prep", 2, "to", "O"), ("Shanachie", "PROPN", "NNP", "pobj", 3, "Shanachie", "B-ORG"),
      ("and", "CCONJ", "CC", "cc", 4, "and", "O"), ("Alligator", "PROPN", "NNP", "conj", 4, "Alligator", "B-ORG"),
      (".", "PUNCT", ".", "punct", 2, ".", "O")],
     None, {("anders", "signed to", "shanachie", False), ("anders", "signed to", "alligator", False)}),
    ([("Alice", "PROPN", "NNP", "nsubj", 1, "Alice", "B-PERSON"), ("grew", "VERB", "VBD", "ROOT", 1, "grow", "O"),
      ("up", "ADP", "RP", "prt", 1, "up", "O"), ("in", "ADP", "IN", "prep", 1, "in", "O"),
      ("Lyon", "PROPN", "NNP", "pobj", 3, "Lyon", "B-GPE"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("alice", "grow up in", "lyon", False)}),
    # a relative clause turned around: "Lyon, which Bob founded" → (Bob, found, Lyon)
    ([("Alice", "PROPN", "NNP", "nsubj", 1, "Alice", "B-PERSON"), ("visited", "VERB", "VBD", "ROOT", 1, "visit", "O"),
      ("Lyon", "PROPN", "NNP", "dobj", 1, "Lyon", "B-GPE"), (",", "PUNCT", ",", "punct", 2, ",", "O"),
      ("which", "PRON", "WDT", "dobj", 6, "which", "O"), ("Bob", "PROPN", "NNP", "nsubj", 6, "Bob", "B-PERSON"),
      ("founded", "VERB", "VBD", "relcl", 2, "found", "O"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("alice", "visit", "lyon", False), ("bob", "found", "lyon", False)}),
    # whole names: a capitalised word tagged VERB, a run of particles, a mixed-case word tagged NOUN
    ([("Elliot", "PROPN", "NNP", "compound", 1, "Elliot", "B-PERSON"),
      ("See", "VERB", "VB", "nsubjpass", 3, "see", "O"),
      ("was", "AUX", "VBD", "auxpass", 3, "be", "O"), ("born", "VERB", "VBN", "ROOT", 3, "bear", "O"),
      ("in", "ADP", "IN", "prep", 3, "in", "O"), ("Dallas", "PROPN", "NNP", "pobj", 4, "Dallas", "B-GPE"),
      (".", "PUNCT", ".", "punct", 3, ".", "O")],
     None, {("elliot see", "born in", "dallas", False)}),
    ([("John", "PROPN", "NNP", "compound", 3, "John", "B-PERSON"), ("van", "NOUN", "NN", "compound", 3, "van", "O"),
      ("den", "NOUN", "NN", "compound", 3, "den", "O"), ("Brom", "PROPN", "NNP", "nsubj", 4, "Brom", "B-PERSON"),
      ("plays", "VERB", "VBZ", "ROOT", 4, "play", "O"), ("for", "ADP", "IN", "prep", 4, "for", "O"),
      ("Ajax", "PROPN", "NNP", "pobj", 5, "Ajax", "B-ORG"), (".", "PUNCT", ".", "punct", 4, ".", "O")],
     None, {("john van den brom", "play for", "ajax", False)}),
    # a sentence the parser cut inside a name, with no full stop, does not cut the name
    ([("Alison", "PROPN", "NNP", "nsubj", 1, "Alison", "B-PERSON"), ("signed", "VERB", "VBD", "ROOT", 1, "sign", "O"),
      ("to", "ADP", "IN", "prep", 1, "to", "O"), ("Fruits", "PROPN", "NNPS", "pobj", 2, "Fruits", "O"),
      ("de", "X", "FW", "prep", 3, "de", "O"), ("Mer", "PROPN", "NNP", "compound", 6, "Mer", "O"),
      ("Records", "PROPN", "NNPS", "ROOT", 6, "Records", "O"), (".", "PUNCT", ".", "punct", 6, ".", "O")],
     None, {("alison", "sign to", "fruits de mer records", False)}),
    # "Name of X and Y" with Y a conjunct of X is one name
    ([("Anna", "PROPN", "NNP", "nsubj", 1, "Anna", "B-PERSON"), ("studied", "VERB", "VBD", "ROOT", 1, "study", "O"),
      ("at", "ADP", "IN", "prep", 1, "at", "O"), ("the", "DET", "DT", "det", 4, "the", "O"),
      ("School", "PROPN", "NNP", "pobj", 2, "School", "O"), ("of", "ADP", "IN", "prep", 4, "of", "O"),
      ("Business", "PROPN", "NNP", "pobj", 5, "Business", "O"), ("and", "CCONJ", "CC", "cc", 6, "and", "O"),
      ("Social", "PROPN", "NNP", "compound", 9, "Social", "O"),
      ("Sciences", "PROPN", "NNPS", "conj", 6, "Sciences", "O"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("anna", "study at", "school of business and social sciences", False)}),
    # a capitalised word tagged VERB inside a sentence is a name of its own, with its number
    ([("1036", "NUM", "CD", "nummod", 1, "1036", "B-CARDINAL"),
      ("Ganymed", "VERB", "VBN", "nsubjpass", 3, "Ganymed", "O"),
      ("was", "AUX", "VBD", "auxpass", 3, "be", "O"), ("discovered", "VERB", "VBN", "ROOT", 3, "discover", "O"),
      ("by", "ADP", "IN", "agent", 3, "by", "O"), ("Baade", "PROPN", "NNP", "pobj", 4, "Baade", "B-PERSON"),
      (".", "PUNCT", ".", "punct", 3, ".", "O")],
     None, {("1036 ganymed", "discovered by", "baade", False)}),
    # a noun's modifiers are the unbroken run before it: a name hung as a compound across the
    # possessive "'s" belongs to the owner, not to the noun
    ([("Anders", "PROPN", "NNP", "compound", 4, "Anders", "B-PERSON"),
      ("Osborne", "PROPN", "NNP", "poss", 4, "Osborne", "I-PERSON"), ("'s", "PART", "POS", "case", 1, "'s", "O"),
      ("musical", "ADJ", "JJ", "amod", 4, "musical", "O"), ("career", "NOUN", "NN", "nsubj", 5, "career", "O"),
      ("began", "VERB", "VBD", "ROOT", 5, "begin", "O"), ("in", "ADP", "IN", "prep", 5, "in", "O"),
      ("1989", "NUM", "CD", "pobj", 6, "1989", "B-DATE"), (".", "PUNCT", ".", "punct", 5, ".", "O")],
     None, {("anders osborne's musical career", "begin in", "1989", False)}),
    # capitals with digits are a designation, a name whatever the tagger says ("VK8" tagged NOUN)
    ([("1994", "NUM", "CD", "nummod", 1, "1994", "B-DATE"), ("VK8", "NOUN", "NN", "nsubjpass", 3, "vk8", "O"),
      ("was", "AUX", "VBD", "auxpass", 3, "be", "O"), ("discovered", "VERB", "VBN", "ROOT", 3, "discover", "O"),
      ("by", "ADP", "IN", "agent", 3, "by", "O"), ("Spacewatch", "PROPN", "NNP", "pobj", 4, "Spacewatch", "B-ORG"),
      (".", "PUNCT", ".", "punct", 3, ".", "O")],
     None, {("1994 vk8", "discovered by", "spacewatch", False)}),
    # a plural's apostrophe inside a name
    ([("Baku", "PROPN", "NNP", "compound", 2, "Baku", "B-FAC"),
      ("Martyrs", "PROPN", "NNPS", "poss", 3, "Martyrs", "I-FAC"), ("'", "PUNCT", "POS", "case", 1, "'", "O"),
      ("Memorial", "PROPN", "NNP", "nsubj", 4, "Memorial", "O"),
      ("is", "AUX", "VBZ", "ROOT", 4, "be", "O"), ("in", "ADP", "IN", "prep", 4, "in", "O"),
      ("Azerbaijan", "PROPN", "NNP", "pobj", 5, "Azerbaijan", "B-GPE"), (".", "PUNCT", ".", "punct", 4, ".", "O")],
     None, {("baku martyrs' memorial", "is in", "azerbaijan", False)}),
    # "on" between two names of a title
    ([("ACM", "PROPN", "NNP", "compound", 1, "ACM", "B-ORG"),
      ("Transactions", "PROPN", "NNPS", "nsubjpass", 6, "Transactions", "I-ORG"),
      ("on", "ADP", "IN", "prep", 1, "on", "O"), ("Information", "PROPN", "NNP", "compound", 4, "Information", "O"),
      ("Systems", "PROPN", "NNPS", "pobj", 2, "Systems", "O"), ("is", "AUX", "VBZ", "auxpass", 6, "be", "O"),
      ("published", "VERB", "VBN", "ROOT", 6, "publish", "O"), ("by", "ADP", "IN", "agent", 6, "by", "O"),
      ("Elsevier", "PROPN", "NNP", "pobj", 7, "Elsevier", "B-ORG"), (".", "PUNCT", ".", "punct", 6, ".", "O")],
     None, {("acm transactions on information systems", "published by", "elsevier", False)}),
    # a year before a capitalised code is part of a provisional designation, not a date
    ([("(", "PUNCT", "-LRB-", "punct", 1, "(", "O"), ("66063", "NUM", "CD", "nummod", 4, "66063", "B-CARDINAL"),
      (")", "PUNCT", "-RRB-", "punct", 1, ")", "O"), ("1998", "NUM", "CD", "nummod", 4, "1998", "B-DATE"),
      ("RO1", "PROPN", "NNP", "nsubjpass", 6, "RO1", "O"), ("was", "AUX", "VBD", "auxpass", 6, "be", "O"),
      ("discovered", "VERB", "VBN", "ROOT", 6, "discover", "O"), ("by", "ADP", "IN", "agent", 6, "by", "O"),
      ("LINEAR", "PROPN", "NNP", "pobj", 7, "LINEAR", "B-ORG"), (".", "PUNCT", ".", "punct", 6, ".", "O")],
     None, {("1998 ro1", "discovered by", "linear", False)}),
    # a lemma the parser got wrong ("starr") is repaired from the dictionary
    ([("Cecil", "PROPN", "NNP", "nsubj", 1, "Cecil", "B-PERSON"), ("starred", "VERB", "VBD", "ROOT", 1, "starr", "O"),
      ("in", "ADP", "IN", "prep", 1, "in", "O"), ("Hue", "PROPN", "NNP", "pobj", 2, "Hue", "B-WORK_OF_ART"),
      (".", "PUNCT", ".", "punct", 1, ".", "O")],
     None, {("cecil", "star in", "hue", False)}),
]  # fmt: skip


@pytest.mark.parametrize(("rows", "speaker", "expected"), CASES, ids=[" ".join(r[0] for r in c[0]) for c in CASES])
def test_clearnlp_parse_yields_the_same_triples(
    blank: Language, extractor: SpacyExtractor, rows: list[Row], speaker: str | None, expected: set
) -> None:
    doc = make_doc(blank, rows)
    assert detect_scheme(doc) is CLEARNLP
    found = triples(extractor, doc, speaker)
    assert expected <= found, f"missing {expected - found}; got {sorted(found)}"


NON_FACTS: list[list[Row]] = [
    # a lower-case word tagged as a proper noun is a common noun (here a generic head), no name
    [("The", "DET", "DT", "det", 1, "the", "O"), ("airport", "PROPN", "NNP", "nsubj", 2, "airport", "O"),
     ("serves", "VERB", "VBZ", "ROOT", 2, "serve", "O"), ("Abilene", "PROPN", "NNP", "dobj", 2, "Abilene", "B-GPE"),
     (".", "PUNCT", ".", "punct", 2, ".", "O")],
    [("The", "DET", "DT", "det", 1, "the", "O"), ("film", "NOUN", "NN", "nsubj", 2, "film", "O"),
     ("is", "AUX", "VBZ", "ROOT", 2, "be", "O"), ("great", "ADJ", "JJ", "acomp", 2, "great", "O"),
     (".", "PUNCT", ".", "punct", 2, ".", "O")],
    [("Did", "AUX", "VBD", "aux", 2, "do", "O"), ("Carol", "PROPN", "NNP", "nsubj", 2, "Carol", "B-PERSON"),
     ("move", "VERB", "VB", "ROOT", 2, "move", "O"), ("to", "ADP", "IN", "prep", 2, "to", "O"),
     ("Paris", "PROPN", "NNP", "pobj", 3, "Paris", "B-GPE"), ("?", "PUNCT", ".", "punct", 2, "?", "O")],
    # a definite description with no owner identifies, it does not classify (whose largest city?)
    [("Houston", "PROPN", "NNP", "nsubj", 1, "Houston", "B-GPE"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
     ("the", "DET", "DT", "det", 4, "the", "O"), ("largest", "ADJ", "JJS", "amod", 4, "large", "O"),
     ("city", "NOUN", "NN", "attr", 1, "city", "O"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
    # a place left unnamed ("the country") owns nothing we can name
    [("Afara", "PROPN", "NNP", "nsubj", 1, "Afara", "B-PERSON"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
     ("the", "DET", "DT", "det", 3, "the", "O"), ("leader", "NOUN", "NN", "attr", 1, "leader", "O"),
     ("of", "ADP", "IN", "prep", 3, "of", "O"), ("the", "DET", "DT", "det", 6, "the", "O"),
     ("country", "NOUN", "NN", "pobj", 4, "country", "O"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
    # a relative pronoun standing for a generic head is as generic ("a genre that originated from Motown")
    [("a", "DET", "DT", "det", 1, "a", "O"), ("genre", "NOUN", "NN", "ROOT", 1, "genre", "O"),
     ("that", "PRON", "WDT", "nsubj", 3, "that", "O"), ("originated", "VERB", "VBD", "relcl", 1, "originate", "O"),
     ("from", "ADP", "IN", "prep", 3, "from", "O"), ("Motown", "PROPN", "NNP", "pobj", 4, "Motown", "B-ORG"),
     (".", "PUNCT", ".", "punct", 1, ".", "O")],
    # an equation of two names is an identity, not a relation
    [("Worden", "PROPN", "NNP", "nsubj", 1, "Worden", "B-PERSON"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
     ("Scott", "PROPN", "NNP", "attr", 1, "Scott", "B-PERSON"), (".", "PUNCT", ".", "punct", 1, ".", "O")],
]  # fmt: skip


@pytest.mark.parametrize("rows", NON_FACTS, ids=[" ".join(r[0] for r in rows) for rows in NON_FACTS])
def test_clearnlp_generic_heads_and_questions_stay_below_the_floor(
    blank: Language, extractor: SpacyExtractor, rows: list[Row]
) -> None:
    doc = make_doc(blank, rows)
    unit = TextUnit(text=doc.text, context_id=doc.text, opens_context=True)
    found = extractor.extract_doc(doc, unit).triples
    assert found, "the rules read something here; the floor is what keeps it out"
    assert all(t.confidence < extractor.config.confidence.floor for t in found), [t.key() for t in found]


def test_clearnlp_mixed_case_word_is_a_name_not_a_generic_head(blank: Language, extractor: SpacyExtractor) -> None:
    doc = make_doc(blank, [
        ("AIDAluna", "NOUN", "NN", "nsubjpass", 2, "aidaluna", "O"), ("was", "AUX", "VBD", "auxpass", 2, "be", "O"),
        ("built", "VERB", "VBN", "ROOT", 2, "build", "O"), ("by", "ADP", "IN", "agent", 2, "by", "O"),
        ("Meyer", "PROPN", "NNP", "compound", 5, "Meyer", "B-ORG"),
        ("Werft", "PROPN", "NNP", "pobj", 3, "Werft", "I-ORG"),
        (".", "PUNCT", ".", "punct", 2, ".", "O"),
    ])  # fmt: skip
    unit = TextUnit(text=doc.text, context_id=doc.text, opens_context=True)
    floor = extractor.config.confidence.floor
    found = {t.key() for t in extractor.extract_doc(doc, unit).triples if t.confidence >= floor}
    assert ("aidaluna", "built by", "meyer werft", False) in found, found


def test_clearnlp_acronym_before_a_noun_names_it(blank: Language, extractor: SpacyExtractor) -> None:
    doc = make_doc(blank, [
        ("The", "DET", "DT", "det", 2, "the", "O"), ("AIDS", "NOUN", "NN", "compound", 2, "aids", "O"),
        ("journal", "NOUN", "NN", "nsubjpass", 4, "journal", "O"), ("is", "AUX", "VBZ", "auxpass", 4, "be", "O"),
        ("published", "VERB", "VBN", "ROOT", 4, "publish", "O"), ("by", "ADP", "IN", "agent", 4, "by", "O"),
        ("Lippincott", "PROPN", "NNP", "pobj", 5, "Lippincott", "B-ORG"), (".", "PUNCT", ".", "punct", 4, ".", "O"),
    ])  # fmt: skip
    unit = TextUnit(text=doc.text, context_id=doc.text, opens_context=True)
    floor = extractor.config.confidence.floor
    found = {t.key() for t in extractor.extract_doc(doc, unit).triples if t.confidence >= floor}
    assert ("aids journal", "published by", "lippincott", False) in found, found


def test_clearnlp_capitalised_english_word_alone_is_no_name(blank: Language, extractor: SpacyExtractor) -> None:
    doc = make_doc(blank, [
        ("Carol", "PROPN", "NNP", "nsubj", 1, "Carol", "B-PERSON"), ("was", "AUX", "VBD", "ROOT", 1, "be", "O"),
        ("So", "ADV", "RB", "advmod", 3, "so", "O"), ("happy", "ADJ", "JJ", "acomp", 1, "happy", "O"),
        (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    unit = TextUnit(text=doc.text, context_id=doc.text, opens_context=True)
    assert [m.name for m in extractor.extract_doc(doc, unit).mentions if m.named] == ["Carol"]


def test_clearnlp_apposition_on_a_predicate_noun_is_no_descriptor(blank: Language, extractor: SpacyExtractor) -> None:
    # "Abilene is part of Texas, … Austin": a name hung on the copula's predicate noun is a misparse
    doc = make_doc(blank, [
        ("Abilene", "PROPN", "NNP", "nsubj", 1, "Abilene", "B-GPE"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
        ("part", "NOUN", "NN", "attr", 1, "part", "O"), ("of", "ADP", "IN", "prep", 2, "of", "O"),
        ("Texas", "PROPN", "NNP", "pobj", 3, "Texas", "B-GPE"), (",", "PUNCT", ",", "punct", 2, ",", "O"),
        ("Austin", "PROPN", "NNP", "appos", 2, "Austin", "B-GPE"), (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc, None)
    assert ("abilene", "is part of", "texas", False) in found, found
    assert not {k for k in found if k[0] == "austin"}, found


def test_clearnlp_a_noun_with_its_own_prepositional_phrase_leads_to_the_name(
    blank: Language, extractor: SpacyExtractor
) -> None:
    # "Koc fought in battles in Korea": the battles are a step towards Korea
    doc = make_doc(blank, [
        ("Koc", "PROPN", "NNP", "nsubj", 1, "Koc", "B-PERSON"), ("fought", "VERB", "VBD", "ROOT", 1, "fight", "O"),
        ("in", "ADP", "IN", "prep", 1, "in", "O"), ("battles", "NOUN", "NNS", "pobj", 2, "battle", "O"),
        ("in", "ADP", "IN", "prep", 3, "in", "O"), ("Korea", "PROPN", "NNP", "pobj", 4, "Korea", "B-GPE"),
        (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    unit = TextUnit(text=doc.text, context_id=doc.text, opens_context=True)
    found = extractor.extract_doc(doc, unit).triples
    floor = extractor.config.confidence.floor
    assert {t.key() for t in found if t.confidence >= floor} >= {("koc", "fight in battle in", "korea", False)}
    assert all(t.confidence < floor for t in found if t.object.name == "battle"), [t.key() for t in found]


def test_clearnlp_a_speakers_own_object_keeps_its_phrase(blank: Language, extractor: SpacyExtractor) -> None:
    rows = [
        ("planned", "VERB", "VBD", "ROOT", 1, "plan", "O"), ("a", "DET", "DT", "det", 3, "a", "O"),
        ("trip", "NOUN", "NN", "dobj", 1, "trip", "O"), ("to", "ADP", "IN", "prep", 3, "to", "O"),
        ("Ohio", "PROPN", "NNP", "pobj", 4, "Ohio", "B-GPE"), (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ]  # fmt: skip
    said = make_doc(blank, [("I", "PRON", "PRP", "nsubj", 1, "I", "O"), *rows])
    unit = TextUnit(text=said.text, speaker="John", addressee="Bea", context_id=said.text, opens_context=True)
    floor = extractor.config.confidence.floor
    mine = {t.key() for t in extractor.extract_doc(said, unit).triples if t.confidence >= floor}
    assert ("john", "plan", "trip", False) in mine, mine
    told = make_doc(blank, [("Koc", "PROPN", "NNP", "nsubj", 1, "Koc", "B-PERSON"), *rows])
    unit = TextUnit(text=told.text, context_id=told.text, opens_context=True)
    theirs = {t.key(): t.confidence for t in extractor.extract_doc(told, unit).triples}
    assert theirs[("koc", "plan", "trip", False)] < floor, theirs


def test_clearnlp_a_quality_or_rank_is_no_object(blank: Language, extractor: SpacyExtractor) -> None:
    tried = make_doc(blank, [
        ("I", "PRON", "PRP", "nsubj", 2, "I", "O"), ("will", "AUX", "MD", "aux", 2, "will", "O"),
        ("try", "VERB", "VB", "ROOT", 2, "try", "O"), ("my", "PRON", "PRP$", "poss", 4, "my", "O"),
        ("best", "ADJ", "JJS", "dobj", 2, "good", "O"), (".", "PUNCT", ".", "punct", 2, ".", "O"),
    ])  # fmt: skip
    assert not triples(extractor, tried, "Gina")
    ranked = make_doc(blank, [
        ("Tim", "PROPN", "NNP", "nsubj", 1, "Tim", "B-PERSON"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
        ("the", "DET", "DT", "det", 3, "the", "O"), ("best", "ADJ", "JJS", "attr", 1, "good", "O"),
        (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    assert not triples(extractor, ranked)
    valued = make_doc(blank, [
        ("Spain", "PROPN", "NNP", "poss", 2, "Spain", "B-GPE"), ("'s", "PART", "POS", "case", 0, "'s", "O"),
        ("language", "NOUN", "NN", "nsubj", 3, "language", "O"), ("is", "AUX", "VBZ", "ROOT", 3, "be", "O"),
        ("Spanish", "ADJ", "JJ", "attr", 3, "spanish", "B-NORP"), (".", "PUNCT", ".", "punct", 3, ".", "O"),
    ])  # fmt: skip
    assert ("spain", "language", "spanish", False) in triples(extractor, valued)


def test_clearnlp_an_object_owned_by_a_third_person_is_lowered(blank: Language, extractor: SpacyExtractor) -> None:
    doc = make_doc(blank, [
        ("Neave", "PROPN", "NNP", "nsubj", 1, "Neave", "B-PERSON"), ("began", "VERB", "VBD", "ROOT", 1, "begin", "O"),
        ("his", "PRON", "PRP$", "poss", 3, "his", "O"), ("career", "NOUN", "NN", "dobj", 1, "career", "O"),
        (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    unit = TextUnit(text=doc.text, context_id=doc.text, opens_context=True)
    found = extractor.extract_doc(doc, unit).triples
    assert found, "the rules read something here; the floor is what keeps it out"
    assert all(t.confidence < extractor.config.confidence.floor for t in found), [t.key() for t in found]


def test_clearnlp_a_verb_tagged_as_a_plural_noun_root_is_a_clause_again(
    blank: Language, extractor: SpacyExtractor
) -> None:
    # "Disco derives from Motown" misparsed as one noun phrase: Disco[compound] derives[NNS, ROOT]
    doc = make_doc(blank, [
        ("Disco", "PROPN", "NNP", "compound", 1, "Disco", "O"), ("derives", "NOUN", "NNS", "ROOT", 1, "derive", "O"),
        ("from", "ADP", "IN", "prep", 1, "from", "O"), ("Motown", "PROPN", "NNP", "pobj", 2, "Motown", "B-ORG"),
        (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    assert ("disco", "derive from", "motown", False) in triples(extractor, doc, None)


def test_clearnlp_a_bracketed_label_after_a_name_is_no_statement(blank: Language, extractor: SpacyExtractor) -> None:
    doc = make_doc(blank, [
        ("Sandesh", "PROPN", "NNP", "nsubj", 4, "Sandesh", "O"), ("(", "PUNCT", "-LRB-", "punct", 2, "(", "O"),
        ("confectionery", "NOUN", "NN", "appos", 0, "confectionery", "O"),
        (")", "PUNCT", "-RRB-", "punct", 2, ")", "O"),
        ("is", "AUX", "VBZ", "ROOT", 4, "be", "O"), ("a", "DET", "DT", "det", 6, "a", "O"),
        ("dish", "NOUN", "NN", "attr", 4, "dish", "O"), (".", "PUNCT", ".", "punct", 4, ".", "O"),
    ])  # fmt: skip
    unit = TextUnit(text=doc.text, context_id=doc.text, opens_context=True)
    found = extractor.extract_doc(doc, unit).triples
    labels = [t for t in found if t.object.name == "confectionery"]
    assert labels, [t.key() for t in found]
    assert all(t.confidence < extractor.config.confidence.floor for t in labels), [t.key() for t in labels]


def test_clearnlp_a_name_in_apposition_to_an_agent_noun_is_the_object(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("Acy", "PROPN", "NNP", "nsubjpass", 2, "Acy", "B-FAC"), ("is", "AUX", "VBZ", "auxpass", 2, "be", "O"),
        ("known", "VERB", "VBN", "ROOT", 2, "know", "O"), ("by", "ADP", "IN", "agent", 2, "by", "O"),
        ("the", "DET", "DT", "det", 5, "the", "O"), ("identifier", "NOUN", "NN", "pobj", 3, "identifier", "O"),
        ("KACY", "PROPN", "NNP", "appos", 5, "KACY", "B-ORG"), (".", "PUNCT", ".", "punct", 2, ".", "O"),
    ])  # fmt: skip
    unit = TextUnit(text=doc.text, context_id=doc.text, opens_context=True)
    found = extractor.extract_doc(doc, unit).triples
    floor = extractor.config.confidence.floor
    assert ("acy", "known by identifier", "kacy", False) in {t.key() for t in found if t.confidence >= floor}
    assert all(t.confidence < floor for t in found if t.object.name == "identifier"), [t.key() for t in found]


def test_clearnlp_a_passive_with_an_object(blank: Language, extractor: SpacyExtractor) -> None:
    # "Neave was awarded the Victoria Cross": the patient has the object
    doc = make_doc(blank, [
        ("Neave", "PROPN", "NNP", "nsubjpass", 2, "Neave", "B-PERSON"), ("was", "AUX", "VBD", "auxpass", 2, "be", "O"),
        ("awarded", "VERB", "VBN", "ROOT", 2, "award", "O"), ("the", "DET", "DT", "det", 5, "the", "O"),
        ("Victoria", "PROPN", "NNP", "compound", 5, "Victoria", "B-WORK_OF_ART"),
        ("Cross", "PROPN", "NNP", "dobj", 2, "Cross", "I-WORK_OF_ART"), (".", "PUNCT", ".", "punct", 2, ".", "O"),
    ])  # fmt: skip
    assert ("neave", "awarded", "victoria cross", False) in triples(extractor, doc), triples(extractor, doc)


def test_clearnlp_a_possessive_keeps_its_confidence_whatever_its_noun_is_for(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("I", "PRON", "PRP", "nsubj", 1, "I", "O"), ("contacted", "VERB", "VBD", "ROOT", 1, "contact", "O"),
        ("my", "PRON", "PRP$", "poss", 3, "my", "O"), ("mentor", "NOUN", "NN", "dobj", 1, "mentor", "O"),
        ("for", "ADP", "IN", "prep", 3, "for", "O"), ("advice", "NOUN", "NN", "pobj", 4, "advice", "O"),
        (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    unit = TextUnit(text=doc.text, speaker="Ann", addressee="Bea", context_id=doc.text, opens_context=True)
    found = extractor.extract_doc(doc, unit).triples
    floor = extractor.config.confidence.floor
    assert ("ann", "has", "ann's mentor", False) in {t.key() for t in found if t.confidence >= floor}


def test_clearnlp_entity_types_map_to_ours(blank: Language, extractor: SpacyExtractor) -> None:
    doc = make_doc(blank, CASES[0][0])
    unit = TextUnit(text=doc.text, context_id="types", opens_context=True)
    types = {m.name: m.type.value for m in extractor.extract_doc(doc, unit).mentions}
    assert types["Bob"] == "PERSON"
    assert types["Acme"] == "ORG"


def test_passive_date_entity_sets_valid_from(blank: Language, extractor: SpacyExtractor) -> None:
    doc = make_doc(blank, CASES[4][0])
    unit = TextUnit(text=doc.text, context_id="passive", opens_context=True)
    (fact,) = [t for t in extractor.extract_doc(doc, unit).triples if t.predicate == "founded by"]
    assert fact.valid_from == datetime(2019, 1, 1, tzinfo=UTC)


def test_the_installed_pipeline_is_detected_as_ud() -> None:
    extractor = SpacyExtractor(ExtractionConfig())
    assert extractor.scheme is UD


def test_unknown_scheme_is_refused(blank: Language) -> None:
    doc = Doc(blank.vocab, words=["a", "b"], deps=["ROOT", "weird"], heads=[0, 0])
    with pytest.raises(UnknownLabelSchemeError):
        detect_scheme(doc)
    with pytest.raises(UnknownLabelSchemeError):
        detect_scheme(blank)


def test_clearnlp_definite_description_resolves_by_class_and_past_its_preposition(
    blank: Language, extractor: SpacyExtractor
) -> None:
    # "the club" is the name an earlier statement classed as a club ("Y's club was X")
    club = make_doc(blank, [
        ("Chumakov", "PROPN", "NNP", "poss", 2, "Chumakov", "B-PERSON"), ("'s", "PART", "POS", "case", 0, "'s", "O"),
        ("club", "NOUN", "NN", "nsubj", 3, "club", "O"), ("was", "AUX", "VBD", "ROOT", 3, "be", "O"),
        ("Torpedo", "PROPN", "NNP", "attr", 3, "Torpedo", "B-ORG"), (".", "PUNCT", ".", "punct", 3, ".", "O"),
        ("The", "DET", "DT", "det", 7, "the", "O"), ("club", "NOUN", "NN", "nsubjpass", 9, "club", "O"),
        ("is", "AUX", "VBZ", "auxpass", 9, "be", "O"), ("managed", "VERB", "VBN", "ROOT", 9, "manage", "O"),
        ("by", "ADP", "IN", "agent", 9, "by", "O"), ("Petrakov", "PROPN", "NNP", "pobj", 10, "Petrakov", "B-PERSON"),
        (".", "PUNCT", ".", "punct", 9, ".", "O"),
    ])  # fmt: skip
    assert ("torpedo", "managed by", "petrakov", False) in triples(extractor, club)
    # "of the country": the name classed as a country, not the last place named
    country = make_doc(blank, [
        ("Azerbaijan", "PROPN", "NNP", "nsubj", 1, "Azerbaijan", "B-GPE"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
        ("a", "DET", "DT", "det", 3, "a", "O"), ("country", "NOUN", "NN", "attr", 1, "country", "O"),
        ("in", "ADP", "IN", "prep", 3, "in", "O"), ("Asia", "PROPN", "NNP", "pobj", 4, "Asia", "B-LOC"),
        (".", "PUNCT", ".", "punct", 1, ".", "O"),
        ("Rasizade", "PROPN", "NNP", "nsubj", 8, "Rasizade", "B-PERSON"), ("is", "AUX", "VBZ", "ROOT", 8, "be", "O"),
        ("the", "DET", "DT", "det", 10, "the", "O"), ("leader", "NOUN", "NN", "attr", 8, "leader", "O"),
        ("of", "ADP", "IN", "prep", 10, "of", "O"), ("the", "DET", "DT", "det", 13, "the", "O"),
        ("country", "NOUN", "NN", "pobj", 11, "country", "O"), (".", "PUNCT", ".", "punct", 8, ".", "O"),
    ])  # fmt: skip
    assert ("azerbaijan", "leader", "rasizade", False) in triples(extractor, country)


def test_clearnlp_participle_on_a_predicate_noun_is_said_of_the_subject(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("Bionico", "PROPN", "NNP", "nsubj", 1, "Bionico", "B-PRODUCT"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
        ("a", "DET", "DT", "det", 3, "a", "O"), ("dessert", "NOUN", "NN", "attr", 1, "dessert", "O"),
        ("containing", "VERB", "VBG", "acl", 3, "contain", "O"), ("sour", "ADJ", "JJ", "amod", 6, "sour", "O"),
        ("cream", "NOUN", "NN", "dobj", 4, "cream", "O"), (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc)
    assert ("bionico", "contain", "sour cream", False) in found, found
    assert not {k for k in found if k[0] == "dessert"}, found


def test_clearnlp_appositive_hung_elsewhere_with_its_comma_still_describes_the_name(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("Garlic", "PROPN", "NNP", "nsubj", 1, "Garlic", "O"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
        ("an", "DET", "DT", "det", 3, "an", "O"), ("ingredient", "NOUN", "NN", "attr", 1, "ingredient", "O"),
        ("in", "ADP", "IN", "prep", 3, "in", "O"), ("Ajoblanco", "PROPN", "NNP", "pobj", 4, "Ajoblanco", "B-GPE"),
        (",", "PUNCT", ",", "punct", 8, ",", "O"), ("a", "DET", "DT", "det", 8, "a", "O"),
        ("food", "NOUN", "NN", "appos", 3, "food", "O"), ("which", "PRON", "WDT", "nsubj", 10, "which", "O"),
        ("originates", "VERB", "VBZ", "relcl", 8, "originate", "O"), ("from", "ADP", "IN", "prep", 10, "from", "O"),
        ("Andalusia", "PROPN", "NNP", "pobj", 11, "Andalusia", "B-GPE"), (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc)
    assert ("ajoblanco", "originate from", "andalusia", False) in found, found


def test_clearnlp_past_participle_on_a_predicate_noun_is_said_of_the_subject(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("Bionico", "PROPN", "NNP", "nsubj", 1, "Bionico", "B-PRODUCT"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
        ("a", "DET", "DT", "det", 3, "a", "O"), ("food", "NOUN", "NN", "attr", 1, "food", "O"),
        ("found", "VERB", "VBN", "acl", 3, "find", "O"), ("in", "ADP", "IN", "prep", 4, "in", "O"),
        ("Guadalajara", "PROPN", "NNP", "pobj", 5, "Guadalajara", "B-GPE"), (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    assert ("bionico", "found in", "guadalajara", False) in triples(extractor, doc)


def test_clearnlp_indefinite_noun_with_a_clause_after_name_comma_describes_the_name(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("Zitarrosa", "PROPN", "NNP", "nsubj", 1, "Zitarrosa", "B-PERSON"),
        ("died", "VERB", "VBD", "ROOT", 1, "die", "O"),
        ("in", "ADP", "IN", "prep", 1, "in", "O"), ("Montevideo", "PROPN", "NNP", "pobj", 2, "Montevideo", "B-GPE"),
        (",", "PUNCT", ",", "punct", 6, ",", "O"), ("a", "DET", "DT", "det", 6, "a", "O"),
        ("city", "NOUN", "NN", "dobj", 1, "city", "O"), ("located", "VERB", "VBN", "acl", 6, "locate", "O"),
        ("in", "ADP", "IN", "prep", 7, "in", "O"), ("Uruguay", "PROPN", "NNP", "pobj", 8, "Uruguay", "B-GPE"),
        (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc)
    assert ("montevideo", "located in", "uruguay", False) in found, found


def test_clearnlp_relative_clause_hung_as_the_main_verbs_adverbial_gives_it_its_subject(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("Baade", "PROPN", "NNP", "nsubjpass", 4, "Baade", "B-PERSON"), (",", "PUNCT", ",", "punct", 4, ",", "O"),
        ("who", "PRON", "WP", "nsubjpass", 4, "who", "O"), ("was", "AUX", "VBD", "auxpass", 4, "be", "O"),
        ("born", "VERB", "VBN", "advcl", 8, "bear", "O"), ("in", "ADP", "IN", "prep", 4, "in", "O"),
        ("Bremen", "PROPN", "NNP", "pobj", 5, "Bremen", "B-GPE"), (",", "PUNCT", ",", "punct", 4, ",", "O"),
        ("discovered", "VERB", "VBD", "ROOT", 8, "discover", "O"),
        ("Ganymed", "PROPN", "NNP", "dobj", 8, "Ganymed", "O"),
        (".", "PUNCT", ".", "punct", 8, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc)
    assert ("baade", "discover", "ganymed", False) in found, found


def test_clearnlp_a_preposition_before_a_compound_name_governs_the_name(
    blank: Language, extractor: SpacyExtractor
) -> None:
    rows: list[Row] = [
        ("Abarth", "PROPN", "NNP", "compound", 1, "Abarth", "B-ORG"),
        ("Coupe", "PROPN", "NNP", "nsubjpass", 3, "Coupe", "I-ORG"),
        ("was", "AUX", "VBD", "auxpass", 3, "be", "O"), ("made", "VERB", "VBN", "ROOT", 3, "make", "O"),
        ("by", "ADP", "IN", "agent", 3, "by", "O"), ("Fiat", "PROPN", "NNP", "pobj", 4, "Fiat", "B-ORG"),
        ("and", "CCONJ", "CC", "cc", 3, "and", "O"), ("designed", "VERB", "VBN", "conj", 3, "design", "O"),
        ("by", "ADP", "IN", "agent", 7, "by", "O"), ("Gruppo", "PROPN", "NNP", "compound", 10, "Gruppo", "B-ORG"),
        ("Bertone", "PROPN", "NNP", "pobj", 8, "Bertone", "I-ORG"), (".", "PUNCT", ".", "punct", 3, ".", "O"),
    ]  # fmt: skip
    found = triples(extractor, make_doc(blank, rows))
    assert any(s == "abarth coupe" and p.endswith("by") and o == "gruppo bertone" for s, p, o, _ in found), found


def test_clearnlp_subject_inside_a_whose_clause_closed_by_a_comma_is_the_name_the_clause_follows(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("Guruli", "PROPN", "NNP", "npadvmod", 7, "Guruli", "B-PERSON"), (",", "PUNCT", ",", "punct", 0, ",", "O"),
        ("whose", "PRON", "WP$", "poss", 3, "whose", "O"), ("club", "NOUN", "NN", "nsubj", 4, "club", "O"),
        ("is", "AUX", "VBZ", "relcl", 0, "be", "O"), ("Lyon", "PROPN", "NNP", "nsubj", 7, "Lyon", "B-ORG"),
        (",", "PUNCT", ",", "punct", 7, ",", "O"), ("played", "VERB", "VBD", "ROOT", 7, "play", "O"),
        ("for", "ADP", "IN", "prep", 7, "for", "O"), ("Karpaty", "PROPN", "NNP", "pobj", 8, "Karpaty", "B-ORG"),
        (".", "PUNCT", ".", "punct", 7, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc)
    assert ("guruli", "play for", "karpaty", False) in found, found
    assert ("lyon", "play for", "karpaty", False) not in found, found


def test_clearnlp_a_tensed_verb_coordinated_with_an_object_shares_the_clause_subject(
    blank: Language, extractor: SpacyExtractor
) -> None:
    rows: list[Row] = [
        ("Rosa", "PROPN", "NNP", "nsubj", 1, "Rosa", "B-PERSON"), ("plays", "VERB", "VBZ", "ROOT", 1, "play", "O"),
        ("Zamba", "PROPN", "NNP", "dobj", 1, "Zamba", "O"), ("and", "CCONJ", "CC", "cc", 2, "and", "O"),
        ("comes", "VERB", "VBZ", "conj", 2, "come", "O"), ("from", "ADP", "IN", "prep", 4, "from", "O"),
        ("Lima", "PROPN", "NNP", "pobj", 5, "Lima", "B-GPE"), (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ]  # fmt: skip
    found = triples(extractor, make_doc(blank, rows))
    assert ("rosa", "come from", "lima", False) in found, found


def test_clearnlp_subject_inside_a_which_clause_closed_by_a_comma_is_the_name_the_clause_follows(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("Milan", "PROPN", "NNP", "npadvmod", 9, "Milan", "B-ORG"), (",", "PUNCT", ",", "punct", 0, ",", "O"),
        ("which", "PRON", "WDT", "nsubj", 3, "which", "O"), ("is", "AUX", "VBZ", "relcl", 0, "be", "O"),
        ("in", "ADP", "IN", "prep", 3, "in", "O"), ("Serie", "PROPN", "NNP", "compound", 6, "Serie", "B-ORG"),
        ("league", "NOUN", "NN", "nsubjpass", 9, "league", "O"), (",", "PUNCT", ",", "punct", 9, ",", "O"),
        ("is", "AUX", "VBZ", "auxpass", 9, "be", "O"), ("managed", "VERB", "VBN", "ROOT", 9, "manage", "O"),
        ("by", "ADP", "IN", "agent", 9, "by", "O"), ("Pioli", "PROPN", "NNP", "pobj", 10, "Pioli", "B-PERSON"),
        (".", "PUNCT", ".", "punct", 9, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc)
    assert ("milan", "managed by", "pioli", False) in found, found


def test_clearnlp_an_owned_noun_named_by_a_passive_naming_verb_is_the_owners_attribute(
    blank: Language, extractor: SpacyExtractor
) -> None:
    rows: list[Row] = [
        ("The", "DET", "DT", "det", 1, "the", "O"), ("inhabitants", "NOUN", "NNS", "nsubjpass", 5, "inhabitant", "O"),
        ("of", "ADP", "IN", "prep", 1, "of", "O"), ("Peru", "PROPN", "NNP", "pobj", 2, "Peru", "B-GPE"),
        ("are", "AUX", "VBP", "auxpass", 5, "be", "O"), ("known", "VERB", "VBN", "ROOT", 5, "know", "O"),
        ("as", "ADP", "IN", "prep", 5, "as", "O"), ("Peruvians", "PROPN", "NNPS", "pobj", 6, "Peruvians", "B-NORP"),
        (".", "PUNCT", ".", "punct", 5, ".", "O"),
    ]  # fmt: skip
    found = triples(extractor, make_doc(blank, rows))
    assert ("peru", "inhabitant", "peruvians", False) in found, found


def test_clearnlp_subject_inside_brackets_is_the_name_before_them(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("Acharya", "PROPN", "NNP", "compound", 1, "Acharya", "B-ORG"),
        ("Institute", "PROPN", "NNP", "appos", 6, "Institute", "I-ORG"), ("(", "PUNCT", "-LRB-", "punct", 1, "(", "O"),
        ("Director", "NOUN", "NN", "compound", 4, "director", "O"),
        ("Prabhukumar", "PROPN", "NNP", "nsubjpass", 7, "Prabhukumar", "B-PERSON"),
        (")", "PUNCT", "-RRB-", "punct", 4, ")", "O"), ("is", "AUX", "VBZ", "auxpass", 7, "be", "O"),
        ("located", "VERB", "VBN", "ROOT", 7, "locate", "O"), ("in", "ADP", "IN", "prep", 7, "in", "O"),
        ("India", "PROPN", "NNP", "pobj", 8, "India", "B-GPE"), (".", "PUNCT", ".", "punct", 7, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc)
    assert ("acharya institute", "located in", "india", False) in found, found
    assert ("prabhukumar", "located in", "india", False) not in found, found


def test_clearnlp_an_indefinite_role_for_a_name_keeps_the_holder_as_subject(
    blank: Language, extractor: SpacyExtractor
) -> None:
    rows: list[Row] = [
        ("Alessio", "PROPN", "NNP", "compound", 1, "Alessio", "B-PERSON"),
        ("Romagnoli", "PROPN", "NNP", "nsubj", 2, "Romagnoli", "I-PERSON"), ("is", "AUX", "VBZ", "ROOT", 2, "be", "O"),
        ("a", "DET", "DT", "det", 4, "a", "O"), ("defender", "NOUN", "NN", "attr", 2, "defender", "O"),
        ("for", "ADP", "IN", "prep", 4, "for", "O"), ("Milan", "PROPN", "NNP", "pobj", 5, "Milan", "B-ORG"),
        (".", "PUNCT", ".", "punct", 2, ".", "O"),
    ]  # fmt: skip
    found = triples(extractor, make_doc(blank, rows))
    assert ("alessio romagnoli", "is defender for", "milan", False) in found, found


def test_clearnlp_name_continuing_the_place_before_its_comma_is_no_subject(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("Teisaire", "PROPN", "NNP", "nsubjpass", 2, "Teisaire", "B-PERSON"), (",", "PUNCT", ",", "punct", 2, ",", "O"),
        ("born", "VERB", "VBN", "advcl", 7, "bear", "O"), ("in", "ADP", "IN", "prep", 2, "in", "O"),
        ("Mendoza", "PROPN", "NNP", "pobj", 3, "Mendoza", "B-GPE"), (",", "PUNCT", ",", "punct", 6, ",", "O"),
        ("Argentina", "PROPN", "NNP", "nsubj", 7, "Argentina", "B-GPE"), ("was", "AUX", "VBD", "ROOT", 7, "be", "O"),
        ("an", "DET", "DT", "det", 9, "an", "O"), ("admiral", "NOUN", "NN", "attr", 7, "admiral", "O"),
        (".", "PUNCT", ".", "punct", 7, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc)
    assert ("teisaire", "is", "admiral", False) in found, found
    assert ("argentina", "is", "admiral", False) not in found, found


def test_clearnlp_a_sentence_case_term_with_and_is_one_term(blank: Language, extractor: SpacyExtractor) -> None:
    rows: list[Row] = [
        ("Ahmet", "PROPN", "NNP", "compound", 1, "Ahmet", "B-PERSON"),
        ("Ertegun", "PROPN", "NNP", "poss", 3, "Ertegun", "I-PERSON"),
        ("'s", "PART", "POS", "case", 1, "'s", "O"), ("genre", "NOUN", "NN", "nsubj", 4, "genre", "O"),
        ("is", "AUX", "VBZ", "ROOT", 4, "be", "O"), ("Rhythm", "PROPN", "NNP", "attr", 4, "Rhythm", "O"),
        ("and", "CCONJ", "CC", "cc", 5, "and", "O"), ("blues", "NOUN", "NNS", "conj", 5, "blue", "O"),
        (".", "PUNCT", ".", "punct", 4, ".", "O"),
    ]  # fmt: skip
    found = triples(extractor, make_doc(blank, rows))
    assert ("ahmet ertegun", "genre", "rhythm and blues", False) in found, found
    assert not any(o in {"rhythm", "blue", "blues"} for _, _, o, _ in found), found


def test_clearnlp_indefinite_noun_set_off_after_a_name_and_parsed_as_subject_is_the_name(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("Barboza", "PROPN", "NNP", "nsubj", 4, "Barboza", "B-PERSON"), (",", "PUNCT", ",", "punct", 3, ",", "O"),
        ("a", "DET", "DT", "det", 3, "a", "O"), ("music", "NOUN", "NN", "compound", 4, "music", "O"),
        ("solo", "ADJ", "JJ", "amod", 5, "solo", "O"), ("singer", "NOUN", "NN", "nsubjpass", 8, "singer", "O"),
        (",", "PUNCT", ",", "punct", 5, ",", "O"), ("was", "AUX", "VBD", "auxpass", 8, "be", "O"),
        ("born", "VERB", "VBN", "ROOT", 8, "bear", "O"), ("in", "ADP", "IN", "prep", 8, "in", "O"),
        ("Asunción", "PROPN", "NNP", "pobj", 9, "Asunción", "B-GPE"), (".", "PUNCT", ".", "punct", 8, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc)
    assert ("barboza", "born in", "asunción", False) in found, found


def test_clearnlp_from_phrase_set_off_after_a_name_is_its_origin(blank: Language, extractor: SpacyExtractor) -> None:
    doc = make_doc(blank, [
        ("Kant", "PROPN", "NNP", "nsubj", 5, "Kant", "B-PERSON"), (",", "PUNCT", ",", "punct", 0, ",", "O"),
        ("from", "ADP", "IN", "prep", 0, "from", "O"), ("Holland", "PROPN", "NNP", "pobj", 2, "Holland", "B-GPE"),
        (",", "PUNCT", ",", "punct", 0, ",", "O"), ("worked", "VERB", "VBD", "ROOT", 5, "work", "O"),
        ("as", "ADP", "IN", "prep", 5, "as", "O"), ("a", "DET", "DT", "det", 8, "a", "O"),
        ("teacher", "NOUN", "NN", "pobj", 6, "teacher", "O"), (".", "PUNCT", ".", "punct", 5, ".", "O"),
    ])  # fmt: skip
    assert ("kant", "is from", "holland", False) in triples(extractor, doc)


def test_clearnlp_two_bare_nouns_joined_before_the_noun_they_modify_are_one_modifier(
    blank: Language, extractor: SpacyExtractor
) -> None:
    rows: list[Row] = [
        ("Andra", "PROPN", "NNP", "nsubj", 1, "Andra", "B-PERSON"), ("is", "AUX", "VBZ", "ROOT", 1, "be", "O"),
        ("a", "DET", "DT", "det", 3, "a", "O"), ("rhythm", "NOUN", "NN", "attr", 1, "rhythm", "O"),
        ("and", "CCONJ", "CC", "cc", 5, "and", "O"), ("blues", "NOUN", "NNS", "conj", 3, "blue", "O"),
        ("singer", "NOUN", "NN", "conj", 3, "singer", "O"), (".", "PUNCT", ".", "punct", 1, ".", "O"),
    ]  # fmt: skip
    found = triples(extractor, make_doc(blank, rows))
    assert ("andra", "is", "rhythm and blues singer", False) in found, found


def test_clearnlp_subject_inside_a_set_off_where_clause_is_the_name_the_sentence_opens_with(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("Kant", "PROPN", "NNP", "npadvmod", 11, "Kant", "B-PERSON"), (",", "PUNCT", ",", "punct", 0, ",", "O"),
        ("from", "ADP", "IN", "prep", 0, "from", "O"), ("Holland", "PROPN", "NNP", "pobj", 2, "Holland", "B-GPE"),
        (",", "PUNCT", ",", "punct", 3, ",", "O"), ("where", "ADV", "WRB", "advmod", 8, "where", "O"),
        ("the", "DET", "DT", "det", 7, "the", "O"), ("leader", "NOUN", "NN", "nsubj", 8, "leader", "O"),
        ("is", "AUX", "VBZ", "relcl", 3, "be", "O"), ("Rutte", "PROPN", "NNP", "nsubj", 11, "Rutte", "B-PERSON"),
        (",", "PUNCT", ",", "punct", 9, ",", "O"), ("worked", "VERB", "VBD", "ROOT", 11, "work", "O"),
        ("as", "ADP", "IN", "prep", 11, "as", "O"), ("teacher", "NOUN", "NN", "pobj", 12, "teacher", "O"),
        (".", "PUNCT", ".", "punct", 11, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc)
    assert ("kant", "work as", "teacher", False) in found, found
    assert ("rutte", "work as", "teacher", False) not in found, found


def test_clearnlp_it_after_a_subject_owned_by_a_name_is_that_name(blank: Language, extractor: SpacyExtractor) -> None:
    doc = make_doc(blank, [
        ("The", "DET", "DT", "det", 1, "the", "O"), ("epoch", "NOUN", "NN", "nsubj", 4, "epoch", "O"),
        ("of", "ADP", "IN", "prep", 1, "of", "O"), ("Gaussia", "PROPN", "NNP", "pobj", 2, "Gaussia", "B-ORG"),
        ("is", "AUX", "VBZ", "ROOT", 4, "be", "O"), ("short", "ADJ", "JJ", "acomp", 4, "short", "O"),
        (".", "PUNCT", ".", "punct", 4, ".", "O"),
        ("It", "PRON", "PRP", "nsubjpass", 9, "it", "O"), ("was", "AUX", "VBD", "auxpass", 9, "be", "O"),
        ("discovered", "VERB", "VBN", "ROOT", 9, "discover", "O"), ("by", "ADP", "IN", "agent", 9, "by", "O"),
        ("Belyavsky", "PROPN", "NNP", "pobj", 10, "Belyavsky", "B-PERSON"), (".", "PUNCT", ".", "punct", 9, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc)
    assert ("gaussia", "discovered by", "belyavsky", False) in found, found
    assert ("epoch", "discovered by", "belyavsky", False) not in found, found


def test_clearnlp_he_never_takes_up_a_name_with_a_digit(blank: Language, extractor: SpacyExtractor) -> None:
    doc = make_doc(blank, [
        ("101", "NUM", "CD", "nummod", 1, "101", "B-PRODUCT"),
        ("Helena", "PROPN", "NNP", "nsubjpass", 3, "Helena", "I-PRODUCT"),
        ("was", "AUX", "VBD", "auxpass", 3, "be", "O"), ("discovered", "VERB", "VBN", "ROOT", 3, "discover", "O"),
        ("by", "ADP", "IN", "agent", 3, "by", "O"), ("Watson", "PROPN", "NNP", "pobj", 4, "Watson", "B-PERSON"),
        (".", "PUNCT", ".", "punct", 3, ".", "O"),
        ("He", "PRON", "PRP", "nsubj", 8, "he", "O"), ("died", "VERB", "VBD", "ROOT", 8, "die", "O"),
        ("in", "ADP", "IN", "prep", 8, "in", "O"), ("Madison", "PROPN", "NNP", "pobj", 9, "Madison", "B-GPE"),
        (".", "PUNCT", ".", "punct", 8, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc)
    assert ("watson", "die in", "madison", False) in found, found
    assert ("101 helena", "die in", "madison", False) not in found, found


def test_clearnlp_it_takes_up_a_catalogue_name_the_tagger_called_a_person(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("101", "NUM", "CD", "nummod", 1, "101", "B-PERSON"),
        ("Helena", "PROPN", "NNP", "nsubj", 2, "Helena", "I-PERSON"),
        ("is", "AUX", "VBZ", "ROOT", 2, "be", "O"), ("bright", "ADJ", "JJ", "acomp", 2, "bright", "O"),
        (".", "PUNCT", ".", "punct", 2, ".", "O"),
        ("It", "PRON", "PRP", "nsubj", 6, "it", "O"), ("orbits", "VERB", "VBZ", "ROOT", 6, "orbit", "O"),
        ("Mars", "PROPN", "NNP", "dobj", 6, "Mars", "B-LOC"), (".", "PUNCT", ".", "punct", 6, ".", "O"),
    ])  # fmt: skip
    assert ("101 helena", "orbit", "mars", False) in triples(extractor, doc)


def test_clearnlp_a_name_directly_followed_by_in_and_a_place_name_is_in_that_place(
    blank: Language, extractor: SpacyExtractor
) -> None:
    doc = make_doc(blank, [
        ("The", "DET", "DT", "det", 2, "the", "O"), ("Atatürk", "PROPN", "NNP", "compound", 2, "Atatürk", "B-FAC"),
        ("Monument", "PROPN", "NNP", "nsubjpass", 6, "Monument", "I-FAC"), ("in", "ADP", "IN", "prep", 2, "in", "O"),
        ("Izmir", "PROPN", "NNP", "pobj", 3, "Izmir", "B-GPE"), ("is", "AUX", "VBZ", "auxpass", 6, "be", "O"),
        ("made", "VERB", "VBN", "ROOT", 6, "make", "O"), ("of", "ADP", "IN", "prep", 6, "of", "O"),
        ("bronze", "NOUN", "NN", "pobj", 7, "bronze", "O"), (".", "PUNCT", ".", "punct", 6, ".", "O"),
    ])  # fmt: skip
    found = triples(extractor, doc)
    assert ("atatürk monument", "is in", "izmir", False) in found, found
