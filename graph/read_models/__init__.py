"""Read paths over the graph store for its three kinds of reader: the dashboard's bounded,
permission-filtered subgraphs (:mod:`~memcubedb.graph.read_models.explorer`, answering with the
models of :mod:`~memcubedb.graph.read_models.dashboard`), the API's small lookups
(:mod:`~memcubedb.graph.read_models.lookups`) and analysts' read-only Cypher
(:mod:`~memcubedb.graph.read_models.analyst`)."""
