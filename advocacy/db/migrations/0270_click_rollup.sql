-- The analytics' unique clicks from a rollup instead of a count over every click: per share, its counted
-- clicks (counted, not a bot, not the sharer's own) in all and per UTC day, kept exact by triggers on clicks
-- whoever writes them (the settle job's UPDATE, a cascade DELETE, an INSERT of settled rows). A range
-- ending at `until` reads total − the days after until's day − until's day from `until` on (raw clicks,
-- clicks_counted_at_idx): for the usual range ending now, both corrections are empty.
CREATE TABLE share_click_totals (
    share_id bigint PRIMARY KEY REFERENCES shares (id) ON DELETE CASCADE,
    clicks bigint NOT NULL
);
CREATE TABLE share_click_days (
    share_id bigint NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
    day date NOT NULL,
    clicks bigint NOT NULL,
    PRIMARY KEY (share_id, day)
);
-- analytics figures: the days after a range's end
CREATE INDEX share_click_days_day_idx ON share_click_days (day);
-- analytics figures: the counted clicks of the range's last day from its end on; unsettled clicks (every
-- click the redirect inserts) are not in it, so it costs the redirect nothing
CREATE INDEX clicks_counted_at_idx ON clicks (at) WHERE counted AND NOT bot AND NOT self;

-- Adds signed deltas (share, UTC day, clicks) to both tables, in key order (two settle batches never
-- wait on each other's rows in opposite orders).
CREATE FUNCTION click_rollup_add(deltas jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO share_click_days AS r (share_id, day, clicks)
    SELECT d.share_id, d.day, sum(d.clicks) FROM jsonb_to_recordset(deltas) AS d (share_id bigint, day date, clicks bigint)
    WHERE EXISTS (SELECT FROM shares s WHERE s.id = d.share_id)
    GROUP BY d.share_id, d.day HAVING sum(d.clicks) <> 0 ORDER BY d.share_id, d.day
    ON CONFLICT (share_id, day) DO UPDATE SET clicks = r.clicks + EXCLUDED.clicks;
    INSERT INTO share_click_totals AS t (share_id, clicks)
    SELECT d.share_id, sum(d.clicks) FROM jsonb_to_recordset(deltas) AS d (share_id bigint, day date, clicks bigint)
    WHERE EXISTS (SELECT FROM shares s WHERE s.id = d.share_id)
    GROUP BY d.share_id HAVING sum(d.clicks) <> 0 ORDER BY d.share_id
    ON CONFLICT (share_id) DO UPDATE SET clicks = t.clicks + EXCLUDED.clicks;
$$;

-- Statement-level (one call per statement, however many rows): an UPDATE or DELETE of clicks.
CREATE FUNCTION clicks_rollup_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM click_rollup_add((
            SELECT jsonb_agg(jsonb_build_object('share_id', x.share_id, 'day', x.day, 'clicks', x.n))
            FROM (SELECT share_id, day, sum(n) AS n FROM (
                      SELECT share_id, (at AT TIME ZONE 'UTC')::date AS day, 1 AS n FROM new_clicks
                      WHERE counted AND NOT bot AND NOT self
                      UNION ALL
                      SELECT share_id, (at AT TIME ZONE 'UTC')::date, -1 FROM old_clicks
                      WHERE counted AND NOT bot AND NOT self) c
                  GROUP BY share_id, day HAVING sum(n) <> 0) x));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM click_rollup_add((
            SELECT jsonb_agg(jsonb_build_object('share_id', x.share_id, 'day', x.day, 'clicks', -x.n))
            FROM (SELECT share_id, (at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM old_clicks
                  WHERE counted AND NOT bot AND NOT self GROUP BY 1, 2) x));
    ELSE
        PERFORM click_rollup_add((
            SELECT jsonb_agg(jsonb_build_object('share_id', x.share_id, 'day', x.day, 'clicks', x.n))
            FROM (SELECT share_id, (at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM new_clicks
                  WHERE counted AND NOT bot AND NOT self GROUP BY 1, 2) x));
    END IF;
    RETURN NULL;
END $$;

-- One row at a time for an INSERT: the redirect inserts unsettled clicks, which the WHEN leaves out without
-- calling anything, so the hot path pays nothing; a settled click inserted directly (an import) is added.
CREATE FUNCTION clicks_rollup_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM click_rollup_add(jsonb_build_array(jsonb_build_object(
        'share_id', NEW.share_id, 'day', (NEW.at AT TIME ZONE 'UTC')::date, 'clicks', 1)));
    RETURN NULL;
END $$;

CREATE TRIGGER clicks_rollup_updated AFTER UPDATE ON clicks REFERENCING OLD TABLE AS old_clicks NEW TABLE AS new_clicks
    FOR EACH STATEMENT EXECUTE FUNCTION clicks_rollup_changed();
CREATE TRIGGER clicks_rollup_deleted AFTER DELETE ON clicks REFERENCING OLD TABLE AS old_clicks
    FOR EACH STATEMENT EXECUTE FUNCTION clicks_rollup_changed();
CREATE TRIGGER clicks_rollup_inserted AFTER INSERT ON clicks
    FOR EACH ROW WHEN (NEW.counted AND NOT NEW.bot AND NOT NEW.self) EXECUTE FUNCTION clicks_rollup_inserted();

-- The rollup computed again from every click (the clicks already there; after a bulk load made with
-- triggers off, e.g. `SET session_replication_role = replica`).
CREATE FUNCTION rebuild_click_rollup() RETURNS void LANGUAGE sql AS $$
    DELETE FROM share_click_totals;
    DELETE FROM share_click_days;
    INSERT INTO share_click_days (share_id, day, clicks)
    SELECT share_id, (at AT TIME ZONE 'UTC')::date, count(*) FROM clicks WHERE counted AND NOT bot AND NOT self
    GROUP BY 1, 2;
    INSERT INTO share_click_totals (share_id, clicks)
    SELECT share_id, sum(clicks) FROM share_click_days GROUP BY share_id;
$$;
SELECT rebuild_click_rollup();
