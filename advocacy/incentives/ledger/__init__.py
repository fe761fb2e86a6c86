"""The points ledger: append-only rows with a reason and an idempotency key, written only by awards (and a
redemption's spend and refund), with the accounts and daily counters kept in step; the points page and
history; HR's kudos."""
