// Leased scheduler jobs: claims serialise on one (:JobClaimLock) node, merged on first claim;
// the constraint makes that MERGE safe across processes. Expired leases are found by time.
CREATE CONSTRAINT job_claim_lock_id IF NOT EXISTS FOR (n:JobClaimLock) REQUIRE n.id IS UNIQUE;
CREATE RANGE INDEX job_lease_expires IF NOT EXISTS FOR (n:Job) ON (n.lease_expires_at);
