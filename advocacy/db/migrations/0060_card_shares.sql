-- Card shares: a share's subject is either a content item or one of the sharer's own badge awards (the
-- recognition card drawn by advocacy/incentives/cards.py), never both. A card share's tracked link leads
-- to the card's public page on this server, kept relative (/cards/{code}) so it follows the public URL.

ALTER TABLE shares ALTER COLUMN content_item_id DROP NOT NULL;
ALTER TABLE shares ADD COLUMN badge_award_id bigint REFERENCES badge_awards (id) ON DELETE CASCADE;
ALTER TABLE shares ADD CONSTRAINT shares_one_subject CHECK (num_nonnulls(content_item_id, badge_award_id) = 1);

-- already_shared_card (the re-share rule for cards): one person's live shares of one award
CREATE INDEX shares_badge_award_idx ON shares (badge_award_id, network)
    WHERE badge_award_id IS NOT NULL AND status IN ('held', 'ready', 'scheduled', 'published');

ALTER TABLE tracked_links DROP CONSTRAINT tracked_links_target_check;
ALTER TABLE tracked_links ADD CONSTRAINT tracked_links_target_check
    CHECK (target ~ '^https?://' OR target ~ '^/cards/[A-Za-z0-9_-]{10,32}$');
