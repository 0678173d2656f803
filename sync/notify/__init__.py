"""Chat digests: one module per chat platform, each posting to its documented webhook."""
