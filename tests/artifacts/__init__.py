"""The artifacts as shipped, run as Lambda runs them: every function's zip and the layer's,
unzipped read-only, each cold start a fresh python3.12 process (scripts/lambda_runtime).
"""
