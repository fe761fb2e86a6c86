-- live_items_for_person (the feed): the audience test as one function. Written inline, the planner
-- multiplies the tiny default selectivities of its array clauses, expects ~1 matching row, and sorts a
-- sequential scan of every approved item (150 ms at 50 000 items) instead of walking
-- content_items_feed_idx in feed order and stopping at the page size. A plpgsql function is not
-- inlined, so it gets a plain default estimate and the index walk wins.
CREATE FUNCTION content_audience_includes(
    team_ids bigint[], locations text[], languages text[],
    reader_team bigint, reader_location text, reader_language text
) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    RETURN (cardinality(team_ids) = 0 OR reader_team = ANY (team_ids))
       AND (cardinality(locations) = 0 OR reader_location = ANY (locations))
       AND (cardinality(languages) = 0 OR reader_language = ANY (languages));
END;
$$;
