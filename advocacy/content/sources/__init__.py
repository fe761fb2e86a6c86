"""Sources' HTTP face: RSS/Atom sources and the link prefill."""
