"""Lambda entry points, one module per function of serverless.yml.

The runtime imports this package before any handler module, which is what lets a cold start
skip the garbage collector: importing a handler creates ~130,000 objects that live as long
as the container (modules, classes, SQLAlchemy and pydantic metadata), and the collector's
passes over them during init free nothing and cost ~35 ms. Each handler module ends with
`init_done()`, which turns it back on. Only the Lambda runtime sets AWS_LAMBDA_RUNTIME_API:
tests, scripts and the local server keep the collector as it is.
"""

import gc
import os

if os.environ.get("AWS_LAMBDA_RUNTIME_API"):
    gc.disable()


def init_done() -> None:
    """The end of a handler module: freeze what its init made, then collect as usual.

    Frozen objects are never scanned again, which keeps the warm path's collections short:
    they only walk what requests allocate.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
