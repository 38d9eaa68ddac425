// Range indexes for the filters MemCubeDB and analysts use, and full-text indexes.
CREATE RANGE INDEX memcube_state IF NOT EXISTS FOR (n:MemCube) ON (n.state);
CREATE RANGE INDEX memcube_type IF NOT EXISTS FOR (n:MemCube) ON (n.memory_type);
CREATE RANGE INDEX memcube_owner IF NOT EXISTS FOR (n:MemCube) ON (n.owner);
CREATE RANGE INDEX memcube_created IF NOT EXISTS FOR (n:MemCube) ON (n.created_at);
CREATE RANGE INDEX source_turn IF NOT EXISTS FOR (n:Source) ON (n.turn_id);
CREATE RANGE INDEX source_uri IF NOT EXISTS FOR (n:Source) ON (n.uri);
CREATE RANGE INDEX source_time IF NOT EXISTS FOR (n:Source) ON (n.timestamp);
CREATE RANGE INDEX fact_predicate IF NOT EXISTS FOR (n:Fact) ON (n.predicate);
CREATE RANGE INDEX entity_norm IF NOT EXISTS FOR (n:Entity) ON (n.norm_name);
CREATE FULLTEXT INDEX memcube_text IF NOT EXISTS FOR (n:MemCube) ON EACH [n.text] OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}};
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (n:Entity) ON EACH [n.name, n.alias_text];
