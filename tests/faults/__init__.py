"""Faults injected for real: a misbehaving PostgreSQL in front of the real one, hung endpoints."""
