// Native vector indexes (Neo4j 5) on sentence embeddings; the dimension is the
// $embedding_dim parameter taken from settings.embedding_dim.
CREATE VECTOR INDEX memcube_embedding IF NOT EXISTS FOR (n:MemCube) ON (n.embedding) OPTIONS {indexConfig: {`vector.dimensions`: $embedding_dim, `vector.similarity_function`: 'cosine'}};
CREATE VECTOR INDEX entity_embedding IF NOT EXISTS FOR (n:Entity) ON (n.embedding) OPTIONS {indexConfig: {`vector.dimensions`: $embedding_dim, `vector.similarity_function`: 'cosine'}};
