"""Powertools' partial batch processing of SQS records, without its unused event classes.

Loaded as is, the batch module costs a consumer ~15 ms of cold start it never uses:
- it needs 7 of the event modules of `data_classes`, whose package __init__ imports all
  30. While batch loads, a bare package (its __init__ never run) stands in for it, with
  the one name that `sqs_event` takes from it; it is removed afterwards, so a later
  import of the package runs the real __init__;
- `batch.types` imports every Powertools parser model (pydantic models, far more than
  that) when pydantic is already loaded, only to annotate the `model=` argument we never
  pass. Nothing that batch loads imports pydantic, so it is out of sys.modules meanwhile.
Powertools is pinned: an upgrade that changes these imports fails the consumer's tests
at import, not silently.
"""

from __future__ import annotations

import importlib.util
import sys

_DATA_CLASSES = "aws_lambda_powertools.utilities.data_classes"
_stand_in = _DATA_CLASSES not in sys.modules
if _stand_in:
    _package = importlib.util.module_from_spec(importlib.util.find_spec(_DATA_CLASSES))
    sys.modules[_DATA_CLASSES] = _package
_pydantic = sys.modules.pop("pydantic", None)
try:
    if _stand_in:
        from aws_lambda_powertools.utilities.data_classes.s3_event import S3Event

        _package.S3Event = S3Event
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
finally:
    if _pydantic is not None:
        sys.modules["pydantic"] = _pydantic
    if _stand_in:
        del sys.modules[_DATA_CLASSES]

__all__ = ["BatchProcessor", "EventType", "SQSRecord", "process_partial_response"]
