"""The ``memcubedb`` command (:mod:`memcubedb.api.cli.main`): local commands (Neo4j, ingest, the
main job, keys, serve) and HTTP commands that speak to a running API through the SDK."""
