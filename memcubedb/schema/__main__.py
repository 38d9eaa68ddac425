"""``python -m memcubedb.schema`` rewrites the published MemCube JSON Schema."""

from memcubedb.schema import write_schema

print(write_schema())
