"""The content library's settings: self-approval, the default language and the brand overlay."""
