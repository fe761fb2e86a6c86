-- A visitor is an address and a browser: each click also keeps its address alone, hashed under the day's
-- key (never the address itself), so one address counts a bounded number of clicks per link and day.
ALTER TABLE clicks ADD COLUMN address_hash bytea;
-- counted_clicks_per_address (settle job)
CREATE INDEX clicks_counted_address_idx ON clicks (share_id, address_hash) WHERE counted AND address_hash IS NOT NULL;
