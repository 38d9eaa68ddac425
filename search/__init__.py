"""Hybrid, permission-filtered search over the memory graph (vector, full-text, graph channels,
reciprocal rank fusion, optional MMR, access metrics)."""

from memcubedb.search.config import RECIPES, Channel, ChannelConfig, SearchConfig, recipe
from memcubedb.search.metrics import AccessRecorder
from memcubedb.search.models import SearchFilters, SearchResult
from memcubedb.search.searcher import MemorySearch
from memcubedb.search.vectors import embed_cubes, embed_entities

__all__ = [
    "RECIPES",
    "AccessRecorder",
    "Channel",
    "ChannelConfig",
    "MemorySearch",
    "SearchConfig",
    "SearchFilters",
    "SearchResult",
    "embed_cubes",
    "embed_entities",
    "recipe",
]
