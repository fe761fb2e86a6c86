"""Badges and cards: badges earned by counters, streaks and recognition, their notifications, and the
shareable PNG card of a badge."""
