// API keys of the knowledge-base API: (:Principal)-[:HAS_KEY]->(:ApiKey). Only the sha256 of
// a key is stored (key_hash); ids and hashes are unique.
CREATE CONSTRAINT apikey_id IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT apikey_hash IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.key_hash IS UNIQUE;
