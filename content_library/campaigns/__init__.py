"""Campaigns: named, dated groups of items with a goal and a points multiplier."""
