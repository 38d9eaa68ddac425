"""Repairs of a parse where the tagger erred in a recognisable way, applied before the rules read it.

One construction so far: a present-tense verb tagged as a plural noun heading its own sentence
("Arrabbiata sauce *originates* from the region of Rome", "Aaron Deer *collaborates* with The
Horns"). The stand-in tags the verb NNS, makes it the root and hangs the real subject on it as
a ``compound``, so the rules read one noun phrase ("arrabbiata sauce originate") and no clause.
The signs, all required: the word is the root, tagged NNS, lower-case, spelled as the
third-person singular of a verb (lemminflect) whose lemma differs from the word, has no
determiner, possessor or subject of its own, a noun (or name) right before it that hangs on it,
and an argument after it (a prepositional phrase or an object). The word becomes a VBZ verb,
the noun before it its subject (taking the words of its phrase along: ``compound``, ``flat``,
determiners, adjectives). Works on UD and ClearNLP labels (:class:`LabelScheme`). Entity spans
that ran over the verb are cut before it.

The same misread verb inside a noun phrase, before its object ("Aaron Turner *performs*
black metal", "Abradab *performs* hip hop music": the stand-in hangs the name on the verb as a
``compound`` and the verb on the object's noun): with a name or noun right before it hanging on
it and a run of content words after it that ends in a noun, the word becomes the clause's verb,
the name its subject, the run's last noun its object (the other words of the run that noun's
modifiers), and the verb takes the place in the tree of the run's top.

A second: a finite verb with no subject of its own that the parser coordinated with a noun
argument of an earlier verb ("Arros negre contains *Squid* and *comes* from Catalonia", "was
born in Dallas as US *national* and *graduated* from …": ``comes``/``graduated`` hung as a
``conj`` of the object or oblique) is a conjunct of that verb again, so it shares the verb's
subject. Only a tensed verb (VBZ/VBD/VBP) moves: a participle after "and" may well describe
the noun ("a sauce made with tomatoes and cooked in …").

A third: a term written in sentence case inside a sentence — a capitalised English word, "and",
a lower-case English word ("his genre is *Rhythm and blues*") — is one term, not a list: the
capital marks the start of a fixed expression, where a list of two common nouns would be
written in lower case ("bread and bacon"). The lower-case conjunct becomes a part of the first
word's term (``flat`` in UD, ``compound`` in ClearNLP) instead of a member of its own.

A fourth: two bare lower-case nouns joined by "and" right before the noun they modify ("a
*rhythm and blues* artist", "performs *rhythm and blues* music"), where the stand-in made all
three conjuncts of the first: the pair is one modifier — a coordination inside a compound —
so the three words become one token, the compound modifier of the last noun, which takes the
first word's place in the tree.
"""

from __future__ import annotations

from lemminflect import getInflection, getLemma
from spacy.tokens import Doc, Span, Token

from memcubedb.extraction.grammar import FINITE_TAGS
from memcubedb.extraction.labels import LabelScheme
from memcubedb.extraction.names import sentence_case_term

#: dependents of the misread verb that belong to the subject's noun phrase
_PHRASE = frozenset({"compound", "flat", "flat:name", "det", "amod", "nmod:poss", "poss", "nummod"})


def _verb_form(token: Token) -> str | None:
    """The verb lemma when ``token`` is spelled as its third-person singular ("originates")."""
    lemmas = getLemma(token.lower_, upos="VERB")
    if not lemmas or lemmas[0].lower() == token.lower_:
        return None
    lemma = lemmas[0].lower()
    return lemma if token.lower_ in getInflection(lemma, tag="VBZ") else None


def _misread_verb(token: Token, scheme: LabelScheme) -> Token | None:
    """The subject noun when ``token`` is a verb the tagger read as a plural noun root."""
    if token.dep_ != "ROOT" or token.tag_ != "NNS" or not token.is_lower or token.i == 0:
        return None
    own = scheme.subject | scheme.passive_subject | scheme.possessive | {"det"}
    if any(c.dep_ in own for c in token.children) or not any(c.i > token.i for c in token.children
                                                              if c.dep_ != "punct"):  # fmt: skip
        return None
    before = token.doc[token.i - 1]
    if before.head != token or before.dep_ not in _PHRASE or before.pos_ not in {"NOUN", "PROPN"}:
        return None
    return before if _verb_form(token) is not None else None


def repair_misread_verbs(doc: Doc, scheme: LabelScheme) -> int:
    """Turn every misread verb root of ``doc`` back into a clause, in place; returns how many."""
    repaired = 0
    for token in doc:
        subject = _misread_verb(token, scheme)
        if subject is None:
            continue
        lemma = _verb_form(token)
        for child in list(token.children):
            if child.i < subject.i and child.dep_ in _PHRASE:
                child.head = subject
        subject.dep_ = "nsubj"  # the same label in UD and ClearNLP
        token.pos_, token.tag_, token.lemma_ = "VERB", "VBZ", lemma or token.lemma_
        repaired += 1
        _cut_entities(doc, token)
    return repaired


def _cut_entities(doc: Doc, verb: Token) -> None:
    """End any entity span that ran over ``verb`` right before it ("Aaron Deer collaborates")."""
    ents: list[Span] = []
    for ent in doc.ents:
        if ent.start <= verb.i < ent.end:
            if ent.start < verb.i:
                ents.append(Span(doc, ent.start, verb.i, label=ent.label))
        else:
            ents.append(ent)
    doc.ents = ents


def _governing_verb(noun: Token, scheme: LabelScheme) -> Token | None:
    """The verb ``noun`` is an object or oblique of (through a ClearNLP preposition), if any."""
    head = noun.head
    if noun.dep_ in scheme.prep_object and head.dep_ in scheme.preposition | scheme.agent:
        noun, head = head, head.head
    elif noun.dep_ not in scheme.obj | scheme.oblique:
        return None
    return head if head.pos_ in {"VERB", "AUX"} and head != noun else None


def repair_stranded_conjuncts(doc: Doc, scheme: LabelScheme) -> int:
    """Re-hang every subjectless tensed verb coordinated with a verb's noun argument on that
    verb, in place (``conj`` keeps its label); returns how many."""
    repaired = 0
    own = scheme.subject | scheme.passive_subject | {"expl"}
    for token in doc:
        if token.dep_ not in scheme.conj or token.tag_ not in FINITE_TAGS - {"MD"} or token.head == token:
            continue
        noun = token.head
        if noun.pos_ in {"VERB", "AUX"} or any(c.dep_ in own for c in token.children):
            continue  # a verb's own conjunct, or a clause with its own subject
        if any(c.dep_ in scheme.copula for c in noun.children):
            continue  # "X is a dish and comes from Y": the copular clause's conjunct is read there
        verb = _governing_verb(noun, scheme)
        if verb is None or verb.i > noun.i:
            continue
        token.head = verb
        repaired += 1
    return repaired


def repair_sentence_case_terms(doc: Doc, scheme: LabelScheme) -> int:
    """Join every sentence-case term "Word and word" into one, in place; returns how many."""
    repaired = 0
    part = "flat" if "flat" in scheme.name_part else next(iter(sorted(scheme.name_part)))
    for token in doc:
        last = sentence_case_term(token)
        if last is None or last.dep_ not in scheme.conj:
            continue
        last.dep_ = part
        repaired += 1
    return repaired


#: left dependents that modify a noun (a modified first conjunct starts a list member of its own)
_MODIFIERS = frozenset({"amod", "compound", "nummod", "flat", "nmod", "nmod:poss", "poss", "nn"})
#: parts of speech that end the object run after a misread verb
_FUNCTION_POS = frozenset({"DET", "ADP", "CCONJ", "SCONJ", "PRON", "AUX", "PART", "PUNCT", "NUM", "SYM"})


def _object_run(verb: Token) -> list[Token]:
    """The content words right after a misread verb, ending in its object noun, or []."""
    doc, run = verb.doc, []
    for tok in doc[verb.i + 1 :]:
        if tok.pos_ in _FUNCTION_POS or tok.tag_ in {"VBZ", "VBD"} or tok.is_sent_start:
            break
        run.append(tok)
    while run and run[-1].pos_ not in {"NOUN", "PROPN"}:
        run.pop()
    return run


def repair_misread_inner_verbs(doc: Doc, scheme: LabelScheme) -> int:
    """Turn every misread verb inside a noun phrase back into a clause, in place; returns how many."""
    repaired = 0
    obj_label = "obj" if "obj" in scheme.obj else "dobj"
    for verb in doc:
        if verb.dep_ == "ROOT" or verb.tag_ != "NNS" or not verb.is_lower or verb.i == 0:
            continue
        before, lemma = doc[verb.i - 1], _verb_form(verb)
        if lemma is None or before.head != verb or before.pos_ not in {"NOUN", "PROPN"} or before.dep_ not in _PHRASE:
            continue
        if before.like_num or any(c.isdigit() for c in before.text):
            continue  # a number before a plural is its count ("-71 degrees celsius")
        if any(c.dep_ in scheme.possessive | {"det"} for c in verb.children):
            continue
        run = _object_run(verb)
        members = {verb.i, *(t.i for t in run)}
        tops = [t for t in [verb, *run] if t.head.i not in members or t.head == t]
        if not run or len(tops) != 1:
            continue  # the words after it belong to another phrase
        top, obj = tops[0], run[-1]
        outer, outer_dep = (top.head, top.dep_) if top.head != top else (None, "ROOT")
        moved = [c for c in top.children if c.i > obj.i and c.pos_ in {"VERB", "AUX", "PUNCT"}]
        for child in list(verb.children) + list(top.children):
            if child.i < verb.i and child.dep_ in _PHRASE and child != before:
                child.head = before
        before.head, before.dep_ = verb, "nsubj"
        verb.head, verb.dep_ = (outer if outer is not None else verb), outer_dep
        obj.head, obj.dep_ = verb, obj_label
        for tok in run[:-1]:  # "ska[VERB] punk music": a word before the object noun modifies it
            tok.head, tok.dep_ = obj, ("amod" if tok.pos_ == "ADJ" else "compound")
            if tok.pos_ == "VERB":
                tok.pos_, tok.tag_ = "NOUN", "NN"
        for child in moved:
            child.head = verb
        verb.pos_, verb.tag_, verb.lemma_ = "VERB", "VBZ", lemma
        repaired += 1
        _cut_entities(doc, verb)
    return repaired


def _coordinated_modifier(first: Token, scheme: LabelScheme) -> tuple[Token, Token] | None:
    """(second word, modified noun) when ``first`` opens "noun and noun noun" read as three
    conjuncts of ``first`` ("rhythm[ROOT] and blues[conj] artist[conj]")."""
    doc = first.doc
    if first.i + 3 > len(doc) - 1 or not first.is_lower or first.pos_ != "NOUN":
        return None
    conjunction, second, noun = doc[first.i + 1], doc[first.i + 2], doc[first.i + 3]
    if conjunction.lower_ != "and" or conjunction.head != second or second.head != first or noun.head != first:
        return None
    if second.dep_ not in scheme.conj or not (second.is_lower and second.is_alpha and noun.is_lower and noun.is_alpha):
        return None
    if noun.tag_ not in {"NN", "JJ"} or any(c.dep_ == "cc" for c in noun.children) or second.tag_ == "VBD":
        return None
    if second.pos_ == "ADJ" or any(c.i < first.i and c.dep_ in _MODIFIERS for c in first.children):
        return None  # modified conjuncts make a list ("a Jazz musician and solo singer")
    after = doc[noun.i + 1] if noun.i + 1 < len(doc) else None
    if after is not None and after.pos_ in {"NOUN", "PROPN"}:
        return None  # the phrase goes on: not the noun modified
    return second, noun


def repair_coordinated_modifiers(doc: Doc, scheme: LabelScheme) -> int:
    """Merge every "noun and noun" before the noun it modifies into one compound modifier, in
    place (the Doc is retokenised, one phrase at a time); returns how many."""
    repaired = 0
    while (found := next(((t, *p) for t in doc if (p := _coordinated_modifier(t, scheme)) is not None), None)):
        first, second, noun = found
        outer = first.head if first.head != first else None
        dep, first_i = first.dep_, first.i
        for child in list(first.children):
            if child.i < first.i or child.i > noun.i:
                child.head = noun  # "a" of "a rhythm and blues artist", what follows the phrase
        noun.head, noun.dep_ = (outer if outer is not None else noun), dep
        noun.pos_, noun.tag_ = "NOUN", "NN"
        second.head = first
        with doc.retokenize() as retokenizer:
            span = doc[first.i : second.i + 1]
            retokenizer.merge(span, attrs={"POS": "NOUN", "TAG": "NN", "LEMMA": span.text.lower()})
        merged = doc[first_i]
        merged.head, merged.dep_ = doc[first_i + 1], "compound"
        repaired += 1
    return repaired
