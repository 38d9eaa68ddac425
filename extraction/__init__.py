"""MemReader: documents and chats → plaintext MemCubes, entities and fact triples with provenance.

Entry points (import from their modules; this package imports nothing on its own):

* :func:`memcubedb.extraction.ingest.ingest` / :func:`~memcubedb.extraction.ingest.ingest_paths`
  — read and write to the graph, one transaction per batch, with a progress bar;
* :class:`memcubedb.extraction.reader.MemReader` — inputs → ``CubeWrite`` records;
* :class:`memcubedb.extraction.spacy_extractor.SpacyExtractor` and
  :class:`memcubedb.extraction.llm.LLMExtractor` — the two extractors, one output type;
* :class:`memcubedb.extraction.resolution.EntityResolver` — exact → fuzzy → embedding merges;
* :class:`memcubedb.extraction.intent.IntentParser` — memory requests → operations;
* :class:`memcubedb.config.extraction.ExtractionConfig` — every setting (``settings.extraction``).

The spaCy pipeline is configuration: install ``en_core_web_sm`` (``python -m spacy download
en_core_web_sm``) or a larger English pipeline; offline, the stand-in ``en_ud_ewt_sm`` is used.
"""
