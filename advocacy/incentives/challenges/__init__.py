"""Challenges: time-boxed goals for some teams or a campaign, with standings from the ledger and results
recorded once when they end."""
