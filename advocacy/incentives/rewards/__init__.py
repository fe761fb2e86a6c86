"""Rewards: the catalogue HR manages, and redemptions that reserve points and are approved, fulfilled or
rejected (refunded)."""
