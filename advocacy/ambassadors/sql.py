"""The consent select list, published for the people domain's one-round-trip read of /me (a hot path)."""

# The consent columns status_from_row reads, for a person `p` joined to `ambassadors a` (may be NULL).
CONSENT_COLUMNS = """
    a.status AS consent_status, a.accepted_at, a.expires_at, a.opted_out_at, a.visibility, a.alias_number,
    (SELECT version FROM charters WHERE id = a.charter_id) AS charter_version,
    (SELECT version FROM charters WHERE status = 'active') AS active_charter_version,
    EXISTS (SELECT 1 FROM charter_activations x
            WHERE x.material_change AND x.activated_at > a.accepted_at) AS needs_reacceptance
"""
