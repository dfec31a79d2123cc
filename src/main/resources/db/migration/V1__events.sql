-- The event log (package org.fossinfra.events), partitioned by month on created_at. The partitions themselves are
-- made by the partition job (org.fossinfra.store.PartitionJob): 12 months ahead, and old ones dropped after the
-- configured retention.
--
-- Differences from the seed's schema, and why:
--   node, seq   who recorded the event and its id there; with created_at they identify an event, so a batch sent
--               again (after a lost commit or a crash) is skipped by ON CONFLICT instead of stored twice. A unique key
--               of a partitioned table must contain the partition key, hence created_at in it.
--   actor, subject, message instead of user_id: who did it is a name ("api:ops", "dashboard:alice"), not a row.
--   event_type  TEXT, not VARCHAR(50): a longer type must not make a whole batch fail again and again.
CREATE TABLE events (
    id          BIGSERIAL,
    created_at  TIMESTAMPTZ NOT NULL,
    node        TEXT        NOT NULL,
    seq         BIGINT      NOT NULL,
    event_type  TEXT        NOT NULL,
    actor       TEXT        NOT NULL,
    subject     TEXT        NOT NULL,
    message     TEXT        NOT NULL,
    data        JSONB       NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (id, created_at),
    CONSTRAINT events_node_seq_key UNIQUE (node, seq, created_at)
) PARTITION BY RANGE (created_at);

-- Pages newest first, all types: ORDER BY created_at DESC, id DESC, keyset on (created_at, id).
CREATE INDEX events_time_idx ON events (created_at DESC, id DESC);
-- Pages of one type: WHERE event_type = $1 ORDER BY created_at DESC, id DESC.
CREATE INDEX events_type_time_idx ON events (event_type, created_at DESC, id DESC);
