// Turn order within a source URI (a chat): Source.seq is the turn's 0-based position, read by
// the neighbouring-turn search channel as a range on (uri, seq).
CREATE RANGE INDEX source_uri_seq IF NOT EXISTS FOR (n:Source) ON (n.uri, n.seq);
