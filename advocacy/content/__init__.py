"""The content library's HTTP side: controllers over `content_library` services, uploads, media files."""
