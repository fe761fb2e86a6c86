"""French for every English message of the pages (data, not logic): `translator("fr")` looks texts up
here until the gettext catalogues of advocacy/core take over. tests/unit/test_web_messages.py checks
that every message of the templates and page controllers is here, with the same placeholders."""

from __future__ import annotations

FRENCH: dict[str, str] = {
    # layout and components
    "Skip to main content": "Aller au contenu principal",
    "Main": "Principal",
    "Sign out": "Se déconnecter",
    "Signed in as %(name)s": "Connecté en tant que %(name)s",
    "API documentation": "Documentation de l'API",
    "Error": "Erreur",
    "There is a problem": "Il y a un problème",
    "Download as CSV": "Télécharger en CSV",
    "Pages": "Pages",
    "First page": "Première page",
    "Next page": "Page suivante",
    # navigation
    "Getting started": "Premiers pas",
    "Feed": "Publications",
    "Library": "Bibliothèque",
    "Compliance": "Conformité",
    "Recognition": "Reconnaissance",
    "Administration": "Administration",
    # sign in
    "Sign in": "Se connecter",
    "E-mail address": "Adresse e-mail",
    "Password": "Mot de passe",
    "Enter your e-mail address, like name@example.com": "Saisissez votre adresse e-mail, par exemple nom@exemple.fr",
    "Enter your password": "Saisissez votre mot de passe",
    "The e-mail or the password is wrong": "L'adresse e-mail ou le mot de passe est incorrect",
    # getting started
    "You are an ambassador": "Vous êtes ambassadeur",
    "You can share the library's posts on your own accounts. Nothing is ever required.": (
        "Vous pouvez partager les publications de la bibliothèque sur vos propres comptes. Rien n'est jamais obligatoire."
    ),
    "Your consent is valid until %(date)s.": "Votre consentement est valable jusqu'au %(date)s.",
    "See the posts to share": "Voir les publications à partager",
    "Your choices": "Vos choix",
    "How you appear on the leaderboards: %(choice)s.": "Comment vous apparaissez dans les classements : %(choice)s.",
    "Change how you appear": "Changer la façon dont vous apparaissez",
    "Read the charter again": "Relire la charte",
    "Take the charter training again": "Refaire la formation à la charte",
    "Stop being an ambassador": "Ne plus être ambassadeur",
    "You can stop at any time. Tracking stops at once, your connected accounts are disconnected and you leave the leaderboards.": (
        "Vous pouvez arrêter à tout moment. Le suivi s'arrête aussitôt, vos comptes connectés sont déconnectés et vous "
        "quittez les classements."
    ),
    "Your consent has expired: renew it to carry on.": "Votre consentement a expiré : renouvelez-le pour continuer.",
    "The charter has changed: read it and accept it again.": "La charte a changé : lisez-la et acceptez-la de nouveau.",
    "Ambassadors share the company's posts on their own social accounts, when they want to. Nothing about you is tracked or ranked until you opt in.": (
        "Les ambassadeurs partagent les publications de l'entreprise sur leurs propres réseaux, quand ils le "
        "souhaitent. Rien ne vous concernant n'est suivi ni classé tant que vous n'avez pas adhéré."
    ),
    "Three steps": "Trois étapes",
    "Two steps": "Deux étapes",
    "Done": "Fait",
    "Read the charter": "Lire la charte",
    "Take the charter training": "Suivre la formation à la charte",
    "Choose how you appear and opt in": "Choisir comment apparaître et adhérer",
    "Your organisation asks ambassadors to pass the charter training (%(mark)s or more) before opting in.": (
        "Votre organisation demande aux ambassadeurs de réussir la formation à la charte (%(mark)s ou plus) "
        "avant d'adhérer."
    ),
    "Start with the charter": "Commencer par la charte",
    "No charter is in force yet": "Aucune charte n'est encore en vigueur",
    "Compliance must put the social media charter in force before anyone can opt in.": (
        "La conformité doit mettre la charte des réseaux sociaux en vigueur avant que quiconque puisse adhérer."
    ),
    # the charter
    "Social media charter": "Charte des réseaux sociaux",
    "Version %(version)s, in force since %(date)s": "Version %(version)s, en vigueur depuis le %(date)s",
    "What the automatic check looks for": "Ce que la vérification automatique recherche",
    "Next: the charter training": "Suite : la formation à la charte",
    "Next: choose how you appear": "Suite : choisir comment apparaître",
    # training
    "Charter training": "Formation à la charte",
    "This charter has no training": "Cette charte n'a pas de formation",
    "You can go straight to the last step.": "Vous pouvez passer directement à la dernière étape.",
    "You passed": "Vous avez réussi",
    "%(correct)s right answers out of %(count)s (%(percent)s).": "%(correct)s bonnes réponses sur %(count)s (%(percent)s).",
    "Back to the start": "Retour aux premiers pas",
    "Not yet": "Pas encore",
    "%(correct)s right answers out of %(count)s (%(percent)s); %(mark)s is needed. Read the explanations and try again.": (
        "%(correct)s bonnes réponses sur %(count)s (%(percent)s) ; il faut %(mark)s. Lisez les explications et "
        "réessayez."
    ),
    "Your answers": "Vos réponses",
    "Right": "Juste",
    "Not right": "Pas juste",
    "A few short lessons on the charter, then %(count)s questions. You pass with %(mark)s right answers or more, and can try again as often as you like.": (
        "Quelques leçons courtes sur la charte, puis %(count)s questions. Vous réussissez avec %(mark)s de bonnes "
        "réponses ou plus, et pouvez réessayer autant de fois que vous le souhaitez."
    ),
    "You already passed this training on %(date)s.": "Vous avez déjà réussi cette formation le %(date)s.",
    "Lesson %(number)s: %(title)s": "Leçon %(number)s : %(title)s",
    "Quiz": "Quiz",
    "Question %(number)s: %(text)s": "Question %(number)s : %(text)s",
    "Tick every right answer.": "Cochez toutes les bonnes réponses.",
    "Check my answers": "Vérifier mes réponses",
    "Choose an answer to question %(number)s": "Choisissez une réponse à la question %(number)s",
    # opting in
    "Under my name": "Sous mon nom",
    "Colleagues see my name, my rank and my points.": "Mes collègues voient mon nom, mon rang et mes points.",
    "To my team only": "Pour mon équipe seulement",
    "Only people in my team see my name; others do not see me.": (
        "Seules les personnes de mon équipe voient mon nom ; les autres ne me voient pas."
    ),
    "Anonymously": "Anonymement",
    "Colleagues see a number such as “Ambassador #12”, never my name.": (
        "Mes collègues voient un numéro comme « Ambassadeur n° 12 », jamais mon nom."
    ),
    "Not at all": "Pas du tout",
    "I do not appear on any leaderboard; my points still count for me.": (
        "Je n'apparais dans aucun classement ; mes points comptent quand même pour moi."
    ),
    "Your organisation asks ambassadors to pass the charter training first.": (
        "Votre organisation demande aux ambassadeurs de réussir d'abord la formation à la charte."
    ),
    "How do you want to appear on the leaderboards?": "Comment voulez-vous apparaître dans les classements ?",
    "You can change this at any time.": "Vous pouvez changer ce choix à tout moment.",
    "Save my choice": "Enregistrer mon choix",
    "The charter": "La charte",
    "I have read the social media charter (version %(version)s) and I accept it": (
        "J'ai lu la charte des réseaux sociaux (version %(version)s) et je l'accepte"
    ),
    "Opt in": "Adhérer",
    "Choose how you appear on the leaderboards": "Choisissez comment vous apparaissez dans les classements",
    "Tick the box to say you accept the charter": "Cochez la case pour dire que vous acceptez la charte",
    "Pass the charter training first: your organisation asks for it": (
        "Réussissez d'abord la formation à la charte : votre organisation le demande"
    ),
    # the feed
    "Posts to share": "Publications à partager",
    "Search and filters": "Recherche et filtres",
    "Search": "Rechercher",
    "Campaign": "Campagne",
    "Network": "Réseau",
    "Language": "Langue",
    "Show posts": "Afficher",
    "Posts": "Publications",
    "Campaign: %(name)s": "Campagne : %(name)s",
    "About this post": "À propos de cette publication",
    "You shared this": "Déjà partagé",
    "Pinned": "Épinglé",
    "Every network": "Tous les réseaux",
    "Read the article": "Lire l'article",
    "No post matches": "Aucune publication ne correspond",
    "Try other words or fewer filters.": "Essayez d'autres mots ou moins de filtres.",
    "Show every post": "Afficher toutes les publications",
    "Nothing to share yet": "Rien à partager pour l'instant",
    "New posts from the comms team appear here as soon as they are approved.": (
        "Les nouvelles publications de l'équipe communication apparaissent ici dès qu'elles sont approuvées."
    ),
    "All campaigns": "Toutes les campagnes",
    "All networks": "Tous les réseaux",
    "All languages": "Toutes les langues",
    "Search for at most 300 characters": "Recherchez 300 caractères au plus",
    "Choose a network from the list": "Choisissez un réseau dans la liste",
    "Choose a language from the list": "Choisissez une langue dans la liste",
    "Choose a campaign from the list": "Choisissez une campagne dans la liste",
    # the areas to come
    "These pages are on their way": "Ces pages arrivent bientôt",
    "Until they arrive, everything here can be done through the API, described in its documentation.": (
        "En attendant, tout ce qui se fait ici passe par l'API, décrite dans sa documentation."
    ),
    "Curate posts, campaigns and sources, and review what waits for approval.": (
        "Préparer les publications, campagnes et sources, et relire ce qui attend une approbation."
    ),
    "Decide on held shares, edit and activate the charter, read the audit trail.": (
        "Statuer sur les partages retenus, rédiger et activer la charte, lire le journal d'audit."
    ),
    "Run rewards, kudos, recognition periods and challenges; follow participation.": (
        "Gérer récompenses, félicitations, périodes de reconnaissance et défis ; suivre la participation."
    ),
    "Manage people and teams, settings and operations.": "Gérer les personnes et les équipes, les réglages et l'exploitation.",
}
