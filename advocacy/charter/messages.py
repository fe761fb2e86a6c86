"""Data: the message of each finding, in French and English, by rule id (the charter's own rules carry
their messages in the charter)."""

from __future__ import annotations

from advocacy.charter.rules import Message

MESSAGES: dict[str, Message] = {
    "personal_data.email": Message(
        fr="Adresse e-mail : ne publiez pas de coordonnées personnelles.",
        en="E-mail address: do not publish personal contact details.",
    ),
    "personal_data.phone": Message(
        fr="Numéro de téléphone : ne publiez pas de coordonnées personnelles.",
        en="Phone number: do not publish personal contact details.",
    ),
    "personal_data.iban": Message(
        fr="IBAN : ne publiez jamais de coordonnées bancaires.", en="IBAN: never publish bank details."
    ),
    "personal_data.card": Message(
        fr="Numéro de carte bancaire : ne le publiez jamais.", en="Payment card number: never publish it."
    ),
    "personal_data.nir": Message(
        fr="Numéro de sécurité sociale : ne le publiez jamais.",
        en="French social security number: never publish it.",
    ),
    "secrets.credential": Message(
        fr="Identifiant secret ({kind}) : retirez-le et faites-le révoquer.",
        en="Secret credential ({kind}): remove it and have it revoked.",
    ),
    "internal_domain": Message(
        fr="Adresse interne ({domain}) : elle ne doit pas sortir de l'entreprise.",
        en="Internal address ({domain}): it must not leave the company.",
    ),
    "links.not_allowed": Message(
        fr="Lien vers {domain}, hors de la liste autorisée.", en="Link to {domain}, which is not allowed."
    ),
    "links.shortener": Message(
        fr="Raccourcisseur de lien ({domain}) : utilisez le lien complet.",
        en="Link shortener ({domain}): use the full link.",
    ),
    "disclosure.missing": Message(
        fr="Indiquez que vous êtes salarié·e de l'entreprise, par exemple avec {tag}.",
        en="Say that you work for the company, for example with {tag}.",
    ),
    "quiet_period.financial_term": Message(
        fr="Période de silence ({period}) : pas d'information financière (« {term} »).",
        en="Quiet period ({period}): no financial information (“{term}”).",
    ),
    "quiet_period.financial_content": Message(
        fr="Période de silence ({period}) : ce contenu financier ne peut pas être partagé.",
        en="Quiet period ({period}): this financial content cannot be shared.",
    ),
    "network.length": Message(
        fr="Trop long pour ce réseau : {count} caractères pour {limit} au plus.",
        en="Too long for this network: {count} characters, at most {limit}.",
    ),
    "network.hashtags": Message(
        fr="Trop de hashtags : {count} pour {limit} au plus.",
        en="Too many hashtags: {count}, at most {limit}.",
    ),
    "network.mentions": Message(
        fr="Trop de mentions : {count} pour {limit} au plus.",
        en="Too many mentions: {count}, at most {limit}.",
    ),
    "tone.shouting": Message(
        fr="Évitez d'écrire en majuscules : cela se lit comme un cri.",
        en="Avoid writing in capitals: it reads as shouting.",
    ),
    "tone.punctuation": Message(
        fr="Une ponctuation plus sobre passera mieux.", en="Lighter punctuation will read better."
    ),
    "tone.emoji": Message(
        fr="Moins d'émojis à la suite passera mieux.", en="Fewer emoji in a row will read better."
    ),
    "caption.locked": Message(
        fr="Le texte validé de cette publication doit rester tel quel ; ajoutez vos mots autour.",
        en="This post's approved text must stay as it is; add your own words around it.",
    ),
}
