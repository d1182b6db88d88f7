"""Structured JSON logs on standard output, one line per record (Powertools Logger)."""

from __future__ import annotations

import sys

# Powertools' package __init__ imports botocore only to add its name to boto3's User-Agent
# header, so every function would load botocore at cold start, even those that never call
# AWS. Hidden for this one import (None in sys.modules fails `import botocore`), it is
# skipped, the header with it; a function that calls AWS imports botocore later, in
# shared.aws, as usual.
_hide_botocore = "botocore" not in sys.modules
if _hide_botocore:
    sys.modules["botocore"] = None  # type: ignore[assignment]
try:
    from aws_lambda_powertools import Logger
finally:
    if _hide_botocore:
        del sys.modules["botocore"]

logger = Logger(service="shop-api")
