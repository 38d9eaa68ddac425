// Sentence vectors: each sentence of a multi-sentence MemCube embedded alone, as a :Sentence
// node PART_OF its cube; the vector channel scores a cube by its best sentence or whole text.
CREATE CONSTRAINT sentence_id IF NOT EXISTS FOR (n:Sentence) REQUIRE n.id IS UNIQUE;
CREATE VECTOR INDEX sentence_embedding IF NOT EXISTS FOR (n:Sentence) ON (n.embedding) OPTIONS {indexConfig: {`vector.dimensions`: $embedding_dim, `vector.similarity_function`: 'cosine'}};
