"""UI strings in French and English; a page asks `t(key, language)`."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "app_name": {"fr": "Advocacy", "en": "Advocacy"},
    "sign_in": {"fr": "Se connecter", "en": "Sign in"},
    "sign_out": {"fr": "Se déconnecter", "en": "Sign out"},
    "email": {"fr": "Adresse e-mail", "en": "E-mail address"},
    "password": {"fr": "Mot de passe", "en": "Password"},
    "wrong_login": {
        "fr": "L'e-mail ou le mot de passe est incorrect.",
        "en": "The e-mail or the password is wrong.",
    },
    "hello": {"fr": "Bonjour", "en": "Hello"},
    "roles": {"fr": "Rôles", "en": "Roles"},
    "ambassador": {"fr": "Ambassadeur", "en": "Ambassador"},
    "you_are_ambassador": {
        "fr": "Vous êtes ambassadeur : vous pouvez partager les contenus de la bibliothèque.",
        "en": "You are an ambassador: you can share posts from the library.",
    },
    "not_ambassador": {
        "fr": "Vous n'êtes pas ambassadeur. Rien n'est suivi ni classé tant que vous n'avez pas choisi d'adhérer.",
        "en": "You are not an ambassador. Nothing is tracked or ranked until you choose to opt in.",
    },
    "consent_expired": {
        "fr": "Votre consentement a expiré : renouvelez-le pour continuer.",
        "en": "Your consent has expired: renew it to carry on.",
    },
    "reaccept": {
        "fr": "La charte a changé : lisez-la et acceptez-la de nouveau.",
        "en": "The charter has changed: read it and accept it again.",
    },
    "charter": {"fr": "Charte des réseaux sociaux", "en": "Social media charter"},
    "accept_and_opt_in": {"fr": "J'accepte la charte et j'adhère", "en": "I accept the charter and opt in"},
    "opt_out": {"fr": "Ne plus être ambassadeur", "en": "Stop being an ambassador"},
    "expires": {"fr": "Consentement valable jusqu'au", "en": "Consent valid until"},
    "no_charter": {"fr": "Aucune charte n'est en vigueur.", "en": "No charter is in force."},
    "api_docs": {"fr": "Documentation de l'API", "en": "API documentation"},
}


def t(key: str, language: str) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    return entry.get(language) or entry["en"]
