"""Business metrics as CloudWatch reads them: the EMF lines a function writes to stdout."""

from __future__ import annotations

import json
from collections import Counter


class WrittenMetrics:
    """The metric lines of one test's standard output, read as they come."""

    def __init__(self, capsys) -> None:
        self._capsys = capsys
        self._lines: list[dict] = []

    def lines(self) -> list[dict]:
        """Every EMF line written so far: JSON objects with CloudWatch's `_aws` key."""
        for text in self._capsys.readouterr().out.splitlines():
            if text.startswith("{") and '"_aws"' in text:
                self._lines.append(json.loads(text))
        return list(self._lines)

    def counts(self) -> list[Counter[str]]:
        """Each line's metrics and their values (summed where a line holds several)."""
        counts = []
        for line in self.lines():
            count: Counter[str] = Counter()
            for directive in line["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    value = line[metric["Name"]]
                    count[metric["Name"]] += sum(value) if isinstance(value, list) else value
            counts.append(count)
        return counts

    def totals(self) -> Counter[str]:
        """Each metric's sum over every line so far, as CloudWatch's Sum would give it."""
        return sum(self.counts(), Counter())
