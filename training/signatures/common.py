"""Building blocks shared by the signature modules.

The same *kind* of event - "an exception escaped the user's code while
serving a request", "the model failed to load", "the caller got a
ModelError" - looks different on every stack. These helpers own that
per-stack presentation so a signature only supplies the part that is its
own: the frames in user or library code and the exception text.
"""

from __future__ import annotations

from collections.abc import Sequence

from training import noise
from training.stacks import java_logger
from training.story import Ev, Scene, Story, block, line
from training.tb import Frame, at_trace, import_frames, is_evidence, load_frames, render_tb, request_frames, user

SERVER_CODES = {500, 502, 503, 504, 507, 424, 0}


def lib(sc: Scene, rel: str, ln: int, func: str, code: str | None) -> Frame:
    """A frame inside an installed library (``site-packages/<rel>``)."""
    return Frame(f"{sc.site}/{rel}", ln, func, code)


def jl(sc: Scene, thread: str, cls: str) -> str:
    """Logger field for a TorchServe/MMS frontend line."""
    return java_logger(sc, thread, cls)


# ---------------------------------------------------------------------------
# what the caller and the control plane saw
# ---------------------------------------------------------------------------
def client_error(sc: Scene, status: int, message: str) -> str:
    """The ``InvokeEndpoint`` error as SDKs print it (several real renderings)."""
    kind = "server" if status in SERVER_CODES or status >= 500 else "client"
    who = sc.wpick((("primary", 6), ("model", 2), ("container-1", 0.5), (sc.variant, 0.3)))
    core = f'Received {kind} error ({status}) from {who} with message "{message}"'
    url = (
        f"https://{sc.region}.console.aws.amazon.com/cloudwatch/home?region={sc.region}#logEventViewer:"
        f"group=/aws/sagemaker/Endpoints/{sc.endpoint} in account {sc.account} for more information."
    )
    style = sc.pick(("boto", "boto", "boto_url", "plain", "js", "java", "short"))
    if style == "boto":
        return f"botocore.errorfactory.ModelError: An error occurred (ModelError) when calling the InvokeEndpoint operation: {core}"
    if style == "boto_url":
        return (
            f"botocore.errorfactory.ModelError: An error occurred (ModelError) when calling the InvokeEndpoint "
            f"operation: {core}. See {url}"
        )
    if style == "plain":
        return f"An error occurred (ModelError) when calling the InvokeEndpoint operation: {core}. See {url}"
    if style == "js":
        return f"ModelError: {core}"
    if style == "java":
        return (
            f"com.amazonaws.services.sagemakerruntime.model.ModelErrorException: {core}. "
            f"(Service: AmazonSageMakerRuntime; Status Code: 424; Error Code: ModelError; "
            f"Request ID: {sc.hexs(8)}-{sc.hexs(4)}-{sc.hexs(4)}-{sc.hexs(4)}-{sc.hexs(12)})"
        )
    return f"ModelError: An error occurred (ModelError) when calling the InvokeEndpoint operation: {core}"


def timeout_client_error(sc: Scene) -> str:
    """The 60-second invocation timeout as the caller sees it."""
    return client_error(
        sc,
        0,
        "Your invocation timed out while waiting for a response from container primary. "
        "Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, "
        "and try again.",
    )


def ping_reason(sc: Scene) -> str:
    return (
        f"The primary container for production variant {sc.variant} did not pass the ping health check. "
        "Please check CloudWatch logs for this endpoint."
    )


def cannot_start_reason(sc: Scene) -> str:
    return (
        f"CannotStartContainerError. Please ensure the model container for variant {sc.variant} starts correctly "
        "when invoked with 'docker run <image> serve'"
    )


def deploy_error(sc: Scene, reason: str) -> str:
    """What ``model.deploy()`` raises when the endpoint goes to ``Failed``."""
    head = f"Error hosting endpoint {sc.endpoint}: Failed. Reason: {reason}"
    if sc.chance(0.4):
        head += (
            ". Try changing the instance type or reference the troubleshooting page "
            "https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-troubleshooting.html"
        )
    return sc.pick(
        (
            f"UnexpectedStatusException: {head}",
            f"sagemaker.exceptions.UnexpectedStatusException: {head}",
            "botocore.exceptions.WaiterError: Waiter EndpointInService failed: Waiter encountered a terminal "
            'failure state: For expression "EndpointStatus" we matched expected path: "Failed"',
            head,
        )
    )


def entry(sc: Scene, role: str) -> tuple[str, list[Frame], str]:
    """Where a request enters user code on this stack.

    Returns the framework function name for :func:`request_frames`, the user
    frames leading to the faulty function, and that function's name.
    ``role`` is ``predict``, ``input`` or ``output``.
    """
    if sc.stack == "xgboost":
        sc.flavour = "script"  # algorithm mode runs no user code
    st, fl = sc.stack, sc.flavour
    if st in ("sklearn", "xgboost", "hf_mms") or (st == "torchserve" and fl == "sm_toolkit"):
        fn = {"predict": "predict_fn", "input": "input_fn", "output": "output_fn"}[role]
        return fn, [], fn
    if st == "torchserve":
        fn = {"predict": "inference", "input": "preprocess", "output": "postprocess"}[role]
        return fn, [], fn
    if st == "djl_lmi":
        fn = {"predict": "inference", "input": "parse_input", "output": "format_output"}[role]
        return "handle", [user(sc, "handle", f"return _service.{'inference' if role == 'predict' else fn}(inputs)")], fn
    if st == "triton":
        return "execute", [], "execute"
    if st == "tfserving":
        sc.flavour = "handler"
        fn = "input_handler" if role == "input" else "output_handler"
        return fn, [], fn
    if fl == "fastapi_uvicorn":
        return "invocations", [], "invocations"
    fn = {"predict": "predict", "input": "transformation", "output": "transformation"}[role]
    pre = [user(sc, "transformation", "predictions = ScoringService.predict(data)")] if role == "predict" else []
    return "transformation", pre, fn


def needs_gunicorn(sc: Scene) -> None:
    """Pin a BYOC scene to the nginx + gunicorn flavour when the story is about gunicorn or nginx."""
    if sc.stack == "byoc":
        sc.flavour = "flask_gunicorn"


def load_func(sc: Scene) -> str:
    """Name of the user function that loads the model on this stack."""
    st, fl = sc.stack, sc.flavour
    if st in ("torchserve",) and fl != "sm_toolkit" or st in ("triton", "djl_lmi"):
        return "initialize"
    if st == "byoc":
        return "load_model" if fl == "fastapi_uvicorn" else "<module>"
    if st == "vllm":
        return "<module>"
    return "model_fn"


# ---------------------------------------------------------------------------
# tracebacks, per stack
# ---------------------------------------------------------------------------
def tb_events(
    sc: Scene,
    frames: Sequence[Frame],
    exc: str | Sequence[str],
    *,
    phase: str = "request",
    cause: tuple[Sequence[Frame], str | Sequence[str], str] | None = None,
) -> list[Ev]:
    """A Python traceback as this stack's logs carry it."""
    st = sc.stack
    if st == "triton":
        head = (exc if isinstance(exc, str) else "\n".join(exc)).split("\n")
        keys = list(range(len(head))) + [
            i + len(head) + 2 for i, f in enumerate(reversed(frames)) if is_evidence(sc, f)
        ]
        return [block("fe", head + at_trace(frames), keys, "ERROR", "python_be.cc:1392")]
    lines, keys = render_tb(sc, frames, exc, cause=cause, marker=st == "tgi" and sc.chance(0.5))
    if st in ("torchserve", "hf_mms"):
        return [block("worker", lines, keys)]
    if st == "djl_lmi":
        return [block("worker_err", lines, keys, "WARN")]
    if st == "vllm":
        where = sc.pick(
            ("engine.py:158", "engine.py:366", "api_server.py:230")
            if phase == "load"
            else ("core.py:340", "serving_chat.py:661", "worker_base.py:464", "llm_engine.py:1156")
        )
        return [block("worker", lines, keys, "ERROR", where)]
    if st == "tgi":
        first = (
            "Error when initializing model"
            if phase == "load"
            else f"Method {sc.pick(('Prefill', 'Decode', 'Warmup'))} encountered an error."
        )
        return [block("fe", [first] + lines, [k + 1 for k in keys], "ERROR", "text_generation_launcher")]
    return [block("raw", lines, keys, "ERROR")]


def _hf_wrap(
    sc: Scene, frames: Sequence[Frame], exc: str | Sequence[str], msg: str
) -> tuple[list[Frame], list[str], tuple]:
    """MMS-based Hugging Face toolkit re-raises everything as ``PredictionException(str(e), 400)``."""
    outer = [
        Frame(
            f"{sc.site}/mms/service.py",
            sc.pick((108, 119)),
            "predict",
            "ret = self._entry_point(input_batch, self.context)",
        ),
        Frame(
            f"{sc.site}/sagemaker_huggingface_inference_toolkit/handler_service.py",
            sc.pick((254, 268, 290)),
            "handle",
            "raise PredictionException(str(e), 400)",
        ),
    ]
    return (
        outer,
        [f"mms.service.PredictionException: {msg} : 400"],
        (frames, exc, "During handling of the above exception, another exception occurred:"),
    )


def request_error(
    sc: Scene, fn: str, frames: Sequence[Frame], exc: str | Sequence[str], msg: str, *, status: int = 500
) -> tuple[list[Ev], str]:
    """An exception raised while serving a request: the log events and the caller's error."""
    st, fl = sc.stack, sc.flavour
    all_frames = request_frames(sc, fn) + list(frames)
    ev: list[Ev] = []
    client: str
    if st == "hf_mms":
        outer, outer_exc, cause = _hf_wrap(sc, all_frames, exc, msg)
        ev.append(line("worker", "Prediction error", "ERROR"))
        ev += tb_events(sc, outer, outer_exc, cause=cause)
        ev += noise.request(sc, 400)
        body = (
            '{\\n  \\"code\\": 400,\\n  \\"type\\": \\"InternalServerException\\",\\n  \\"message\\": \\"'
            + msg.replace('"', "'")
            + '\\"\\n}\\n'
        )
        client = client_error(sc, 400, sc.pick((body, msg)))
        return ev, client
    if st == "torchserve" and fl != "sm_toolkit":
        ev.append(line("worker", "Invoking custom service failed.", "ERROR"))
        ev += tb_events(sc, all_frames, exc)
        ev.append(line("fe", f"Backend response time: {sc.ri(2, 400)}", logger=jl(sc, "W", "WorkerThread")))
        ev += noise.request(sc, 503)
        client = client_error(
            sc,
            503,
            sc.pick(
                (
                    '{\\n  \\"code\\": 503,\\n  \\"type\\": \\"InternalServerException\\",\\n'
                    '  \\"message\\": \\"Prediction failed\\"\\n}\\n',
                    "Prediction failed",
                )
            ),
        )
        return ev, client
    if st == "djl_lmi":
        ev.append(line("worker_err", "Failed invoke service.invoke_handler()", "WARN"))
        ev += tb_events(sc, all_frames, exc)
        client = client_error(
            sc,
            424,
            '{\\n  \\"code\\":424,\\n  \\"message\\":\\"prediction failure\\",\\n  \\"error\\":\\"'
            + msg.replace('"', "'")
            + '\\"\\n}',
        )
        return ev, client
    if st == "triton":
        last = exc if isinstance(exc, str) else "\n".join(exc)
        head = f"Failed to process the request(s) for model '{sc.model}_0_0', message: {last}".split("\n")
        keys = list(range(len(head))) + [
            i + len(head) + 2 for i, f in enumerate(reversed(all_frames)) if is_evidence(sc, f)
        ]
        ev.append(
            block("fe", head + at_trace(all_frames), keys, "ERROR", f"python_be.cc:{sc.pick((1392, 1420, 1567))}")
        )
        client = client_error(
            sc,
            400,
            '{\\"error\\":\\"'
            + f"Failed to process the request(s) for model instance '{sc.model}_0_0', message: {last}".replace('"', "'")
            + '\\"}',
        )
        return ev, client
    if st == "tfserving":
        ev.append(line("py", f"exception handling request: {msg}", "ERROR", "python_service"))
        ev += tb_events(sc, all_frames, exc)
        ev += noise.request(sc, status)
        return ev, client_error(sc, status, msg)
    if st == "byoc" and fl == "fastapi_uvicorn":
        ev.append(line("fe", "Exception in ASGI application", "ERROR"))
    elif st in ("sklearn", "xgboost", "byoc"):
        ev.append(line("flask", "Exception on /invocations [POST]", "ERROR", "app"))
    if st == "torchserve":
        ev += tb_events(sc, all_frames, exc)
        ev += noise.request(sc, status)
        trace = (
            '\\nTraceback (most recent call last):\\n  File \\"'
            + all_frames[-1].path
            + '\\", line '
            + str(all_frames[-1].line)
            + ", in "
            + all_frames[-1].func
        )
        return ev, client_error(sc, status, msg + (trace if sc.chance(0.5) else ""))
    ev += tb_events(sc, all_frames, exc)
    ev += noise.request(sc, status)
    return ev, client_error(sc, status, msg)


def load_error(
    sc: Scene, frames: Sequence[Frame], exc: str | Sequence[str], msg: str, *, base: Sequence[Frame] | None = None
) -> list[Ev]:
    """An exception while the model (or the user module) is being loaded at start-up."""
    st, fl = sc.stack, sc.flavour
    all_frames = (list(base) if base is not None else load_frames(sc)) + list(frames)
    if st == "triton":
        text = exc if isinstance(exc, str) else "\n".join(exc)
        head = f"failed to load '{sc.model}' version 1: Internal: {text}".split("\n")
        keys = list(range(len(head))) + [
            i + len(head) + 2 for i, f in enumerate(reversed(all_frames)) if is_evidence(sc, f)
        ]
        first = text.split("\n")[0]
        tail = sc.pick(
            (
                line("raw", "error: creating server: Internal - failed to load all models"),
                line(
                    "raw",
                    f"error: creating server: Invalid argument - load failed for model '/opt/ml/model/::"
                    f"{sc.model}': version 1 is at UNAVAILABLE state: Internal: {first};",
                    key=True,
                ),
            )
        )
        return [
            block("fe", head + at_trace(all_frames), keys, "ERROR", f"model_lifecycle.cc:{sc.pick((621, 626, 642))}"),
            line("fe", f"{sc.model} | 1 | UNAVAILABLE: Internal: {first}", "INFO", "server.cc:676"),
            tail,
        ]
    ev: list[Ev] = []
    if st == "djl_lmi":
        ev.append(line("worker_err", "Python engine process died", "WARN"))
        ev += tb_events(sc, all_frames, exc, phase="load")
        ev += noise.worker_died(sc, loading=True)
        ev.append(line("fe", "Failed register workflow", "ERROR", "ModelServer"))
        ev.append(
            block(
                "fe",
                [
                    f"java.util.concurrent.CompletionException: ai.djl.engine.EngineException: "
                    f"Failed to initialize model: {msg}",
                    "\tat java.base/java.util.concurrent.CompletableFuture.encodeThrowable(CompletableFuture.java:315)",
                    "\tat java.base/java.util.concurrent.CompletableFuture.completeThrowable(CompletableFuture.java:320)",
                    f"Caused by: ai.djl.engine.EngineException: Failed to initialize model: {msg}",
                    "\tat ai.djl.python.engine.PyProcess.startPythonProcess(PyProcess.java:228)",
                ],
                (0, 3),
                "ERROR",
                "ModelServer",
            )
        )
        return ev
    if st == "tgi":
        ev += tb_events(sc, all_frames, exc, phase="load")
        if sc.chance(0.6):
            lines, keys = render_tb(sc, all_frames, exc)
            ev.append(
                block(
                    "fe",
                    ["Shard complete standard error output:", ""] + lines,
                    [k + 2 for k in keys],
                    "ERROR",
                    "shard-manager: text_generation_launcher",
                )
            )
        return ev + noise.worker_died(sc, loading=True)
    if st in ("torchserve", "hf_mms", "vllm"):
        return tb_events(sc, all_frames, exc, phase="load") + noise.worker_died(sc, loading=True)
    if st == "byoc" and fl == "fastapi_uvicorn":
        lines, keys = render_tb(sc, all_frames, exc)
        return [block("fe", lines, keys, "ERROR"), line("fe", "Application startup failed. Exiting.", "ERROR")]
    if st in ("sklearn", "xgboost"):
        # sagemaker-containers loads the user module lazily, on the first request
        return (
            [line("fe", "Error handling request /invocations", "ERROR")]
            + tb_events(sc, all_frames, exc)
            + noise.request(sc, 500)
        )
    if st == "byoc" and fl == "flask_dev":  # `python app.py` simply dies with the traceback
        return tb_events(sc, all_frames, exc)
    ev.append(line("gunicorn" if st == "tfserving" else "fe", "Exception in worker process", "ERROR"))
    ev += tb_events(sc, all_frames, exc)
    ev.append(line("gunicorn" if st == "tfserving" else "fe", f"Worker exiting (pid: {sc.ri(20, 400)})"))
    if st == "tfserving":
        ev.append(
            line(
                "nginx",
                f"connect() to unix:/tmp/gunicorn.sock failed (111: Connection refused) while connecting "
                f'to upstream, client: {sc.style["ip"]}, server: , request: "POST /invocations HTTP/1.1", '
                'upstream: "http://unix:/tmp/gunicorn.sock:/invocations", host: "model.aws.local:8080"',
                "ERROR",
            )
        )
    return ev


def import_error(sc: Scene, module_frames: Sequence[Frame], exc: str | Sequence[str], msg: str) -> list[Ev]:
    """The user's entry module failing to import at start-up."""
    if sc.stack in ("sklearn", "xgboost") and sc.chance(0.5):
        exc_lines = [exc] if isinstance(exc, str) else list(exc)
        wrapped = f"sagemaker_containers._errors.ImportModuleError: {exc_lines[-1].split(': ', 1)[-1]}"
        return load_error(sc, module_frames, exc_lines[:-1] + [wrapped], msg, base=import_frames(sc))
    return load_error(sc, module_frames, exc, msg, base=import_frames(sc))


def startup_failure(
    sc: Scene,
    events: list[Ev],
    *,
    reason: str | None = None,
    effects: tuple[str, ...] = (),
    repeats: tuple[int, int] = (1, 3),
    status: str = "Failed",
) -> Story:
    """A story that fails while the container starts (endpoint never goes InService)."""
    reason = reason if reason is not None else ping_reason(sc)
    return Story(
        events=events,
        phase="startup",
        repeats=repeats,
        effects=effects + ("no_traffic",),
        status=sc.wpick(((status, 0.75), ("Creating", 0.1), ("Updating", 0.08), ("RollingBack", 0.07))),
        failure_reason=reason,
        client_error=deploy_error(sc, reason) if reason else None,
    )
