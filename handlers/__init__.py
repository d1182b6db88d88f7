"""Lambda entry points, one module per function of serverless.yml."""
