"""French for every English message of the pages (data, not logic): `translator("fr")` looks texts up
here until the gettext catalogues of advocacy/core take over."""

from __future__ import annotations

FRENCH: dict[str, str] = {}
