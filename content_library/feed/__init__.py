"""The employee feed: live approved items for a reader's audience, its per-process cache, and what the
share flow reads of one item."""
