"""Structured JSON logs on standard output, one line per record (Powertools Logger)."""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="shop-api")
