// MemScheduler: durable jobs and the trained graph-embedding models.
CREATE CONSTRAINT job_id IF NOT EXISTS FOR (n:Job) REQUIRE n.id IS UNIQUE;
CREATE RANGE INDEX job_state IF NOT EXISTS FOR (n:Job) ON (n.state);
CREATE CONSTRAINT kge_model_id IF NOT EXISTS FOR (n:KGEModel) REQUIRE n.id IS UNIQUE;
