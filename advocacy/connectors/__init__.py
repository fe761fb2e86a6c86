"""Connected social accounts: OAuth linking, token storage and publishing to each network."""
