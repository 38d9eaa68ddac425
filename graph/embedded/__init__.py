"""The embedded-default Neo4j: the Java launcher (``launcher/``, built with Maven) and the process
control that builds, starts, stops and reports it (:mod:`memcubedb.graph.embedded.server`)."""
