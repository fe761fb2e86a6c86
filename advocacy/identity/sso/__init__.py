"""Single sign-on shared by every protocol (OpenID Connect, SAML): the organisation's SSO settings (claim
mapping, group → role table, just-in-time creation, password login off), and one way from a provider's
signed-in identity to a person and a web session (`signin.sign_in_from_idp`)."""
