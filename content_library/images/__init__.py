"""Images: the Pillow pipeline (ingest, renditions), their storage (local or S3), and the images of items."""
