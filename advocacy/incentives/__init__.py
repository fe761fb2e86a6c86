"""Incentives: points ledger, badges, leaderboards, challenges and HR rewards."""
