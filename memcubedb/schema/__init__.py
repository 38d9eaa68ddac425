"""The published JSON Schema of the MemCube interchange form.

Regenerate the file with ``python -m memcubedb.schema`` after changing the model; a test checks
that the published file matches the model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from memcubedb.cube import MemCube

SCHEMA_PATH = Path(__file__).with_name("memcube.schema.json")


def memcube_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one serialised MemCube."""
    schema = MemCube.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://memcubedb.dev/schema/memcube.schema.json"
    return schema


def write_schema() -> Path:
    """Write the schema file (sorted keys, 2-space indent); return its path."""
    SCHEMA_PATH.write_text(json.dumps(memcube_json_schema(), indent=2, sort_keys=True) + "\n")
    return SCHEMA_PATH
