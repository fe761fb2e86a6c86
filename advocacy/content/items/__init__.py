"""Items' HTTP face: the library, drafts, the workflow and versions."""
