"""The OpenAPI 3.1 document, generated from the routes and their pydantic models.

Views declare what they take and answer with `@operation(...)` (`operation.py`, the only
part every HTTP function loads); meta builds the document from every documented app
(`document.py`), with the answers routes share (`responses.py`). A route that exists is a
route that is documented, under its resource's tag.
"""

from shared.openapi.operation import Operation, operation

__all__ = ["Operation", "operation"]
