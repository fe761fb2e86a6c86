"""Suggestions' HTTP face: the ambassadors' suggestions and the curators' queue."""
