"""Suggestions: links ambassadors propose, which curators turn into drafts or decline."""
