"""What each table that names a person holds, in plain words, for the page that tells a person everything the
service holds and tracks about them. The tables themselves come from the database's catalog (the export's own
inventory); a test fails when a table that names people has no sentence here, so the page cannot drift."""

from __future__ import annotations

from advocacy.core.i18n import N_

WHAT_EACH_TABLE_HOLDS: dict[str, str] = {
    "ambassadors": N_("Your ambassador status: whether you opted in, when, the charter version you accepted and how you appear on the leaderboards."),
    "api_tokens": N_("The API tokens you created: their names and dates (never the token itself)."),
    "audit_log": N_("The audit trail of actions you took, or that were taken about you, with their dates."),
    "badge_awards": N_("The badges you earned and when."),
    "campaigns": N_("Campaigns you created or changed."),
    "challenge_results": N_("Your results in the challenges that ended."),
    "challenges": N_("Challenges you set up."),
    "charter_activations": N_("Charter versions you put in force."),
    "charter_quiz_results": N_("Your answers and marks in the charter training."),
    "charters": N_("Charter versions you wrote or changed."),
    "connected_accounts": N_("The social accounts you connected: network, handle, name, follower count and permissions (the tokens are stored encrypted and never exported)."),
    "consent_events": N_("Every time you opted in, renewed or opted out, with the charter version."),
    "content_assets": N_("Images you uploaded."),
    "content_item_versions": N_("Versions of library posts you edited."),
    "content_items": N_("Library posts you created or changed."),
    "content_sources": N_("News sources you added to the library."),
    "content_suggestions": N_("The posts you suggested and what the comms team decided."),
    "content_transitions": N_("Review steps you took on library posts (submitted, approved, archived)."),
    "declared_audiences": N_("The follower counts you declared per network, used to estimate reach."),
    "invitations": N_("Invitations sent to you, or that you sent."),
    "login_challenges": N_("Second-factor sign-in steps in progress."),
    "mail_messages": N_("E-mails the service sent you, and whether they were delivered."),
    "oauth_states": N_("Account connections you started and have not finished (deleted after a few minutes)."),
    "password_resets": N_("Password resets you asked for (when, and whether they were used)."),
    "person_roles": N_("Your roles here (employee, curator, reviewer, compliance, HR, administrator)."),
    "points_accounts": N_("Your points balance."),
    "points_daily": N_("Your points per day, used to apply the daily cap."),
    "points_ledger": N_("Every point you earned or spent, with its reason."),
    "points_rules": N_("Versions of the points rules you set."),
    "recognition_notifications": N_("The recognition messages you received (badges, monthly recognition)."),
    "recognition_periods": N_("Recognition periods you closed."),
    "recovery_codes": N_("Whether your second-factor recovery codes were used (never the codes themselves)."),
    "redemptions": N_("The rewards you asked for, and what HR decided."),
    "scim_group_members": N_("The groups of your organisation's directory you belong to, as its provisioning sends them."),
    "scim_tokens": N_("Directory provisioning tokens you created (their names and dates, never the token)."),
    "scim_users": N_("Your entry in your organisation's directory, as its provisioning sends it (its identifier there)."),
    "second_factors": N_("Your second factor for signing in (its kind and dates, never its secret)."),
    "share_flags": N_("Checks on unusual click patterns of your shares."),
    "share_preferences": N_("Your sharing preferences (your Mastodon server)."),
    "shares": N_("Your shares: the post, network, caption, status, the post's address and dates."),
    "sso_links": N_("Your account at your organisation's single sign-on provider (its identifier there), and when you last signed in through it."),
    "web_sessions": N_("Your sign-in sessions: when they started and were last used, and the browser (never the session key)."),
}  # fmt: skip
OTHER_RECORDS = N_("Other records that name you (%(table)s).")
