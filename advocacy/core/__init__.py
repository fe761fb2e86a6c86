"""The shared vocabulary every package imports: errors, languages, networks, roles, bilingual text, the
organisation's settings and the French/English catalogues (i18n). It imports no other advocacy package."""
