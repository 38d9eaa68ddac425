"""Entity resolution: exact → alias/fuzzy (RapidFuzz) → embedding (MiniLM); merges recorded."""

from __future__ import annotations

import pytest

from memcubedb.config.extraction import ResolutionConfig
from memcubedb.extraction.resolution import EntityResolver, entity_id, normalise_name
from memcubedb.extraction.triples import EntityType, Mention
from memcubedb.graph.records import Entity, stable_id


def named(name: str, kind: EntityType = EntityType.OTHER) -> Mention:
    return Mention(text=name, name=name, type=kind, named=True)


@pytest.fixture
def resolver() -> EntityResolver:
    return EntityResolver(ResolutionConfig())


def test_normalised_names() -> None:
    assert normalise_name("The  ACME Corp.'s") == "acme corp"
    assert normalise_name("Ｍｉｒａ") == "mira"  # NFKC
    assert entity_id("Acme Corp") == stable_id("entity", "acme corp") == entity_id("the acme corp.")


def test_a_new_name_creates_an_entity_without_a_merge(resolver: EntityResolver) -> None:
    found = resolver.resolve(named("Acme Corp", EntityType.ORG))
    assert found.merge is None
    assert (found.entity.id, found.entity.name, found.entity.type) == (entity_id("Acme Corp"), "Acme Corp", "ORG")


def test_exact_stage_merges_case_and_article_variants(resolver: EntityResolver) -> None:
    first = resolver.resolve(named("Acme Corp", EntityType.ORG)).entity
    found = resolver.resolve(named("the ACME corp"))
    assert found.entity.id == first.id
    assert found.merge is not None
    assert (found.merge.alias, found.merge.method, found.merge.score) == ("the ACME corp", "exact", 1.0)


def test_fuzzy_stage_merges_a_shorter_alias(resolver: EntityResolver) -> None:
    bob = resolver.resolve(named("Bob Smith", EntityType.PERSON)).entity
    found = resolver.resolve(named("Bob", EntityType.PERSON))
    assert found.entity.id == bob.id
    assert found.entity.aliases == ["Bob"]
    assert found.merge is not None and found.merge.method == "fuzzy"


def test_fuzzy_stage_merges_a_typo(resolver: EntityResolver) -> None:
    caroline = resolver.resolve(named("Caroline", EntityType.PERSON)).entity
    found = resolver.resolve(named("Carolne", EntityType.PERSON))
    assert found.entity.id == caroline.id
    assert found.merge is not None and found.merge.method == "fuzzy" and found.merge.score >= 0.9


def test_similar_but_different_names_stay_apart(resolver: EntityResolver) -> None:
    caroline = resolver.resolve(named("Caroline", EntityType.PERSON)).entity
    carol = resolver.resolve(named("Carol", EntityType.PERSON))
    assert carol.entity.id != caroline.id and carol.merge is None


def test_a_longer_name_does_not_swallow_a_shorter_one(resolver: EntityResolver) -> None:
    paris = resolver.resolve(named("Paris", EntityType.PLACE)).entity
    hilton = resolver.resolve(named("Paris Hilton", EntityType.PERSON))
    assert hilton.entity.id != paris.id and hilton.merge is None


def test_an_ambiguous_alias_is_not_merged(resolver: EntityResolver) -> None:
    resolver.resolve(named("Bob Smith", EntityType.PERSON))
    resolver.resolve(named("Bob Marley", EntityType.PERSON))
    found = resolver.resolve(named("Bob", EntityType.PERSON))
    assert found.merge is None and found.entity.name == "Bob"


def test_embedding_stage_merges_an_abbreviation(resolver: EntityResolver) -> None:
    city = resolver.resolve(named("New York City", EntityType.PLACE)).entity
    found = resolver.resolve(named("NYC", EntityType.PLACE))
    assert found.entity.id == city.id
    assert found.merge is not None and found.merge.method == "embedding" and found.merge.score >= 0.86


def test_embedding_stage_can_be_switched_off() -> None:
    resolver = EntityResolver(ResolutionConfig(embedding_model=None))
    city = resolver.resolve(named("New York City", EntityType.PLACE)).entity
    assert resolver.resolve(named("NYC", EntityType.PLACE)).entity.id != city.id


def test_concepts_merge_only_exactly(resolver: EntityResolver) -> None:
    resolver.resolve(Mention(text="car", name="car", type=EntityType.CONCEPT))
    found = resolver.resolve(Mention(text="cars", name="cart", type=EntityType.CONCEPT))
    assert found.merge is None and found.entity.name == "cart"


def test_incompatible_types_do_not_merge_by_fuzzy(resolver: EntityResolver) -> None:
    resolver.resolve(named("Jordan Lee", EntityType.PERSON))
    found = resolver.resolve(named("Jordan", EntityType.PLACE))
    assert found.merge is None


def test_known_entities_from_the_graph_resolve_first() -> None:
    known = [Entity(id=entity_id("Larkspur Orchard Cooperative"), name="Larkspur Orchard Cooperative", type="ORG",
                    aliases=["Larkspur Co-op"])]  # fmt: skip
    resolver = EntityResolver(ResolutionConfig(embedding_model=None), known=known)
    by_alias = resolver.resolve(named("Larkspur Co-op"))
    assert by_alias.entity.id == known[0].id and by_alias.merge is not None and by_alias.merge.method == "exact"
    assert resolver.resolve(named("Larkspur", EntityType.ORG)).entity.id == known[0].id


def test_a_merged_alias_resolves_exactly_next_time(resolver: EntityResolver) -> None:
    resolver.resolve(named("Bob Smith", EntityType.PERSON))
    resolver.resolve(named("Bob", EntityType.PERSON))
    again = resolver.resolve(named("Bob", EntityType.PERSON))
    assert again.merge is not None and again.merge.method == "exact"
