"""The MemCube model and its JSON interchange form."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from memcubedb.cube import KVTemplatePayload, MemCube, MemoryType
from memcubedb.schema import SCHEMA_PATH, memcube_json_schema


def test_round_trip_through_json() -> None:
    cube = MemCube.plaintext("Dana prefers green tea.", owner="dana", tags=["drinks"], semantic_type="preference")
    cube.behaviour.access_count = 3
    again = MemCube.model_validate_json(cube.model_dump_json())
    assert again == cube


def test_activation_round_trip() -> None:
    cube = MemCube(
        descriptive={"memory_type": "activation"},
        governance={"owner": "dana"},
        payload=KVTemplatePayload(text="t", model_id="m", layers=2, token_count=5, sha256="a" * 64),
    )
    assert MemCube.model_validate_json(cube.model_dump_json()).descriptive.memory_type is MemoryType.ACTIVATION


def test_payload_must_match_type() -> None:
    with pytest.raises(ValidationError):
        MemCube(descriptive={"memory_type": "activation"}, governance={"owner": "x"}, payload={"text": "hi"})


def test_published_schema_is_current() -> None:
    published = json.loads(Path(SCHEMA_PATH).read_text())
    assert published == memcube_json_schema()


def test_timestamps_must_have_an_offset_neo4j_can_store() -> None:
    cube = MemCube.plaintext("Dana prefers green tea.", owner="dana")
    data = json.loads(cube.model_dump_json())
    data["descriptive"]["created_at"] = "2024-05-01T10:00:00+18:00"
    assert MemCube.model_validate(data).descriptive.created_at.utcoffset() == timedelta(hours=18)
    data["descriptive"]["created_at"] = "2024-05-01T10:00:00+20:07"
    with pytest.raises(ValidationError, match="outside the range -18:00 to \\+18:00"):
        MemCube.model_validate(data)
    data["descriptive"]["created_at"] = "0001-01-01T00:00:00+05:00"  # year 0 in UTC
    with pytest.raises(ValidationError, match="outside the years 1 to 9999"):
        MemCube.model_validate(data)
