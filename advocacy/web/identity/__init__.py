"""Identity pages (no JavaScript needed): accept an invitation, forgot/reset/change a password, the second
factor at sign-in and in one's account. Each page is one generic template (identity/page.html) fed a Page
struct (page.py); forms post to these routes, which call the same services as the API and show a refusal
next to its field.
"""

from __future__ import annotations

from advocacy.web.identity.invitation import INVITATION_PAGES
from advocacy.web.identity.password import PASSWORD_PAGES
from advocacy.web.identity.second_factor import SECOND_FACTOR_PAGES
from advocacy.web.identity.sign_in import SIGN_IN_PAGES, second_factor_step

IDENTITY_PAGES = [*INVITATION_PAGES, *PASSWORD_PAGES, *SIGN_IN_PAGES, *SECOND_FACTOR_PAGES]

__all__ = ["IDENTITY_PAGES", "second_factor_step"]
