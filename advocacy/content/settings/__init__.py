"""The library settings' HTTP face."""
