"""Campaigns' HTTP face."""
