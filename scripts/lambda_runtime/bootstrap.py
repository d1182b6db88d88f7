"""The child side of scripts/lambda_runtime: one Lambda execution environment, one process.

Run by lambda_runtime.LambdaRuntime as

    python3.12 -I -S -B bootstrap.py TASK_ROOT LAYER_ROOT RUNTIME_DIR HANDLER < request.json

It puts the function (as /var/task), the layer's python/ (as /opt/python) and the runtime's
own packages (as /var/runtime, boto3 and what it needs) before the standard library on
sys.path, as Lambda's python3.12 bootstrap does, imports the handler (the init phase),
then calls it with each step's event (invocations). The request is
{"steps": [{"event": ..., "calls": n, "warm_up": n}, ...]}; the report, one JSON object
written to the original stdout, holds per phase the time taken, the modules it imported
and the handler's answer, plus every source file Python had to compile. The function's
own output (JSON log lines) goes to stderr, which the parent keeps for error messages.

Only modules that the interpreter loads at startup anyway (sys, os, time) are imported
before the handler's module, plus json, which Lambda's own runtime client has loaded by
then too: the init phase is timed from the same bare interpreter for floor and shop.
"""

# The same object as importlib._bootstrap_external, already loaded: no import to pay.
import _frozen_importlib_external as bootstrap_external
import gc
import os
import sys
from time import perf_counter


class LambdaContext:
    """What the handler's `context` offers on Lambda (Powertools reads these)."""

    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "shop-api")
    function_version = "$LATEST"
    invoked_function_arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{function_name}"
    memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"))
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = f"/aws/lambda/{function_name}"
    log_stream_name = "2026/12/02/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def record_compilations() -> list[str]:
    """Every source file compiled from here on: byte code that was missing or stale."""
    compiled: list[str] = []
    compile_source = bootstrap_external.SourceLoader.source_to_code

    def recording(self, data, path, *, _optimize=-1):
        compiled.append(path)
        return compile_source(self, data, path, _optimize=_optimize)

    bootstrap_external.SourceLoader.source_to_code = recording
    return compiled


def new_modules(known: set[str]) -> list[str]:
    return sorted(set(sys.modules) - known)


def main() -> None:
    task_root, layer_root, runtime_dir, handler_name = sys.argv[1:5]
    sys.path[:0] = [task_root, os.path.join(layer_root, "python"), runtime_dir]
    # The report gets the real stdout; the function's prints and logs go to stderr.
    report_fd = os.dup(1)
    os.dup2(2, 1)
    compiled = record_compilations()

    import json

    request = json.loads(sys.stdin.buffer.read())
    handler, init = init_phase(handler_name)
    context = LambdaContext()
    steps = [invoke(handler, step, context) for step in request["steps"]]

    sys.stdout.flush()
    report = {"init": init, "steps": steps, "compiled": compiled, "sys_path": sys.path}
    with open(report_fd, "w", encoding="utf-8") as channel:
        json.dump(report, channel, default=str)


def init_phase(handler_name: str) -> tuple:
    """Import the handler's module: the handler, and the phase's time and modules."""
    module_name, _, attribute = handler_name.rpartition(".")
    known = set(sys.modules)
    started = perf_counter()
    handler = getattr(__import__(module_name, fromlist=[attribute]), attribute)
    init = {
        "ms": (perf_counter() - started) * 1e3,
        "modules": new_modules(known),
        "collector": {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count()},
    }
    return handler, init


def invoke(handler, step: dict, context: LambdaContext) -> dict:
    """A step's warm-up calls, then its timed calls: each call's time, what they imported."""
    event = step["event"]
    for _ in range(step.get("warm_up", 0)):
        handler(fresh_copy(event), context)
    known = set(sys.modules)
    samples, statuses = [], set()
    for _ in range(step.get("calls", 1)):
        copy = fresh_copy(event)
        started = perf_counter()
        response = handler(copy, context)
        samples.append((perf_counter() - started) * 1e3)
        if isinstance(response, dict) and "statusCode" in response:
            statuses.add(response["statusCode"])
    return {
        "ms": samples[0],
        "samples_ms": samples,
        "statuses": sorted(statuses),
        "modules": new_modules(known),
        "response": response,
    }


def fresh_copy(event: dict) -> dict:
    """A copy per call, as Lambda decodes each event anew."""
    # Not at the top: main imports json once compilations are recorded; here it is loaded.
    import json

    return json.loads(json.dumps(event))


if __name__ == "__main__":
    main()
