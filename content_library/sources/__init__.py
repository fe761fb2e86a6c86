"""Sources: RSS/Atom feeds polled into drafts, and the safe outbound fetching (and Open Graph prefill)
they and the link prefill rely on."""
