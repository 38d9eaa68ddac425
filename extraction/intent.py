"""Intent parsing: natural-language memory requests → a chain of typed memory operations.

MemOS's MemReader turns what a user *asks of memory* into operations for the memory API. Here
that is rule-based with a spaCy ``Matcher`` over the tokens (no model needed: a blank English
tokenizer works, any loaded pipeline's vocab can be shared):

====================================  ===========================================
request                               operation
====================================  ===========================================
"remember that …", "note that …"      :class:`AddMemory` (``text``)
"forget what I said about …"          :class:`DeleteMemory` (``about``)
"what do you know about …"            :class:`SearchMemory` (``query``)
"actually it's …, not …"              :class:`UpdateMemory` (``text``, ``replaces``)
====================================  ===========================================

Several requests in one message ("Remember that …, and forget …") give several operations, in
order. Text without any request gives an empty chain.
"""

from __future__ import annotations

import re

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.util import filter_spans

from memcubedb.extraction.operations import AddMemory, DeleteMemory, SearchMemory, UpdateMemory

_THAT = {"LOWER": {"IN": ["that", ":"]}, "OP": "?"}
_PATTERNS: dict[str, list[list[dict[str, object]]]] = {
    "add": [
        [{"LOWER": {"IN": ["remember", "memorize", "memorise", "note"]}}, _THAT],
        [{"LOWER": {"IN": ["do", "don't"]}}, {"LOWER": {"IN": ["not", "n't"]}, "OP": "?"}, {"LOWER": "forget"}, _THAT],
        [{"LOWER": "keep"}, {"LOWER": "in"}, {"LOWER": "mind"}, _THAT],
        [{"LOWER": "make"}, {"LOWER": "a"}, {"LOWER": "note"}, {"LOWER": "that", "OP": "?"}],
        [{"LOWER": {"IN": ["save", "store"]}}, {"LOWER": "that"}],
    ],
    "delete": [
        [{"LOWER": {"IN": ["forget", "delete", "erase", "remove"]}},
         {"LOWER": {"IN": ["what", "everything", "anything", "all"]}, "OP": "?"},
         {"LOWER": {"IN": ["i", "you"]}, "OP": "?"}, {"LOWER": {"IN": ["said", "told", "know", "have"]}, "OP": "?"},
         {"LOWER": {"IN": ["you", "me"]}, "OP": "?"}, {"LOWER": {"IN": ["about", "on", "regarding"]}, "OP": "?"}],
        [{"LOWER": "stop"}, {"LOWER": "remembering"}, {"LOWER": "about", "OP": "?"}],
    ],
    "search": [
        [{"LOWER": "what"}, {"LOWER": {"IN": ["do", "did"]}}, {"LOWER": "you"},
         {"LOWER": {"IN": ["know", "remember", "recall"]}}, {"LOWER": {"IN": ["about", "of", "regarding"]}}],
        [{"LOWER": {"IN": ["do", "did"]}}, {"LOWER": "you"}, {"LOWER": {"IN": ["remember", "recall", "know"]}},
         {"LOWER": {"IN": ["about", "anything", "what", "whether", "if"]}, "OP": "*"}],
        [{"LOWER": "tell"}, {"LOWER": "me"}, {"LOWER": {"IN": ["what", "everything"]}, "OP": "?"},
         {"LOWER": "you", "OP": "?"}, {"LOWER": {"IN": ["know", "remember"]}, "OP": "?"}, {"LOWER": "about"}],
        [{"LOWER": {"IN": ["recall", "look", "search"]}}, {"LOWER": {"IN": ["up", "for"]}, "OP": "?"}],
    ],
    "update": [
        [{"LOWER": "actually"}, {"ORTH": ",", "OP": "?"}, {"LOWER": {"IN": ["it", "that", "its"]}, "OP": "?"},
         {"LOWER": {"IN": ["'s", "is", "was"]}, "OP": "?"}],
        [{"LOWER": "correction"}, {"ORTH": ":", "OP": "?"}],
        [{"LOWER": "i"}, {"LOWER": "meant"}],
        [{"LOWER": {"IN": ["update", "change"]}}, {"LOWER": {"IN": ["that", "it"]}, "OP": "?"},
         {"LOWER": "to", "OP": "?"}],
    ],
}  # fmt: skip
#: "I remember …", "we note …" are statements, not requests.
_STATEMENT_SUBJECTS = frozenset({"i", "we", "they", "he", "she", "'ll", "will", "would", "might"})
_LEAD = re.compile(r"^(?:\s|[,.;:!?]|and\b|then\b|also\b|please\b|that\b)+", re.IGNORECASE)
_TRAIL = re.compile(r"(?:\s|[,.;:!?]|\band|\bthen|\balso|\bplease)+$", re.IGNORECASE)
_NOT = re.compile(r",?\s*\bnot\s+(.+)$", re.IGNORECASE)


def _clean(text: str) -> str:
    return _TRAIL.sub("", _LEAD.sub("", text)).strip()


class IntentParser:
    """Parses memory requests with a spaCy ``Matcher``.

    Args:
        nlp: a pipeline whose tokenizer and vocab to use (default: ``spacy.blank("en")``); only
            the tokenizer runs.
    """

    def __init__(self, nlp: Language | None = None) -> None:
        self.nlp = nlp if nlp is not None else spacy.blank("en")
        self._matcher = Matcher(self.nlp.vocab)
        for op, patterns in _PATTERNS.items():
            self._matcher.add(op, patterns)  # type: ignore[arg-type]

    def parse(self, text: str) -> list[AddMemory | DeleteMemory | SearchMemory | UpdateMemory]:
        """The chain of operations ``text`` asks for, in order (empty when it asks for none)."""
        doc = self.nlp.make_doc(text)
        matches = self._matcher(doc)
        labels = {(s, e): self.nlp.vocab.strings[m] for m, s, e in matches}
        spans = [doc[s:e] for _, s, e in matches if not (s > 0 and doc[s - 1].lower_ in _STATEMENT_SUBJECTS)]
        triggers = sorted(filter_spans(spans), key=lambda sp: sp.start)
        operations: list[AddMemory | DeleteMemory | SearchMemory | UpdateMemory] = []
        for k, trigger in enumerate(triggers):
            end = triggers[k + 1].start_char if k + 1 < len(triggers) else len(text)
            argument = _clean(text[trigger.end_char : end])
            if not argument:
                continue
            kind = labels[(trigger.start, trigger.end)]
            if kind == "add":
                operations.append(AddMemory(text=argument))
            elif kind == "delete":
                operations.append(DeleteMemory(about=argument))
            elif kind == "search":
                operations.append(SearchMemory(query=argument.rstrip("?").strip() or argument))
            else:
                negation = _NOT.search(argument)
                new = _clean(argument[: negation.start()]) if negation else argument
                old = _clean(negation.group(1)) if negation else None
                operations.append(UpdateMemory(text=new or argument, replaces=old or None))
        return operations


def parse_intent(
    text: str, parser: IntentParser | None = None
) -> list[AddMemory | DeleteMemory | SearchMemory | UpdateMemory]:
    """Convenience: :meth:`IntentParser.parse` with a blank-English parser (built per call unless given)."""
    return (parser or IntentParser()).parse(text)
