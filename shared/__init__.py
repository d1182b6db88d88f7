"""The shop's shared layer: configuration, database, models, services and web plumbing."""
