"""The web app: server-rendered pages over the same services as the API (pages/), their templates and
components (templates/), the design system (static/), forms, navigation by role, languages and formats."""
