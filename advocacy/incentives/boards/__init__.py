"""Leaderboards: per period (week, month, quarter, all time) and scope (organisation, team, campaign), kept in
Redis from the ledger, read with each person's visibility applied."""
