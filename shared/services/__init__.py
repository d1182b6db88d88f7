"""Business logic, one module per resource: takes a session, raises domain errors."""
