"""Incentives: the points ledger and its rules, leaderboards, badges and cards, recognition periods,
challenges, rewards and anti-gaming; one folder per subject (README: Where things are)."""
