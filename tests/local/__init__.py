"""Tests of the local server a developer runs: `serverless offline start`, over real HTTP."""
