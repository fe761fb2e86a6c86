-- Riding out faults (issue 12): outbox re-delivery under a new job id, noticing a Redis that restarted or
-- was emptied, and click batches that can be written again from a local spool without doubling.

-- Each delivery of a row to arq gets its own job id ({namespace}:outbox:{id}:{deliveries}), so a row
-- whose job sits on a killed worker can be delivered again at once; the row lock keeps it exactly once.
ALTER TABLE outbox ADD COLUMN deliveries integer NOT NULL DEFAULT 0;

-- The Redis the workers last saw (its run_id and a marker key's value): a change means Redis restarted or
-- lost its data, so queued jobs are delivered again and the leaderboards rebuilt, once.
CREATE TABLE redis_incarnation (
    id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    run_id text NOT NULL,
    marker text NOT NULL,
    seen_at timestamptz NOT NULL DEFAULT now()
);

-- One row per committed click batch, written by the batch's own INSERT: a batch whose commit is in
-- doubt (the connection broke) is spooled to disk and written again later only if its id is not here.
CREATE TABLE click_batches (
    id uuid PRIMARY KEY,
    written_at timestamptz NOT NULL DEFAULT now()
);
-- purge_click_batches: old markers go once no spool can still hold their batch
CREATE INDEX click_batches_written_idx ON click_batches (written_at);
