"""The spaCy extractor: ``nlp.pipe`` batches of text units → :class:`Extraction` per unit.

The pipeline is configuration (``ExtractionConfig.spacy_model``); its dependency scheme (UD or
ClearNLP) is detected from the parser's labels, so the same rules run on ``en_core_web_sm``
and on the offline stand-in ``en_ud_ewt_sm``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from memcubedb.config.extraction import AUTO_MODELS, ExtractionConfig
from memcubedb.extraction.descriptors import DescriptorFinder
from memcubedb.extraction.discourse import Discourse
from memcubedb.extraction.grammar import Grammar
from memcubedb.extraction.labels import LabelScheme, detect_scheme
from memcubedb.extraction.mentions import MentionIndex
from memcubedb.extraction.relations import RelationExtractor
from memcubedb.extraction.repairs import (
    repair_coordinated_modifiers,
    repair_misread_inner_verbs,
    repair_misread_verbs,
    repair_sentence_case_terms,
    repair_stranded_conjuncts,
)
from memcubedb.extraction.temporal import TimeTagger
from memcubedb.extraction.triples import Extraction, Mention, TextUnit


class PipelineNotFoundError(OSError):
    """No spaCy pipeline of the configured name is installed."""


@lru_cache(maxsize=4)
def load_pipeline(name: str = "auto") -> Language:
    """Load a spaCy pipeline by package name or path; ``"auto"`` tries :data:`AUTO_MODELS` in order.

    Loaded pipelines are cached per name (loading takes ~1 s).

    Raises:
        PipelineNotFoundError: when the pipeline (or, for ``"auto"``, any of them) is not installed.
    """
    candidates = [m for m in AUTO_MODELS if spacy.util.is_package(m)] if name == "auto" else [name]
    if not candidates:
        raise PipelineNotFoundError(
            f"no English spaCy pipeline installed (tried {', '.join(AUTO_MODELS)}); "
            "run `python -m spacy download en_core_web_sm` or install the en_ud_ewt_sm wheel"
        )
    try:
        return spacy.load(candidates[0])
    except OSError as exc:
        raise PipelineNotFoundError(f"spaCy pipeline {candidates[0]!r} cannot be loaded: {exc}") from exc


def pipeline_id(nlp: Language) -> tuple[str, str]:
    """``(name, version)`` of a pipeline, e.g. ``("en_ud_ewt_sm", "0.1.0")``."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}", str(meta.get("version", "0"))


class SpacyExtractor:
    """Rule-based MemReader extractor over a spaCy pipeline.

    Args:
        config: extraction settings (model name, batch size, rule confidences).
        nlp: an already loaded pipeline (default: :func:`load_pipeline` of ``config.spacy_model``).
        scheme: force a label scheme (default: detected from the pipeline's parser).

    Raises:
        PipelineNotFoundError: when the configured pipeline is not installed.
        UnknownLabelSchemeError: when the parser's labels are neither UD nor ClearNLP.
    """

    def __init__(
        self, config: ExtractionConfig | None = None, nlp: Language | None = None, scheme: LabelScheme | None = None
    ) -> None:
        self.config = config or ExtractionConfig()
        self.nlp = nlp if nlp is not None else load_pipeline(self.config.spacy_model)
        self.scheme = scheme or detect_scheme(self.nlp)
        self.grammar = Grammar(self.scheme)
        self._times = TimeTagger(self.nlp.vocab)
        self._descriptors = DescriptorFinder(self.grammar, self.nlp.vocab)
        self._relations = RelationExtractor(self.grammar, self.config.confidence)
        self._discourse: dict[str, Discourse] = {}
        name, version = pipeline_id(self.nlp)
        self.name = "spacy"
        self.version = f"{name}-{version}"

    def reset(self) -> None:
        """Forget the discourse state (pronoun antecedents) of every context."""
        self._discourse.clear()

    def extract(self, units: Iterable[TextUnit]) -> Iterator[Extraction]:
        """One :class:`Extraction` per unit, in order, parsing with ``nlp.pipe`` in batches.

        Units of one ``context_id`` must come in reading order (pronouns look back).
        """
        pairs = ((unit.text, unit) for unit in units)
        docs = self.nlp.pipe(
            pairs, as_tuples=True, batch_size=self.config.spacy_batch_size, n_process=self.config.spacy_processes
        )
        for doc, unit in docs:
            yield self.extract_doc(doc, unit)

    def extract_doc(self, doc: Doc, unit: TextUnit) -> Extraction:
        """Read mentions and triples from an already parsed ``doc`` of ``unit``."""
        if unit.opens_context:
            self._discourse.pop(unit.context_id, None)
        discourse = self._discourse.setdefault(unit.context_id, Discourse())
        repair_misread_verbs(doc, self.scheme)  # "X originates[NNS] from Y": a clause again
        repair_misread_inner_verbs(doc, self.scheme)  # "X performs[NNS, compound] black metal"
        repair_coordinated_modifiers(doc, self.scheme)  # "a rhythm and blues artist": one modifier
        repair_stranded_conjuncts(doc, self.scheme)  # "contains Squid and[conj of Squid] comes from Y"
        repair_sentence_case_terms(doc, self.scheme)  # "his genre is Rhythm and blues": one term
        times = self._times.find(doc, unit.timestamp)
        descriptors, surface = self._descriptors.find(doc)
        mentions = MentionIndex(doc, unit, self.grammar, times, discourse, descriptors)
        triples = self._relations.extract(doc, mentions, surface)
        found: dict[tuple[int, str], Mention] = {(m.start, m.name): m for m in mentions.named()}
        for key, m in mentions.used.items():
            found.setdefault(key, m)
        return Extraction(mentions=[found[k] for k in sorted(found)], triples=triples)
