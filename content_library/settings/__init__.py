"""The content library's settings: the default language and the brand overlay."""
