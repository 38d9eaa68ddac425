"""Hybrid, permission-filtered search over the memory graph (vector, full-text, graph channels,
reciprocal rank fusion, optional MMR, access metrics).

This package re-exports only its light names (recipes and the filter/result models, pydantic
only), so that a client can read them without the search engine: import
:class:`~memcubedb.search.searcher.MemorySearch`, :func:`~memcubedb.search.vectors.embed_cubes`
and :class:`~memcubedb.search.metrics.AccessRecorder` from their modules.
"""

from memcubedb.search.config import RECIPES, Channel, ChannelConfig, SearchConfig, recipe
from memcubedb.search.models import SearchFilters, SearchResult

__all__ = [
    "RECIPES",
    "Channel",
    "ChannelConfig",
    "SearchConfig",
    "SearchFilters",
    "SearchResult",
    "recipe",
]
