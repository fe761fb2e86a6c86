"""Tracked links (/l/{code}) and the clicks on them: codes, targets with UTM, bot filtering, recording."""
