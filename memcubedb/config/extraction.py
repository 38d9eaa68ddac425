"""Declarative configuration of MemReader (the extraction layer).

One pydantic model, :class:`ExtractionConfig`, holds every knob; the project's
:class:`memcubedb.settings.Settings` nests it as ``settings.extraction`` so it can be set from
the environment (``MEMCUBEDB_EXTRACTION__CHUNK_CHARS=1500``,
``MEMCUBEDB_EXTRACTION__LLM__BASE_URL=...``). Named presets live in :data:`RECIPES`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

#: spaCy pipelines tried, in order, when ``spacy_model`` is ``"auto"``: the official English
#: pipeline first (``python -m spacy download en_core_web_sm``), then the offline stand-in
#: trained on UD English-EWT (``en_ud_ewt_sm``).
AUTO_MODELS: tuple[str, ...] = ("en_core_web_sm", "en_ud_ewt_sm")


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleConfidence(_Config):
    """Confidence (0..1) given to a fact by the rule that produced it, and the floor below which
    MemReader writes nothing (both extractors; an LLM states its own confidence).

    A fact whose subject or object came from pronoun resolution is multiplied by
    ``pronoun_factor`` (first/second person) or ``third_person_factor`` (he/she/it). A fact
    whose subject is a *generic head* — a common noun with no owner, no name and no relative
    clause picking it out ("the film is great", "food is found in Indonesia"), or a pronoun
    standing for one ("The film is great. It won an award.", "a genre that originated from blues":
    7 of 36 such relative-clause facts matched a gold pair on WebNLG dev), unless the fact
    is an ``attribute`` whose value is a name ("Eoin, the cellar master of the cooperative") and
    whose owner is no bare classifier noun ("the leader of the country": a place left unnamed, 0
    of 14 such facts matched a gold pair on WebNLG dev) — is
    multiplied by ``generic_factor``, and a fact read from a question ("Did Carol move to Paris?") by
    ``question_factor``. A ``copula`` or ``appositive`` fact (X, is, N) whose N is a definite
    common noun with no owner ("Houston is the largest city", "C.D. FAS, the club,") is multiplied
    by ``definite_class_factor``: a definite description identifies X by a reference point left
    implicit (whose largest city?) instead of classifying it (on WebNLG dev 12 % of them matched
    a gold pair; "Leila, a nurse" keeps its 0.8); a ``copula`` fact (X, is, Y) equating two
    names ("B.M. Reddy is Dr. G.P. Prabhukumar") by ``equative_factor``: an identity, not a
    relation, and mostly a misread list (28 % matched). A fact whose object is a common noun
    carrying its own prepositional phrase ("fought in *battles* in the Polish-Soviet War", "has
    the main *ingredients* of meringue"; a comitative "with" + name excepted: "went to the
    concert with Maya"), or with a name hung on it with no preposition ("known by the ICAO
    location *identifier* KACY"), is multiplied by ``modified_object_factor``: the noun is a step
    towards what its phrase names (4 % of them matched a gold pair, 5 of 142; with the unmarked
    names 2 of 13 more), and the rules say the fact through it instead ((X, fight in battle in,
    Polish-Soviet War), (X, known by icao location, KACY)) — not a ``possessive`` fact ("my mentor
    for adoption advice" → (speaker, has, speaker's mentor)), nor any fact whose subject is a chat
    turn's speaker or addressee ("I'm planning a trip to the East Coast" → (John, plan, trip)):
    what speakers say they do is what a chat memory records, and these figures are from
    third-person text (on the LoCoMo dev chats the object factors had dropped 212 speaker
    facts, e.g. (Melanie, finish, painting)); one whose object a
    third-person possessive owns ("began *his* career", "play *their* home games") by
    ``owned_object_factor``: the subject's own thing is no second entity (7 % matched, 3 of 44;
    "my"/"your" in chats are not lowered); an ``appositive`` (X, is, N) whose N stands alone in
    brackets after X ("Sandesh (confectionery)", "AFC Ajax (amateurs)") by ``bracketed_factor``:
    a label telling X from others of its name, not a statement (1 of 16 matched).

    With the defaults and ``floor`` 0.5, every rule's own facts are written except
    ``noun_modifier``'s; of the facts resting on a third-person pronoun, those of
    ``surface_pattern`` (0.65 × 0.7 = 0.455) are not; no definite class fact and no equation of
    names (0.85 × 0.55 = 0.47 at most), no fact about a generic head (0.9 × 0.5 = 0.45 at most),
    none with a modified, third-person-owned or bracketed object (0.9 × 0.5 = 0.45 at most; a
    speaker's or addressee's excepted) and
    none from a question (0.9 × 0.3 = 0.27 at most) is written.

    Rules (``Triple.rule``): ``verb_object`` subject–verb–object ("Carol likes tea", passives
    turned active); ``attribute`` a relational noun read as its owner's attribute ("Y's capital
    is X", "the capital of Y is X", "X is the capital of Y", "X, the capital of Y", "Y, where
    the capital is X", "Y has a population of N" → (Y, capital, X)); ``copula`` other copular
    clauses ("X is from Y", "X is a recipient of Y"); ``prepositional`` a verb's or noun's
    prepositional argument, dates included ("born in Dallas", "born on 1930-01-20");
    ``noun_modifier`` a common noun's prepositional modifier ("the team at Acme" → (team, at,
    Acme)): below the floor by default — a generic noun tied to a name by a preposition is rarely
    a fact on its own (on WebNLG dev 7 % of them matched a gold pair); ``possessive`` "my dog" →
    (speaker, has, speaker's dog), first and second person only; ``appositive`` "Leila, a nurse";
    ``surface_pattern`` an appositive found by a token pattern where the parser missed it;
    ``measure`` a quantity with the dimension it measures said of its clause's subject ("X is
    1.9 m tall" → (X, height, 1.9 m), "X is 84 metres above sea level"; see
    :mod:`memcubedb.extraction.measures`); ``existential`` a counted quantity "there are" at a
    named place ("There are 45 floors at 200 Public Square" → (200 Public Square, have, 45 floors));
    ``placed_name`` a name directly followed by "in"/"at" and a place name ("the Memorial in
    Azerbaijan" → (Memorial, is in, Azerbaijan); on WebNLG dev 50 of 122 pairs matched, most of the
    rest true but not in the gold; see :mod:`memcubedb.extraction.placed_names`).
    """

    verb_object: float = Field(default=0.9, ge=0, le=1)
    copula: float = Field(default=0.85, ge=0, le=1)
    prepositional: float = Field(default=0.75, ge=0, le=1)
    noun_modifier: float = Field(default=0.45, ge=0, le=1)
    possessive: float = Field(default=0.8, ge=0, le=1)
    appositive: float = Field(default=0.8, ge=0, le=1)
    attribute: float = Field(default=0.85, ge=0, le=1)
    surface_pattern: float = Field(default=0.65, ge=0, le=1)
    measure: float = Field(default=0.85, ge=0, le=1)
    existential: float = Field(default=0.8, ge=0, le=1)
    placed_name: float = Field(default=0.75, ge=0, le=1)
    pronoun_factor: float = Field(default=0.95, ge=0, le=1)
    third_person_factor: float = Field(default=0.7, ge=0, le=1)
    generic_factor: float = Field(default=0.5, ge=0, le=1)
    definite_class_factor: float = Field(default=0.55, ge=0, le=1)
    equative_factor: float = Field(default=0.55, ge=0, le=1)
    question_factor: float = Field(default=0.3, ge=0, le=1)
    modified_object_factor: float = Field(default=0.5, ge=0, le=1)
    owned_object_factor: float = Field(default=0.5, ge=0, le=1)
    bracketed_factor: float = Field(default=0.5, ge=0, le=1)
    floor: float = Field(default=0.5, ge=0, le=1, description="facts below this confidence are not written")


class LLMConfig(_Config):
    """An OpenAI-compatible chat-completions endpoint (``POST {base_url}/chat/completions``)."""

    base_url: str = Field(default="http://127.0.0.1:8000/v1", description="URL up to and including /v1")
    model: str = Field(default="gpt-4o-mini", min_length=1)
    api_key: SecretStr | None = Field(default=None, description="sent as `Authorization: Bearer …`")
    timeout_s: float = Field(default=60.0, gt=0, description="HTTP timeout per request, seconds")
    max_retries: int = Field(default=2, ge=0, description="retries on 5xx, timeouts and malformed JSON")
    temperature: float = Field(default=0.0, ge=0, le=2)
    concurrency: int = Field(default=4, ge=1, le=64, description="requests in flight at once")


class ResolutionConfig(_Config):
    """Entity resolution, staged cheapest first: exact → alias/fuzzy → embedding.

    Attributes:
        fuzzy_threshold: RapidFuzz score (0..100) at or above which a name merges into a known one.
        embedding_threshold: cosine similarity (0..1) of MiniLM name embeddings for a merge.
        embedding_model: sentence-transformers model name or path (``None`` disables the stage).
        embedding_threads: torch intra-op threads while embedding names (set for the call and
            restored after): embedding runs beside spaCy and Neo4j, and on a busy machine more
            threads make short batches many times slower.
    """

    fuzzy_threshold: float = Field(default=90.0, ge=0, le=100)
    embedding_threshold: float = Field(default=0.86, ge=0, le=1)
    embedding_model: str | None = "all-MiniLM-L6-v2"
    embedding_threads: int = Field(default=1, ge=1, le=64)


class ExtractionConfig(_Config):
    """Every setting of MemReader.

    Attributes:
        extractor: ``"spacy"`` (rules over a spaCy parse) or ``"llm"`` (an OpenAI-compatible
            endpoint asked for JSON-schema output); both yield the same types.
        spacy_model: a spaCy pipeline name or path, or ``"auto"`` (first installed of
            :data:`AUTO_MODELS`).
        spacy_batch_size: texts per ``nlp.pipe`` batch.
        spacy_processes: ``nlp.pipe`` worker processes (``n_process``); 1 parses in-process.
        write_batch_size: CubeWrites per graph transaction.
        chunk_chars: target size of a document chunk, characters (split at paragraph, then
            sentence, then word boundaries).
        speaker_prefix: a chat turn's memory text is ``"<speaker>: <text>"`` (who said it
            travels with what was said, for search and for the LLM reading it; fact offsets
            point into that text); ``False`` keeps the bare turn text.
    """

    extractor: Literal["spacy", "llm"] = "spacy"
    spacy_model: str = "auto"
    spacy_batch_size: int = Field(default=256, ge=1)
    spacy_processes: int = Field(default=1, ge=1, le=64)
    write_batch_size: int = Field(default=500, ge=1)
    chunk_chars: int = Field(default=1200, ge=100)
    speaker_prefix: bool = True
    default_owner: str = Field(default="local", min_length=1, max_length=128)
    confidence: RuleConfidence = Field(default_factory=RuleConfidence)
    resolution: ResolutionConfig = Field(default_factory=ResolutionConfig)
    llm: LLMConfig = Field(default_factory=LLMConfig)


#: Named presets ("recipes") built from :class:`ExtractionConfig`.
RECIPES: dict[str, ExtractionConfig] = {
    "fast": ExtractionConfig(resolution=ResolutionConfig(embedding_model=None)),
    "default": ExtractionConfig(),
    "llm": ExtractionConfig(extractor="llm"),
}
