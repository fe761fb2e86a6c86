"""What a new password must be (NIST SP 800-63B 5.1.1.2): at least 12 characters, not a common or easily
guessed one, not the person's own e-mail or name. No composition rules (no "one digit, one symbol")."""

from __future__ import annotations

from zxcvbn import zxcvbn

from advocacy.core.i18n import LazyText, lazy_gettext

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn's scores: 0-2 fall to an online or a slow offline guessing attack; 3 and up do not.
MIN_SCORE = 3
# zxcvbn's time grows with length; what a guesser tries first is all in the first characters.
_SCORED_PREFIX = 100


TOO_SHORT = lazy_gettext("Use at least 12 characters (a few words make a long password easy to remember)")
TOO_LONG = lazy_gettext("Use at most 256 characters")
OWN_NAME = lazy_gettext("Your password must not be your e-mail address or your name")
GUESSABLE = lazy_gettext(
    "This password is too easy to guess: it is a common one, or made of a word, name, date or pattern that"
    " guessers try first. Choose another, for example a few unrelated words"
)


def password_problem(password: str, *, email: str = "", display_name: str = "") -> LazyText | None:
    """Why `password` may not be chosen (a sentence for the person), or None when it may."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    folded = password.casefold().replace(" ", "")
    context = {email, email.split("@")[0], display_name} - {""}
    if folded in {c.casefold().replace(" ", "") for c in context}:
        return OWN_NAME
    # zxcvbn ships the 30 000 most common passwords of breach corpora and common words and names, and
    # finds them under substitutions, repeats, sequences and dates.
    verdict = zxcvbn(password[:_SCORED_PREFIX], user_inputs=[*context, "advocacy"])
    if verdict["score"] < MIN_SCORE:
        return GUESSABLE
    return None
