"""Shares: an ambassador's share of a content item to one network, its charter verdict, the compliance
queue, fatigue limits and sharing hours, the network's share page, and confirmation that it went out."""
