"""Scoring extracted triples against gold triples (WebNLG-style), as pure functions.

Two measures, micro-averaged by summing :class:`Counts` over texts:

* **entity-pair** (relation ignored): predicted and gold ``(subject, object)`` pairs are
  normalised (:func:`normalise`) and de-duplicated per text; a predicted pair is compatible with
  a gold pair when the token Jaccard similarity (tokens = ``\\w+`` runs) of the subjects is
  ≥ 0.5 and that of the objects is ≥ 0.5 (direction matters); true positives are the size of a
  maximum one-to-one (bipartite) matching of compatible pairs, so duplicates cannot inflate
  the score;
* **exact**: normalised ``(subject, predicate, object)`` sets compared for equality.

The normalisation and measures follow the WebNLG dev-set README of this project's datasets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

_WORD = re.compile(r"\w+")
_QUOTES = "\"'“”‘’`"
#: a capitalised word, and a run of them allowing "of"/"de"/"the" inside (the baseline's spans)
_CAPITALISED = re.compile(r"[A-Z][\w.'’&-]*(?:\s+(?:(?:of|de|the)\s+)*[A-Z][\w.'’&-]*)*")

Spo = tuple[str, str, str]


def normalise(text: str) -> str:
    """Underscores to spaces, surrounding quotes stripped, lower-case, whitespace collapsed."""
    return " ".join(text.replace("_", " ").strip().strip(_QUOTES).lower().split())


def tokens(text: str) -> frozenset[str]:
    """The set of ``\\w+`` runs of ``text``."""
    return frozenset(_WORD.findall(text))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """``|a ∩ b| / |a ∪ b|``; 0.0 when both are empty."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


@dataclass(frozen=True, slots=True)
class PRF:
    """True positives, predicted and gold counts; precision/recall/F1 derived (0.0 on empty)."""

    tp: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.predicted + other.predicted, self.gold + other.gold)


@dataclass(slots=True)
class Counts:
    """Both measures summed over texts (micro average); ``predicted``/``gold`` count raw triples."""

    pairs: PRF = field(default_factory=PRF)
    exact: PRF = field(default_factory=PRF)
    predicted: int = 0
    gold: int = 0

    def add(self, other: Counts) -> None:
        """Add another text's (or set's) counts in place."""
        self.pairs += other.pairs
        self.exact += other.exact
        self.predicted += other.predicted
        self.gold += other.gold


def pair_matches(predicted: Sequence[tuple[str, str]], gold: Sequence[tuple[str, str]]) -> int:
    """Size of the maximum one-to-one matching of compatible (subject, object) pairs.

    Pairs are taken as already normalised and de-duplicated.
    """
    if not predicted or not gold:
        return 0
    p_tok = [(tokens(s), tokens(o)) for s, o in predicted]
    g_tok = [(tokens(s), tokens(o)) for s, o in gold]
    ok = np.array([[float(jaccard(ps, gs) >= 0.5 and jaccard(po, go) >= 0.5) for gs, go in g_tok] for ps, po in p_tok])
    if not ok.any():
        return 0
    rows, cols = linear_sum_assignment(ok, maximize=True)
    return int(ok[rows, cols].sum())


def matches_gold(predicted: Spo, gold: Sequence[Spo]) -> bool:
    """True when ``predicted``'s normalised (subject, object) pair is compatible with the pair of
    some gold triple (the entity-pair test, without the one-to-one matching): a rule's precision."""
    s, o = tokens(normalise(predicted[0])), tokens(normalise(predicted[2]))
    return any(
        jaccard(s, tokens(normalise(gs))) >= 0.5 and jaccard(o, tokens(normalise(go))) >= 0.5 for gs, _, go in gold
    )


def score_text(predicted: Sequence[Spo], gold: Sequence[Spo]) -> Counts:
    """Both measures for one text's predicted and gold triples."""
    p_norm = {tuple(normalise(x) for x in t) for t in predicted}
    g_norm = {tuple(normalise(x) for x in t) for t in gold}
    p_pairs = sorted({(s, o) for s, _, o in p_norm})
    g_pairs = sorted({(s, o) for s, _, o in g_norm})
    return Counts(
        pairs=PRF(pair_matches(p_pairs, g_pairs), len(p_pairs), len(g_pairs)),
        exact=PRF(len(p_norm & g_norm), len(p_norm), len(g_norm)),
        predicted=len(predicted),
        gold=len(gold),
    )


def capitalised_spans(text: str) -> list[str]:
    """Runs of capitalised words (``of``, ``de``, ``the`` allowed inside), in text order."""
    return [m.group(0).rstrip(".") for m in _CAPITALISED.finditer(text)]


def capitalised_pairs(text: str) -> list[Spo]:
    """The no-model baseline: every ordered pair of distinct capitalised spans, in text order, as
    ``(A, "related to", B)``."""
    spans = capitalised_spans(text)
    return [(a, "related to", b) for i, a in enumerate(spans) for b in spans[i + 1 :] if a != b]
