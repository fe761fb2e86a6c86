"""Temporary: the web's strings moved to the catalogues (advocacy/core/i18n.py; templates use `{{ _("...") }}`);
remove once no import uses it."""

from __future__ import annotations

from advocacy.core.i18n import LazyText, lazy_gettext, translate

# key -> catalogue message, for code written against the old key table.
MESSAGES: dict[str, LazyText] = {
    "app_name": lazy_gettext("Advocacy"),
    "sign_in": lazy_gettext("Sign in"),
    "sign_out": lazy_gettext("Sign out"),
    "email": lazy_gettext("E-mail address"),
    "password": lazy_gettext("Password"),
    "wrong_login": lazy_gettext("The e-mail or the password is wrong."),
    "hello": lazy_gettext("Hello"),
    "roles": lazy_gettext("Roles"),
    "ambassador": lazy_gettext("Ambassador"),
    "you_are_ambassador": lazy_gettext("You are an ambassador: you can share posts from the library."),
    "not_ambassador": lazy_gettext(
        "You are not an ambassador. Nothing is tracked or ranked until you choose to opt in."
    ),
    "consent_expired": lazy_gettext("Your consent has expired: renew it to carry on."),
    "reaccept": lazy_gettext("The charter has changed: read it and accept it again."),
    "charter": lazy_gettext("Social media charter"),
    "accept_and_opt_in": lazy_gettext("I accept the charter and opt in"),
    "opt_out": lazy_gettext("Stop being an ambassador"),
    "expires": lazy_gettext("Consent valid until"),
    "no_charter": lazy_gettext("No charter is in force."),
    "api_docs": lazy_gettext("API documentation"),
}


def t(key: str, language: str) -> str:
    message = MESSAGES.get(key)
    return key if message is None else translate(message, language)
