"""SCIM 2.0 provisioning (RFC 7643/7644) for Okta and Microsoft Entra ID: /scim/v2 Users and Groups over
people and teams, and the organisation's SCIM tokens."""
