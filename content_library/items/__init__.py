"""Items: posts with per-network, per-language captions, their versions and the publishing workflow."""
