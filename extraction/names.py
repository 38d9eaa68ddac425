"""Proper names in a parsed Doc: PROPN runs united with NER spans (the NER *label* only
proposes a type: the stand-in pipeline's labels are unreliable, its spans less so), extended
by name particles ("University *of* Texas", "John *van den* Brom"), numbers ("Apollo *11*",
"World War *II*", "(66063) *1998* RO1"), capitalised adjectives ("*Asian* Americans"), bare middle
initials ("Abraham *A* Ribicoff"), pieces joined without spaces ("Amsterdam-Centrum"), a plural's
apostrophe ("Martyrs*'* Memorial"), a conjunct of the complement of its "of" ("Port Authority of
New York *and New Jersey*"), "for"/"on"/"at" between two longer names ("Council *for* Technical
Education") and places with their region ("Glen Ridge, New Jersey"). A word is a name word by
its tag, by its shape (mixed case "AIDAstella", capitals with digits "VK8") or by its capital
inside a sentence, whatever the tagger took it for ("Elliot *See*", "Kids *Imagine* Nation"); a
lower-case word is none whatever its tag ("the *airport*"), and a sentence start the parser put
after a word cuts no name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lemminflect import getAllLemmas
from spacy.tokens import Doc, Span, Token

from memcubedb.extraction.discourse import GENDERED, Discourse
from memcubedb.extraction.grammar import PERSON_TITLES, Grammar, is_noun
from memcubedb.extraction.labels import entity_type
from memcubedb.extraction.triples import EntityType, Mention

#: Longest name taken as an entity, tokens (longer runs of capitalised words are titles or shouting).
MAX_NAME_TOKENS = 8
#: Longest word or name taken as an entity, characters (longer "words" are blobs: URLs, base64…).
MAX_CHARS = 128

#: lower-case words inside names ("Bank *of* America", "Ponce *de* León")
NAME_PARTICLES = frozenset({"of", "de", "da", "del", "della", "di", "du", "la", "le", "van", "von", "der", "den",
                            "the"})  # fmt: skip

#: prepositions inside a name between two names ("Council *for* Technical Education")
INNER_PREPOSITIONS = frozenset({"for", "on", "at"})
#: initials written with full stops ("A.F.C.", "U.S.")
_INITIALS = re.compile(r"(?:[A-Z]\.){2,}")
#: Roman numerals that number a name ("World War *II*", "Elizabeth *II*")
ROMAN_NUMERALS = frozenset({"II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV"})

#: characters that join the pieces of one name without spaces ("Amsterdam-Centrum", "AC-130")
JOINERS = frozenset({"-", "–", "/", "&", "."})

_TRIM_POS = frozenset({"DET", "PUNCT", "PART", "ADP", "CCONJ", "SPACE"})
#: parts of speech the stand-in tagger gives capitalised words of names it does not know
_MISTAGGED_POS = frozenset({"VERB", "ADV", "ADJ", "ADP", "INTJ", "X"})
#: of those, the ones a capitalised word inside a sentence never has unless it is a name
_STANDALONE_POS = frozenset({"VERB", "ADV", "INTJ", "X"})
#: parts of speech of closed-class words, never a name word by their shape alone
_FUNCTION_POS = frozenset({"DET", "PRON", "ADP", "CCONJ", "SCONJ", "AUX", "PART", "PUNCT", "SPACE"})


def _mixed_case(word: str) -> bool:
    """A word with a capital after its first letter that is not all capitals ("AIDAstella",
    "McLaren"): written as a name, whatever the tagger says."""
    return any(c.isupper() for c in word[1:]) and not word.isupper()


def starts_sentence(token: Token) -> bool:
    """True when ``token`` opens a sentence in the text: the parser says so and what comes before
    closes one (a full stop, a bracket, a line break…), not only a word the parser cut after
    ("John N Dempsey's predecessor | Abraham A Ribicoff was …") or initials ("A.F.C. | Blackpool")."""
    if not token.is_sent_start or token.i == 0:
        return token.is_sent_start
    prev = token.doc[token.i - 1]
    if _INITIALS.fullmatch(prev.text):
        return False
    return prev.is_punct or prev.is_space or prev.text[-1] in ".!?:;"


def _code(token: Token) -> bool:
    """Capitals with digits, a designation ("VK8", "RO1", "A1")."""
    text = token.text
    return text.isalnum() and text.isupper() and any(c.isdigit() for c in text)


@lru_cache(maxsize=16384)
def english_word(word: str) -> bool:
    """True when lemminflect's lexicon of English (common words; it holds no proper names) knows
    ``word`` ("see", "so"; not "ganymed", "artur")."""
    return bool(getAllLemmas(word))


def sentence_case_term(word: Token) -> Token | None:
    """The lower-case last word when ``word`` opens a term written in sentence case inside a
    sentence — a capitalised English word, "and", a lower-case English noun the parser made its
    conjunct ("his genre is *Rhythm and blues*"): one term, where a list of two common nouns
    would be written in lower case ("bread and bacon"); not after a capitalised word (a name:
    "Social Sciences and …") nor at a sentence start (every word is capitalised there)."""
    doc = word.doc
    if word.is_sent_start or word.i + 2 >= len(doc) or not word.is_title or not word.is_alpha:
        return None
    conjunction, last = doc[word.i + 1], doc[word.i + 2]
    if conjunction.lower_ != "and" or not last.is_alpha or not last.is_lower or last.head != word:
        return None
    if doc[word.i - 1].is_title or not english_word(word.lower_) or not english_word(last.lower_):
        return None
    return last if last.pos_ in {"NOUN", "ADJ"} else None


def trim_span(span: Span) -> Span:
    """``span`` without determiners, punctuation, particles and prepositions at its edges."""
    start, end = span.start, span.end
    while start < end and (span.doc[start].pos_ in _TRIM_POS or span.doc[start].tag_ == "POS"):
        start += 1
    while end > start and (span.doc[end - 1].pos_ in _TRIM_POS or span.doc[end - 1].tag_ == "POS"):
        end -= 1
    return span.doc[start:end]


class NameFinder:
    """Name spans of one Doc; the base of :class:`~memcubedb.extraction.mentions.MentionIndex`,
    which sets the state these methods read (tokens already claimed by dates and values in
    ``_by_token``, the participants' names, the discourse whose genders titles teach)."""

    doc: Doc
    grammar: Grammar
    discourse: Discourse
    participants: set[str]
    _by_token: dict[int, Mention | None]
    _name_starts: set[int]

    @staticmethod
    def _numbers_name(token: Token) -> bool:
        """An integer written next to a capitalised proper noun or a designation is part of its
        name: "Apollo 11", "11264 Claudiomaccone", "1994 VK8" (a date or a unit would have
        claimed it already)."""
        doc = token.doc
        if not token.is_digit:
            return False
        for k in (token.i - 1, token.i + 1):
            if not 0 <= k < len(doc):
                continue
            if (doc[k].pos_ == "PROPN" and (doc[k].is_title or doc[k].is_upper)) or _code(doc[k]):
                return not (k == token.i - 1 and doc[k].whitespace_ == "" and doc[k].is_punct)
        nxt = doc[token.i + 1] if token.i + 1 < len(doc) else None  # "1036 *Ganymed*", tagged VERB
        if nxt is None or nxt.pos_ not in _STANDALONE_POS or not nxt.is_title or starts_sentence(nxt):
            return False
        return not english_word(nxt.lower_)

    @staticmethod
    def year_in_name(span: Span) -> bool:
        """True when ``span`` is a bare year that belongs to a name: before a capitalised code
        ("(66063) 1998 *RO1*", a provisional designation) or between two capitalised proper
        nouns ("1 Decembrie *1918* University")."""
        doc = span.doc
        if len(span) != 1 or not (span[0].is_digit and len(span[0]) == 4) or span.end >= len(doc):
            return False
        nxt, prev = doc[span.end], doc[span.start - 1] if span.start else None
        if not span[0].whitespace_ or not (nxt.pos_ == "PROPN" or _code(nxt)):
            return False
        numbered = prev is not None and (prev.like_num or prev.text == ")")  # "(66063) 1998 FD"
        code = nxt.is_upper and (numbered or any(c.isdigit() for c in nxt.text))
        sandwich = prev is not None and prev.pos_ == "PROPN" and prev.is_title and nxt.is_title
        return code or sandwich

    # --- names --------------------------------------------------------------------------------

    def _name_spans(self) -> dict[int, Mention]:
        doc, spans = self.doc, []
        labels: dict[tuple[int, int], str] = {}
        for ent in doc.ents:
            trimmed = trim_span(ent)
            if len(trimmed) and entity_type(ent.label_) not in {EntityType.DATE, EntityType.LITERAL}:
                spans.append((trimmed.start, trimmed.end))
                labels[(trimmed.start, trimmed.end)] = ent.label_
        i = 0
        while i < len(doc):
            lower = doc[i].is_lower and doc[i].pos_ == "PROPN"  # "Abilene regional *airport*": a tagger slip
            starts = self._is_number_part(doc[i]) or self._is_name_adjective(doc[i]) or self._capitalised(doc[i])
            if (self._is_name_word(doc[i]) and not lower) or (starts and self._continues(doc, i + 1)):
                j = i + 1
                while j < len(doc) and not starts_sentence(doc[j]) and self._continues(doc, j):
                    j += 1
                while j - 1 > i and (doc[j - 1].is_punct or doc[j - 1].lower_ in NAME_PARTICLES):
                    j -= 1
                spans.append((i, j))
                i = j
            else:
                i += 1
        merged: list[tuple[int, int, str]] = []
        for start, end in sorted(spans):
            label = labels.get((start, end), "")
            if merged and start < merged[-1][1]:
                prev = merged[-1]
                merged[-1] = (prev[0], max(prev[1], end), prev[2] or label)
            else:
                merged.append((start, end, label))
        merged = self._places(self._inner_prepositions(self._of_and(self._sentence_case(merged))))
        out: dict[int, Mention] = {}
        for start, end, label in merged:
            if any(doc[k].i in self._by_token for k in range(start, end)) or not doc[start:end].text.strip():
                continue
            too_long = (
                end - start > MAX_NAME_TOKENS or doc[end - 1].idx + len(doc[end - 1]) - doc[start].idx > MAX_CHARS
            )
            if too_long:  # a run of capitalised words (a title, shouting) or a blob is no name
                continue
            mention = self._name_mention(doc[start:end], label)
            self._name_starts.add(start)
            for k in range(start, end):
                out[k] = mention
        return out

    def _sentence_case(self, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Extend a one-word span over "and" + the lower-case word of a sentence-case term
        ("*Rhythm and blues*", :func:`sentence_case_term`)."""
        out = []
        for start, end, label in spans:
            last = sentence_case_term(self.doc[start]) if end - start == 1 else None
            out.append((start, last.i + 1, label) if last is not None else (start, end, label))
        return out

    def _of_and(self, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Join "Name of X and Y" when Y is parsed as a conjunct of X, the complement of the name's
        "of" ("Port Authority of New York and New Jersey", "School of Business and Social
        Sciences"), not of the name ("University of Texas and Rice University"); a second name
        with an "of" of its own or a person's name makes a list ("Bank of Spain and Bank of
        Italy", "University of Gottingen and Allan Sandage")."""
        doc, out = self.doc, []
        for start, end, label in spans:
            if out and start == out[-1][1] + 1 and doc[start - 1].lower_ == "and":
                first = out[-1]
                of = next((k for k in range(first[0] + 1, first[1]) if doc[k].lower_ == "of"), None)
                root = doc[start:end].root
                inner = of is not None and root.dep_ in self.grammar.scheme.conj and of < root.head.i < first[1]
                person = entity_type(label) == EntityType.PERSON  # "… of Gottingen and Allan Sandage"
                if inner and not person and not any(doc[k].lower_ == "of" for k in range(start, end)):
                    out[-1] = (first[0], end, first[2] or label)
                    continue
            out.append((start, end, label))
        return out

    def _inner_prepositions(self, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Join "Name for/on/at Name" when both sides are names of two words or more and neither
        is a person's: an institution or a title named with its field or seat ("All India
        Council for Technical Education", "ACM Transactions on Information Systems", "University
        of Texas at Austin")."""
        doc, out = self.doc, []
        for start, end, label in spans:
            if out and start == out[-1][1] + 1 and doc[start - 1].lower_ in INNER_PREPOSITIONS:
                first = out[-1]
                of = any(doc[k].lower_ == "of" for k in range(first[0], first[1]))  # "University of Texas at Austin"
                long_enough = first[1] - first[0] >= 2 and (end - start >= 2 or of)
                people = EntityType.PERSON in {entity_type(first[2]), entity_type(label)}
                if long_enough and not people:
                    out[-1] = (first[0], end, first[2] or label)
                    continue
            out.append((start, end, label))
        return out

    def _places(self, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Join "Name, Name" when the second is an appositive of the first: a place and the region
        it lies in is one name ("Glen Ridge, New Jersey", "Newport Pagnell, Buckinghamshire,
        England"); coordinated names ("Mark, Lisa and Tom") are conjuncts, not appositives."""
        doc, out = self.doc, []
        appositive = self.grammar.scheme.appositive
        for start, end, label in spans:
            if out and start == out[-1][1] + 1 and doc[start - 1].text == ",":
                first = out[-1]
                root = doc[start:end].root
                hung = root.dep_ in appositive and first[0] <= root.head.i < first[1]
                if (hung or self._unmarked_place(first, root, label)) and not self._listed(end):
                    out[-1] = (first[0], end, first[2] or label)
                    continue
            out.append((start, end, label))
        return out

    def _unmarked_place(self, first: tuple[int, int, str], root: Token, label: str) -> bool:
        """True when a place name after "Name," was parsed as a conjunct with no "and"/"or" or as a
        second subject of the same verb ("Harrietstown, New York is part of …"): two names joined
        by a bare comma are an apposition, which in a place name is the region it lies in."""
        if entity_type(label) != EntityType.PLACE:
            return False
        head = self.doc[first[0] : first[1]].root
        if root.dep_ == "conj" and first[0] <= root.head.i < first[1]:  # only these two, no coordinator
            others = [c for c in (*head.children, *root.children) if c.dep_ == "conj" or c.pos_ == "CCONJ"]
            return others == [root]
        return root.head == head.head and root.dep_ == head.dep_ and root.head.i >= first[1]

    def _listed(self, end: int) -> bool:
        """True when a coordinating word follows the span (", and …", "and …": a list of names)."""
        doc = self.doc
        k = end + 1 if end < len(doc) and doc[end].text == "," else end
        return k < len(doc) and doc[k].pos_ == "CCONJ"

    def _is_name_adjective(self, token: Token) -> bool:
        """A capitalised adjective or participle right before a name word is part of the name
        ("*Asian* Americans", "*Ottoman* Army", "A *Severed* Wasp")."""
        nxt = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
        modifier = token.pos_ == "ADJ" or (token.tag_ in {"VBN", "VBG"} and not starts_sentence(token))
        return modifier and token.is_title and nxt is not None and self._is_name_word(nxt)

    def _capitalised(self, token: Token) -> bool:
        """A capitalised word inside a sentence that the tagger took for a verb, adverb, adjective
        or preposition: inside running text only names are capitalised ("Elliot *See* was born",
        "the band Kids *Imagine* Nation", "is called *Artur* Rasizade", "*O* Canada")."""
        return (
            token.pos_ in _MISTAGGED_POS
            and token.is_title
            and token.is_alpha
            and not starts_sentence(token)
            and token.text != "I"
            and token.i not in self._by_token
        )

    def _is_number_part(self, token: Token) -> bool:
        if token.i in self._by_token:
            return False
        ordinal = token.shape_ in {"dxx", "ddxx", "dddxx"} and token.lower_[-2:] in {"st", "nd", "rd", "th"}
        nxt = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
        if ordinal and nxt is not None and self._is_name_word(nxt):
            return True  # "14th New Jersey Volunteer Infantry Monument"
        if token.text in ROMAN_NUMERALS and token.i > 0 and token.doc[token.i - 1].is_title:
            return True  # "World War II", "Felipe VI"
        return token.like_num and self._numbers_name(token)

    def _continues(self, doc: Doc, j: int) -> bool:
        """Whether token ``j`` extends the name run before it: another name word, a number of a
        numbered name, a particle between name words ("University *of* Texas", "Ponce *de* León")
        or a piece joined without spaces ("Amsterdam*-Centrum*", "AC*-130*")."""
        if j >= len(doc) or j in self._by_token:
            return False
        tok, prev = doc[j], doc[j - 1]
        if self._is_name_word(tok) or self._is_number_part(tok):
            return True
        nxt = doc[j + 1] if j + 1 < len(doc) else None
        named_next = nxt is not None and (self._is_name_word(nxt) or self._particles_then_name(j + 1))
        if self._capitalised(tok) and (tok.pos_ != "ADP" or named_next):
            return True  # "Elliot *See*", "Kids *Imagine* Nation", "Alcatraz *Versus* the Evil Librarians"
        if tok.text == "'" and prev.lower_.endswith("s") and prev.is_title and named_next:
            return True  # "Baku Turkish Martyrs*'* Memorial": a plural's apostrophe inside a name
        if len(tok.text) == 1 and tok.is_upper and tok.text != "I" and named_next:
            return True  # a middle initial written without its full stop: "Abraham *A* Ribicoff"
        first, k = j, j
        while first > 0 and doc[first - 1].lower_ in NAME_PARTICLES:
            first -= 1
        while k < len(doc) and doc[k].lower_ in NAME_PARTICLES:
            k += 1
        if k > j and k < len(doc) and self._is_name_word(doc[k]):
            return doc[first - 1].is_title  # "University of Texas", "John van den Brom", not "CTO of Acme"
        if tok.text == "&" and nxt is not None and nxt.is_alpha and self._is_name_word(prev):
            return True  # "Carnival Corporation & plc"
        if prev.text == "&" and tok.is_alpha:
            return True
        joined = not prev.whitespace_ and (tok.text in JOINERS or prev.text in JOINERS)
        return joined and (tok.text in JOINERS or tok.is_alpha or tok.like_num) and not starts_sentence(tok)

    def _particles_then_name(self, j: int) -> bool:
        """True when name particles start at ``j`` and a name word follows them ("*the* Evil")."""
        doc, k = self.doc, j
        while k < len(doc) and doc[k].lower_ in NAME_PARTICLES:
            k += 1
        return j < k < len(doc) and self._is_name_word(doc[k])

    def _is_name_word(self, token: Token) -> bool:
        if token.i not in self._by_token and (_INITIALS.fullmatch(token.text) or _code(token)):
            return True  # "A.F.C. Blackpool", "U.S.", "1994 VK8": a name by its shape, whatever the tagger says
        if token.i in self._by_token or token.is_space or (not token.is_alpha and token.pos_ != "PROPN"):
            return False
        if token.pos_ == "PROPN" or token.tag_ in {"NNP", "NNPS"}:
            return True
        if _mixed_case(token.text) and token.pos_ not in _FUNCTION_POS:
            return True  # "AIDAstella was built …": a name by its shape, whatever the tagger says
        if token.pos_ in _STANDALONE_POS and self._capitalised(token) and not english_word(token.lower_):
            return True  # "1036 *Ganymed* was discovered" (not "it was So good", chat's emphasis)
        if not is_noun(token) or not token.is_title:
            return False
        if not starts_sentence(token):  # a capitalised NOUN inside a sentence is a name the tagger missed
            return True
        if any(c.dep_ in self.grammar.scheme.appositive and c.pos_ == "PROPN" for c in token.children):
            return True  # "Abilene, Texas is …"
        if self._before_name(token):
            return True  # "Abraham A Ribicoff was born …": the first word of a name the tagger missed
        # sentence-initial: a bare singular subject with no modifiers reads as a name ("Okafor sold …")
        bare = not any(c.dep_ in {"det", "amod", "nummod"} or c.dep_ in self.grammar.scheme.possessive
                       for c in token.children)  # fmt: skip
        singular = (token.lemma_ or token.text).lower() == token.lower_
        return bare and singular and token.dep_ in self.grammar.scheme.subject

    @staticmethod
    def _before_name(token: Token) -> bool:
        """True when a proper noun follows ``token``, directly or after a bare middle initial."""
        doc, k = token.doc, token.i + 1
        if k + 1 < len(doc) and len(doc[k].text) == 1 and doc[k].is_upper and doc[k].text != "I":
            k += 1
        return k < len(doc) and (doc[k].pos_ == "PROPN" or doc[k].tag_ in {"NNP", "NNPS"})

    def _name_mention(self, span: Span, label: str) -> Mention:
        text = " ".join("".join(t.text_with_ws for t in span if not t.is_space).split())
        kind = entity_type(label) if label else EntityType.OTHER
        first = span[0].lower_
        if text.casefold() in self.participants or first in PERSON_TITLES:
            kind = EntityType.PERSON
        if first in PERSON_TITLES:
            self.discourse.gender[text.casefold()] = "male" if first in GENDERED["male"] else "female"
        return Mention(text=text, name=text, type=kind, start=span.start_char, end=span.end_char, named=True)
