"""Images' HTTP face: uploads to items, image changes, renditions, the /media files."""
