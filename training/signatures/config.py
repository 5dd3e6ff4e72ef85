"""configuration_error: the endpoint is wired up wrong.

Content types and serializers, environment variables, entry points, the
layout of ``model.tar.gz``, the image (training vs inference, CPU vs GPU,
CUDA and framework versions), packages missing from the inference image,
IAM and Hub credentials, the container contract (port 8080, ``/ping``,
``serve``), parallelism, quantization, timeouts and token limits set at
deploy time. Tracebacks here often run through *framework* code: the frames
say "the toolkit could not import / find / start", not "your code raised".
"""

from __future__ import annotations

from training import noise
from training.signatures import signature
from training.signatures.common import (
    cannot_start_reason,
    client_error,
    deploy_error,
    import_error,
    jl,
    lib,
    load_error,
    load_func,
    needs_gunicorn,
    ping_reason,
    request_error,
    startup_failure,
)
from training.stacks import DLC
from training.story import CONFIG, Scene, Story, block, line
from training.tb import Frame, importlib_frames, java_trace, load_frames, render_tb, user

PY_STACKS = ("sklearn", "xgboost", "torchserve", "hf_mms", "djl_lmi", "tfserving", "triton", "byoc")
LLM = ("tgi", "djl_lmi", "vllm")

CONTENT_TYPES = (
    "application/json",
    "text/csv",
    "application/x-npy",
    "application/octet-stream",
    "text/plain",
    "application/x-image",
    "image/jpeg",
    "application/jsonlines",
    "application/x-www-form-urlencoded",
    "application/x-recordio-protobuf",
    "text/libsvm",
)


def _unsupported_format(sc: Scene, ctype: str, pkg: str) -> list[str]:
    """``UnsupportedFormatError`` text (the real message spans three lines and has a typo)."""
    ind = " " * sc.pick((12, 15))
    return [
        f"{pkg}.UnsupportedFormatError: Content type {ctype} is not supported by this framework.",
        "",
        f"{ind}Please implement input_fn to to deserialize the request data or an output_fn to",
        f"{ind}serialize the response. For more information, see the SageMaker Python SDK README.",
    ]


@signature(
    "unsupported_content_type",
    CONFIG,
    ("sklearn", "xgboost", "torchserve", "hf_mms", "tfserving", "byoc", "triton"),
    weight=1.4,
)
def unsupported_content_type(sc: Scene) -> Story:
    """The request's Content-Type is not one the container (or its default input_fn) can decode: 415."""
    st, fl = sc.stack, sc.flavour
    expected = {"xgboost": "text/csv", "tfserving": "application/json", "triton": "application/json"}.get(
        st, "application/json"
    )
    ctype = sc.pick([c for c in CONTENT_TYPES if c != expected])
    load = sc.chance(0.3)
    effects = ("err4xx",) + (("traffic_spike", "cpu_high") if load else ())
    if st == "xgboost" and fl == "algorithm":  # built-in algorithms (XGBoost, Linear Learner, BlazingText...)
        msg = sc.pick(
            (
                f"Content-type {ctype} not supported. Supported content-type is text/csv, text/libsvm, "
                "application/x-recordio-protobuf",
                f"Unsupported content-type {ctype}. Supported content-types are: text/csv, application/x-recordio-protobuf",
                f"Customer Error: Unable to process request with content type {ctype}",
            )
        )
        ev = [line("py", msg, "ERROR", key=True), *noise.request(sc, 415)]
        return Story(events=ev, again=ev, repeats=(2, 10), effects=effects, client_error=client_error(sc, 415, msg))
    if st in ("sklearn", "xgboost", "torchserve", "hf_mms") and not (st == "torchserve" and fl != "sm_toolkit"):
        if st in ("sklearn", "xgboost"):
            pkg, frames = (
                "sagemaker_containers._errors",
                [
                    Frame(
                        f"{sc.site}/sagemaker_{'sklearn' if st == 'sklearn' else 'xgboost'}_container/serving.py",
                        sc.pick((55, 57, 62)),
                        "default_input_fn",
                        "np_array = encoders.decode(input_data, content_type)",
                    ),
                    lib(
                        sc,
                        "sagemaker_containers/_encoders.py",
                        sc.pick((183, 189)),
                        "decode",
                        "raise _errors.UnsupportedFormatError(content_type)",
                    ),
                ],
            )
        else:
            pkg, frames = (
                "sagemaker_inference.errors",
                [
                    lib(
                        sc,
                        "sagemaker_inference/default_inference_handler.py",
                        sc.pick((87, 89)),
                        "default_input_fn",
                        "return decoder.decode(input_data, content_type)",
                    )
                    if st == "torchserve"
                    else lib(
                        sc,
                        "sagemaker_huggingface_inference_toolkit/handler_service.py",
                        sc.pick((157, 162)),
                        "preprocess",
                        "decoded_input_data = decoder_encoder.decode(input_data, content_type)",
                    ),
                    lib(
                        sc,
                        "sagemaker_inference/decoder.py"
                        if st == "torchserve"
                        else "sagemaker_huggingface_inference_toolkit/decoder_encoder.py",
                        sc.pick((110, 106, 244)),
                        "decode",
                        "raise errors.UnsupportedFormatError(content_type)"
                        if st == "torchserve"
                        else "return _decoder_map[content_type](content)",
                    ),
                ],
            )
        exc = _unsupported_format(sc, ctype, pkg)
        if st == "hf_mms" and sc.chance(0.5):
            exc = [f"KeyError: '{ctype}'"]
        msg = f"Content type {ctype} is not supported by this framework."
        if st == "hf_mms" and sc.chance(0.3):
            msg = f"content type {ctype} not support with {sc.pick(('zero-shot-classification', 'table-question-answering'))}, use different content_type"
            exc = [f"mms.service.PredictionException: {msg} : 400"]
        events, client = request_error(sc, "input_fn", frames, exc, msg, status=415 if st != "hf_mms" else 400)
        if sc.chance(0.4):
            events = [e for e in events if e.src == "access"] + [e for e in events if e.src != "access"]
        return Story(events=events, repeats=(2, 10), effects=effects, client_error=client)
    if st == "tfserving":
        msg = f'{{"error": "unsupported content type {ctype}"}}'
        if fl == "handler":
            frames = [
                user(
                    sc,
                    "input_handler",
                    'raise ValueError(\'{{{{"error": "unsupported content type {{}}"}}}}\'.format(',
                    line=sc.ri(20, 60),
                )
            ]
            events, client = request_error(sc, "input_handler", frames, f"ValueError: {msg}", msg, status=415)
        else:
            events = [
                line("nginx", f"js: unsupported content type: {ctype}", "WARN", key=True),
                *noise.request(sc, 415),
            ]
            client = client_error(sc, 415, msg.replace('"', '\\"'))
        return Story(events=events, again=events, repeats=(2, 10), effects=effects, client_error=client)
    if st == "triton":
        msg = (
            f"Unsupported content type '{ctype}'. Content type must be 'application/json' or "
            "'application/vnd.sagemaker-triton.binary+json;json-header-size={size}'"
        )
        ev = [line("fe", msg, "ERROR", "sagemaker_server.cc:591", key=True)]
        return Story(events=ev, again=ev, repeats=(2, 10), effects=effects, client_error=client_error(sc, 400, msg))
    # byoc / torchserve custom handler: the user's own check returns 415
    msg = sc.pick(
        (
            "This predictor only supports CSV data",
            f"Unsupported content type: {ctype}",
            f'{{"detail":"Unsupported media type {ctype}, expected application/json"}}',
        )
    )
    ev = (
        [line("py", f"Unsupported content type: {ctype}", "WARN", sc.pick(("predictor", "app", "root")), key=True)]
        if sc.chance(0.5) and st == "byoc"
        else []
    )
    ev += noise.request(sc, 415)
    ev[-1].keys = (0,)
    if st == "torchserve":
        ev = [
            line(
                "worker",
                f"ValueError: Unsupported content type {ctype}, expected one of ['application/json', "
                "'application/x-image']",
                key=True,
            ),
            *noise.request(sc, 503),
        ]
    return Story(events=ev, again=ev, repeats=(2, 10), effects=effects, client_error=client_error(sc, 415, msg))


@signature("unsupported_accept_type", CONFIG, ("sklearn", "xgboost", "torchserve", "hf_mms", "byoc"))
def unsupported_accept(sc: Scene) -> Story:
    """The Accept header asks for a serialization the default output_fn cannot produce."""
    st = sc.stack
    accept = sc.pick(
        (
            "text/plain",
            "application/x-protobuf",
            "image/png",
            "application/xml",
            "text/html",
            "application/x-recordio-protobuf",
            "application/jsonlines",
        )
    )
    if st == "byoc":
        msg = f"Accept type {accept} is not supported"
        ev = [line("py", f"Unsupported accept type: {accept}", "WARN", "app", key=True), *noise.request(sc, 406)]
        return Story(events=ev, again=ev, repeats=(2, 8), effects=("err4xx",), client_error=client_error(sc, 406, msg))
    if st == "xgboost" and sc.flavour == "algorithm":
        msg = f"Accept type {accept} is not supported. Supported accept types are text/csv, application/json, application/jsonlines, application/x-recordio-protobuf"
        ev = [line("py", msg, "ERROR", key=True), *noise.request(sc, 406)]
        return Story(events=ev, again=ev, repeats=(2, 8), effects=("err4xx",), client_error=client_error(sc, 406, msg))
    pkg = "sagemaker_containers._errors" if st in ("sklearn", "xgboost") else "sagemaker_inference.errors"
    frames = [
        lib(
            sc,
            "sagemaker_inference/default_inference_handler.py"
            if pkg.startswith("sagemaker_inference")
            else "sagemaker_containers/_encoders.py",
            sc.pick((104, 110, 161)),
            "default_output_fn" if pkg.startswith("sagemaker_inference") else "encode",
            "return encoder.encode(prediction, accept)"
            if pkg.startswith("sagemaker_inference")
            else "raise _errors.UnsupportedFormatError(content_type)",
        )
    ]
    if pkg.startswith("sagemaker_inference"):
        frames.append(
            lib(
                sc,
                "sagemaker_inference/encoder.py",
                sc.pick((107, 109)),
                "encode",
                "raise errors.UnsupportedFormatError(content_type)",
            )
        )
    exc = _unsupported_format(sc, accept, pkg)
    events, client = request_error(
        sc, "output_fn", frames, exc, f"Content type {accept} is not supported by this framework.", status=415
    )
    return Story(events=events, repeats=(2, 8), effects=("err4xx",), client_error=client)


@signature(
    "missing_env_var",
    CONFIG,
    ("hf_mms", "tgi", "djl_lmi", "sklearn", "xgboost", "byoc", "torchserve", "vllm", "triton"),
    weight=1.3,
)
def missing_env(sc: Scene) -> Story:
    """A required environment variable is missing, misspelled or malformed (HF_TASK, HF_MODEL_ID, SAGEMAKER_PROGRAM...)."""
    st = sc.stack
    if st == "hf_mms":
        tasks = (
            "['audio-classification', 'automatic-speech-recognition', 'feature-extraction', 'text-classification', "
            "'token-classification', 'question-answering', 'table-question-answering', 'fill-mask', 'summarization', "
            "'translation', 'text2text-generation', 'text-generation', 'zero-shot-classification', 'conversational', "
            "'image-classification', 'image-segmentation', 'object-detection']"
        )
        msg = f"(\"You need to define one of the following {tasks} as env 'HF_TASK'.\", 403)"
        frames = [
            lib(
                sc,
                "sagemaker_huggingface_inference_toolkit/handler_service.py",
                sc.pick((80, 84)),
                "initialize",
                "self.model = self.load(self.model_dir)",
            ),
            lib(
                sc,
                "sagemaker_huggingface_inference_toolkit/handler_service.py",
                sc.pick((104, 112, 118)),
                "load",
                "raise ValueError(",
            ),
        ]
        if sc.chance(0.6):
            events, client = request_error(sc, "transform_fn", frames, f"ValueError: {msg}", msg)
            return Story(events=events, repeats=(2, 6), effects=("err4xx",), client_error=client)
        ev = noise.startup(sc) + load_error(sc, frames[1:], f"ValueError: {msg}", msg)
        return startup_failure(sc, ev)
    if st == "tgi":
        sc.hf_model = "/opt/ml/model"
        exc = (
            "OSError: /opt/ml/model does not appear to have a file named config.json. Checkout "
            "'https://huggingface.co//opt/ml/model/None' for available files."
        )
        frames = [
            lib(
                sc,
                "text_generation_server/models/__init__.py",
                sc.ri(200, 900),
                "get_model",
                "config_dict, _ = PretrainedConfig.get_config_dict(",
            ),
            lib(
                sc,
                "transformers/configuration_utils.py",
                sc.ri(600, 760),
                "_get_config_dict",
                "resolved_config_file = cached_file(",
            ),
        ]
        ev = noise.startup(
            sc,
        ) + load_error(sc, frames, exc, "config.json not found")
        ev.insert(
            0,
            line("raw", "HF_MODEL_ID is not set, serving model artifacts from /opt/ml/model", "WARN", key=True)
            if sc.chance(0.5)
            else line(
                "fe", "No model id provided, defaulting to /opt/ml/model", "WARN", "text_generation_launcher", key=True
            ),
        )
        return startup_failure(sc, ev)
    if st == "djl_lmi":
        ev = noise.startup(sc)[:3] + [
            line(
                "fe",
                "No option.model_id, HF_MODEL_ID or model artifacts found in /opt/ml/model",
                "WARN",
                "ModelInfo",
                key=True,
            ),
            line("fe", "Failed register workflow", "ERROR", "ModelServer"),
            block(
                "fe",
                java_trace(
                    "java.util.concurrent.CompletionException: ai.djl.repository.zoo.ModelNotFoundException: "
                    "No matching model with specified Input/Output type found.",
                    [
                        "JDK:java.util.concurrent.CompletableFuture.encodeThrowable(CompletableFuture.java:315)",
                        "ai.djl.serving.models.ModelManager.lambda$registerWorkflow$2(ModelManager.java:143)",
                    ],
                ),
                (0,),
                "ERROR",
                "ModelServer",
            ),
        ]
        return startup_failure(sc, ev)
    if st in ("sklearn", "xgboost"):
        sc.flavour = "script"
        from training.tb import import_frames

        base = import_frames(sc)[:3]
        if sc.chance(0.5):
            frames = [
                Frame(
                    importlib_frames(sc)[0].path,
                    sc.pick((117, 118, 121)) if sc.py != "3.7" else 120,
                    "import_module",
                    "if name.startswith('.'):",
                )
            ]
            exc = "AttributeError: 'NoneType' object has no attribute 'startswith'"
        else:
            frames = importlib_frames(sc)[:2] + [
                Frame("<frozen importlib._bootstrap>", sc.pick((939, 950)), "_sanity_check", None)
            ]
            exc = "ValueError: Empty module name"
        ev = load_error(sc, frames, exc, exc, base=base)
        return Story(
            events=ev, repeats=(2, 6), effects=("err5xx",), client_error=client_error(sc, 500, "Internal Server Error")
        )
    if st == "torchserve":
        var, bad = sc.pick(
            (
                ("SAGEMAKER_MODEL_SERVER_WORKERS", "four"),
                ("SAGEMAKER_MODEL_SERVER_WORKERS", "auto"),
                ("SAGEMAKER_MODEL_SERVER_TIMEOUT", "60s"),
                ("SAGEMAKER_MODEL_SERVER_TIMEOUT", "1.5"),
                ("SAGEMAKER_TS_BATCH_SIZE", "max"),
                ("SAGEMAKER_TS_BATCH_SIZE", ""),
            )
        )
        frames = [
            lib(
                sc,
                "sagemaker_pytorch_serving_container/torchserve.py",
                sc.pick((86, 92)),
                "start_torchserve",
                "_create_torchserve_config_file(handler_service)",
            ),
            lib(
                sc,
                "sagemaker_pytorch_serving_container/torchserve.py",
                sc.pick((147, 153)),
                "_create_torchserve_config_file",
                "configuration_properties = _generate_ts_config_properties(handler_service)",
            ),
            lib(
                sc,
                "sagemaker_inference/environment.py",
                sc.pick((67, 71)),
                "__init__",
                "self._model_server_workers = int(os.environ.get(parameters.MODEL_SERVER_WORKERS_ENV, '0'))",
            ),
        ]
        lines, keys = render_tb(
            sc,
            [
                Frame("/usr/local/bin/dockerd-entrypoint.py", 23, "<module>", "serving.main()"),
                lib(sc, "sagemaker_pytorch_serving_container/serving.py", 38, "main", "_start_torchserve()"),
            ]
            + frames,
            f"ValueError: invalid literal for int() with base 10: '{bad}'",
        )
        ev = [line("raw", f"{var}={bad}", key=True), block("raw", lines, keys)]
        return startup_failure(sc, ev, reason=cannot_start_reason(sc) if sc.chance(0.5) else ping_reason(sc))
    if st == "triton":
        ev = noise.startup(sc)[:4] + [
            line(
                "raw",
                "SAGEMAKER_TRITON_DEFAULT_MODEL_NAME must be specified when the model repository /opt/ml/model "
                f"contains more than one model (found: {sc.model}, {sc.pick(('preprocess', 'postprocess', 'ensemble'))})",
                key=True,
            )
        ]
        return startup_failure(sc, ev)
    var = sc.pick(("MODEL_PATH", "MODEL_ID", "MODEL_NAME", "SM_MODEL_DIR", "HF_TOKEN", "BUCKET_NAME", "MODEL_DIR"))
    frames = [
        user(sc, "<module>", f"{var.lower()} = os.environ['{var}']", line=sc.ri(5, 30)),
        Frame(
            f"/usr/lib/python{sc.py}/os.py"
            if "dist-packages" in sc.site
            else f"{sc.site.split('/site-packages')[0]}/os.py",
            sc.pick((675, 679, 680, 685)),
            "__getitem__",
            "raise KeyError(key) from None",
        ),
    ]
    ev = noise.startup(sc)[:2] + load_error(sc, frames, f"KeyError: '{var}'", f"KeyError: '{var}'")
    return startup_failure(sc, ev)


@signature(
    "entry_point_not_found", CONFIG, ("sklearn", "xgboost", "torchserve", "djl_lmi", "triton", "byoc"), weight=1.1
)
def entry_point(sc: Scene) -> Story:
    """The entry point (inference.py / handler / model.py / wsgi module) is missing or misnamed."""
    st, fl = sc.stack, sc.flavour
    if st in ("sklearn", "xgboost"):
        sc.flavour = "script"
        mod = sc.entry[:-3]
        ev = import_error(sc, [], f"ModuleNotFoundError: No module named '{mod}'", f"No module named '{mod}'")
        if sc.chance(0.4):
            ev.insert(0, line("py", f"Module {mod} does not provide a setup.py. \nGenerating setup.py", key=False))
        return Story(
            events=ev,
            repeats=(2, 6),
            effects=("err5xx",),
            client_error=client_error(sc, 500, f"No module named '{mod}'"),
        )
    if st == "torchserve":
        if fl == "sm_toolkit":
            frames = [
                lib(
                    sc,
                    "sagemaker_pytorch_serving_container/default_pytorch_inference_handler.py",
                    sc.pick((73, 75)),
                    "default_model_fn",
                    "raise NotImplementedError(",
                )
            ]
            exc: str | list[str]
            exc = [
                "NotImplementedError: Please provide a model_fn implementation.",
                "See documentation for model_fn at https://sagemaker.readthedocs.io/en/stable/frameworks/pytorch/using_pytorch.html",
            ]
            ev = noise.startup(sc) + load_error(sc, frames, exc, "Please provide a model_fn implementation.")
            return startup_failure(sc, ev)
        if sc.chance(0.5):
            mod = sc.entry[:-3]
            from training.tb import import_frames

            ev = noise.startup(sc) + load_error(
                sc, [], f"ModuleNotFoundError: No module named '{mod}'", mod, base=import_frames(sc)
            )
        else:
            cls = sc.pick(("ImageClassifier", "BaseHandler", "MyHandler", "TextClassifier"))
            frames = [
                lib(
                    sc,
                    "ts/model_loader.py",
                    sc.pick((115, 118)),
                    "load",
                    "module, function_name = self._load_handler_file(handler)",
                ),
                lib(
                    sc,
                    "ts/model_loader.py",
                    sc.pick((170, 175)),
                    "_load_default_handler" if sc.chance(0.3) else "_get_class_entry_point",
                    "raise ValueError(",
                ),
            ]
            exc = (
                f"ValueError: Expected only one class in custom service code or a function entry point "
                f"[<class '{sc.entry[:-3]}.{cls}'>, <class 'ts.torch_handler.base_handler.BaseHandler'>]"
            )
            ev = noise.startup(sc) + load_error(
                sc, frames, exc, "Expected only one class in custom service code", base=load_frames(sc)[:-1]
            )
        return startup_failure(sc, ev)
    if st == "djl_lmi":
        if sc.chance(0.5):
            ev = noise.startup(sc)[:3] + [
                line("fe", "Failed register workflow", "ERROR", "ModelServer"),
                block(
                    "fe",
                    java_trace(
                        f"java.util.concurrent.CompletionException: java.io.FileNotFoundException: model.py "
                        f"file not found in: {sc.code_dir}",
                        [
                            "JDK:java.util.concurrent.CompletableFuture.encodeThrowable(CompletableFuture.java:315)",
                            "ai.djl.python.engine.PyModel.load(PyModel.java:208)",
                        ],
                        (
                            f"java.io.FileNotFoundException: model.py file not found in: {sc.code_dir}",
                            ["ai.djl.python.engine.PyModel.load(PyModel.java:208)"],
                        ),
                    ),
                    (0, 4),
                    "ERROR",
                    "ModelServer",
                ),
            ]
        else:
            exc = (
                f"ValueError: Unable to load entry_point {sc.code_dir}/{sc.pick(('model', 'inference', 'handler'))}.py"
            )
            from training.tb import import_frames

            ev = noise.startup(sc)[:4] + load_error(sc, [], exc, exc, base=import_frames(sc)[:2])
        return startup_failure(sc, ev)
    if st == "triton":
        ev = noise.startup(sc)[:6] + [
            line(
                "fe",
                f"failed to load '{sc.model}' version 1: Internal: Failed to preinitialize Python stub: Python model "
                f"file not found in '/opt/ml/model/{sc.model}/1/model.py'",
                "ERROR",
                "model_lifecycle.cc:626",
                key=True,
            ),
            line("raw", "error: creating server: Internal - failed to load all models"),
        ]
        return startup_failure(sc, ev)
    mod = sc.entry[:-3]
    if fl == "fastapi_uvicorn":
        ev = [
            line(
                "fe",
                sc.pick(
                    (
                        f'Error loading ASGI app. Could not import module "{mod}".',
                        f'Error loading ASGI app. Attribute "app" not found in module "{mod}".',
                    )
                ),
                "ERROR",
                key=True,
            )
        ]
    elif fl == "flask_dev":
        ev = [
            line(
                "raw",
                f"python: can't open file '/opt/program/{sc.pick(('serve.py', 'app.py', 'main.py'))}': [Errno 2] "
                "No such file or directory",
                key=True,
            )
        ]
    else:
        ev = noise.startup(sc)[:3] + [
            line(
                "fe",
                sc.pick(
                    (
                        f"Failed to find attribute 'app' in '{mod}'.",
                        f"Failed to find application object 'application' in '{mod}'",
                    )
                ),
                "ERROR",
                key=True,
            ),
            line("fe", f"Worker exiting (pid: {sc.ri(20, 400)})"),
            line("fe", "Shutting down: Master"),
            line("fe", "Reason: App failed to load."),
        ]
    return startup_failure(sc, ev)


@signature("container_start_failure", CONFIG, ("byoc", "vllm", "sklearn"))
def container_start(sc: Scene) -> Story:
    """The image cannot run ``serve``: not executable, CRLF line endings, wrong CPU architecture."""
    kind = sc.pick(("arch", "crlf", "perm", "shebang", "bash"))
    ev = {
        "arch": [
            line(
                "raw",
                sc.pick(
                    (
                        "exec /usr/local/bin/serve: exec format error",
                        "standard_init_linux.go:228: exec user process caused: exec format error",
                        "exec /opt/program/serve: exec format error",
                    )
                ),
                key=True,
            )
        ],
        "crlf": [
            line("raw", "/opt/program/serve: line 2: $'\\r': command not found", key=True),
            line("raw", "/opt/program/serve: line 5: syntax error near unexpected token `$'\\r''", key=True),
        ],
        "perm": [
            line(
                "raw",
                "OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "
                '"serve": permission denied: unknown',
                key=True,
            )
        ],
        "shebang": [line("raw", "/usr/bin/env: 'python\\r': No such file or directory", key=True)],
        "bash": [
            line("raw", "/bin/sh: 1: serve: not found", key=True),
            line("raw", f"/opt/program/entrypoint.sh: line {sc.ri(3, 20)}: exec: serve: not found", key=True),
        ],
    }[kind]
    if kind == "arch" and sc.chance(0.5):
        ev.insert(
            0,
            line(
                "raw",
                "WARNING: The requested image's platform (linux/arm64/v8) does not match the detected host "
                "platform (linux/amd64) and no specific platform was requested",
                key=True,
            ),
        )
    return startup_failure(sc, ev, reason=cannot_start_reason(sc))


@signature("training_image_for_inference", CONFIG, ("torchserve", "tfserving", "hf_mms", "byoc"))
def training_image(sc: Scene) -> Story:
    """A training-only image was deployed to an endpoint: no nginx / model server inside."""
    st = sc.stack
    img = {
        "torchserve": f"pytorch-training:{sc.pick(('1.13.1', '2.0.1', '2.1.0'))}-{'gpu' if sc.gpu else 'cpu'}-py310-ubuntu20.04-sagemaker",
        "tfserving": f"tensorflow-training:{sc.pick(('2.11.0', '2.12.0', '2.13.0'))}-{'gpu' if sc.gpu else 'cpu'}-py310-ubuntu20.04-sagemaker",
        "hf_mms": "huggingface-pytorch-training:2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04",
        "byoc": "sagemaker-training-custom:latest",
    }[st]
    sc.image = f"{DLC}.dkr.ecr.{sc.region}.amazonaws.com/{img}"
    missing = sc.pick(("nginx", "nginx", "torchserve", "multi-model-server", "tensorflow_model_server"))
    site = sc.site
    py_root = f"/opt/conda/lib/python{sc.py}"
    frames = [
        Frame(
            sc.pick(("/usr/local/bin/serve", "/opt/conda/bin/serve")), sc.pick((10, 33)), "<module>", "sys.exit(main())"
        ),
        Frame(
            f"{site}/sagemaker_containers/cli/serve.py",
            sc.pick((23, 25)),
            "main",
            "_server.start(_env.ServingEnv().framework_module)",
        ),
        Frame(
            f"{site}/sagemaker_containers/_server.py",
            sc.pick((86, 88, 92)),
            "start",
            f"os.execvp('{missing}', ['{missing}', '-c', nginx_config_file])"
            if missing == "nginx"
            else f"os.execvp('{missing}', ['{missing}', '--start', '--foreground'])",
        ),
        Frame(f"{py_root}/os.py", sc.pick((568, 574)), "execvp", "_execvpe(file, args)"),
        Frame(f"{py_root}/os.py", sc.pick((610, 618)), "_execvpe", "raise last_exc"),
    ]
    if sc.py in ("3.6", "3.7"):
        sc.py = "3.8"
    lines, keys = render_tb(sc, frames, f"FileNotFoundError: [Errno 2] No such file or directory: '{missing}'")
    ev = [line("raw", "Starting the inference server", key=False), block("raw", lines, list(keys) + [2])]
    if sc.chance(0.3):
        ev = [line("raw", "/usr/local/bin/start_with_right_hostname.sh: line 12: exec: serve: not found", key=True)]
    return startup_failure(sc, ev, reason=sc.pick((cannot_start_reason(sc), ping_reason(sc))))


@signature(
    "model_artifact_layout",
    CONFIG,
    ("torchserve", "hf_mms", "tfserving", "triton", "xgboost", "sklearn", "djl_lmi", "tgi", "vllm"),
    weight=1.4,
)
def artifact_layout(sc: Scene) -> Story:
    """``model.tar.gz`` is laid out wrong: files nested in a folder, no version dir, no config.pbtxt, code/ missing."""
    st, fl = sc.stack, sc.flavour
    if st == "tfserving":
        msg = (
            "No versions of servable model found under base path /opt/ml/model. Did you forget to name your leaf "
            "directory as a number (eg. '/1/')?"
        )
        ev = noise.startup(sc)[:-1] + [
            line(
                "fe",
                msg,
                "ERROR",
                "tensorflow_serving/sources/storage_path/file_system_storage_path_source.cc:268",
                key=True,
                gap=1.0,
            )
            for _ in range(sc.ri(1, 3))
        ]
        ev += [
            line(
                "nginx",
                f'js: failed ping{{\n    "error": "Servable not found for request: Latest({sc.pick(("model", "Servo", sc.model))})"\n}}',
                "ERROR",
                key=True,
            )
        ] + noise.ping(sc, 502)
        return startup_failure(sc, ev)
    if st == "triton":
        msg = sc.pick(
            (
                f"failed to load '{sc.model}' version 1: Invalid argument: unable to find '"
                f"{sc.pick(('model.onnx', 'model.plan', 'model.pt', 'model.savedmodel'))}' for model '{sc.model}', "
                f"in /opt/ml/model/{sc.model}/1",
                f"Poll failed for model directory '{sc.model}': failed to open text file for read "
                f"/opt/ml/model/{sc.model}/config.pbtxt: No such file or directory",
                f"failed to load '{sc.model}': at least one version must be available under the version policy of "
                f"model '{sc.model}'",
            )
        )
        ev = noise.startup(sc)[:5] + [
            line("fe", msg, "ERROR", "model_repository_manager.cc:1307", key=True),
            line("raw", "error: creating server: Internal - failed to load all models"),
        ]
        return startup_failure(sc, ev)
    if st == "xgboost":
        exc = (
            f"xgboost.core.XGBoostError: [{sc.ri(0, 23):02d}:{sc.ri(0, 59):02d}:{sc.ri(0, 59):02d}] "
            f"../dmlc-core/src/io/local_filesys.cc:{sc.pick((209, 210))}: Check failed: allow_null:  LocalFileSystem::Open "
            f'"/opt/ml/model/{sc.pick(("xgboost-model", "model.bin", "model.json"))}": No such file or directory'
        )
        frames = [
            lib(
                sc,
                "sagemaker_xgboost_container/algorithm_mode/serve_utils.py",
                sc.pick((140, 157)),
                "get_loaded_booster",
                "booster = xgb.Booster(model_file=full_model_path)",
            )
        ]
        ev = load_error(sc, frames, exc, "No such file or directory")
        return Story(
            events=ev, repeats=(2, 5), effects=("err5xx",), client_error=client_error(sc, 500, "Internal Server Error")
        )
    if st in ("tgi", "vllm"):
        exc = sc.pick(
            (
                "huggingface_hub.errors.HFValidationError: Repo id must be in the form 'repo_name' or "
                "'namespace/repo_name': '/opt/ml/model'. Use `repo_type` argument if needed.",
                "OSError: /opt/ml/model does not appear to have a file named config.json. Checkout "
                "'https://huggingface.co//opt/ml/model/tree/None' for available files.",
            )
        )
        sc.hf_model = "/opt/ml/model"
        frames = [
            lib(
                sc,
                "transformers/configuration_utils.py",
                sc.ri(600, 760),
                "_get_config_dict",
                "resolved_config_file = cached_file(",
            )
        ]
        ev = noise.startup(sc)[:2] + load_error(sc, frames, exc, "config.json not found")
        return startup_failure(sc, ev)
    if st == "djl_lmi":
        ev = noise.startup(sc)[:3] + [
            line("fe", "Failed register workflow", "ERROR", "ModelServer"),
            block(
                "fe",
                java_trace(
                    "java.util.concurrent.CompletionException: ai.djl.repository.zoo.ModelNotFoundException: "
                    "Failed to detect engine of the model: /opt/ml/model",
                    ["ai.djl.serving.wlm.ModelInfo.inferEngine(ModelInfo.java:1033)"],
                ),
                (0,),
                "ERROR",
                "ModelServer",
            ),
        ]
        return startup_failure(sc, ev)
    if st == "torchserve" and fl != "sm_toolkit":
        ev = noise.startup(sc)[:2] + [
            line("fe", f"Failed to load model: {sc.model}.mar", "WARN", jl(sc, "main", "ModelServer")),
            block(
                "fe",
                java_trace(
                    f"{sc.style['jpkg']}.archive.model.ModelNotFoundException: Model not found in model store: "
                    f"{sc.model}.mar",
                    [
                        f"{sc.style['jpkg']}.archive.model.ModelArchive.downloadModel(ModelArchive.java:{sc.pick((74, 89))})",
                        f"{sc.style['jpkg']}.wlm.ModelManager.createModelArchive(ModelManager.java:167)",
                    ],
                ),
                (0,),
                "WARN",
                jl(sc, "main", "ModelServer"),
            ),
        ]
        return startup_failure(sc, ev)
    if st == "hf_mms":
        exc = (
            "OSError: Can't load config for '/opt/ml/model'. If you were trying to load it from "
            "'https://huggingface.co/models', make sure you don't have a local directory with the same name. Otherwise, "
            "make sure '/opt/ml/model' is the correct path to a directory containing a config.json file"
        )
        frames = [
            lib(
                sc,
                "sagemaker_huggingface_inference_toolkit/handler_service.py",
                sc.pick((104, 110)),
                "load",
                'hf_pipeline = get_pipeline(task=os.environ["HF_TASK"], model_dir=model_dir, device=self.device)',
            ),
            lib(
                sc,
                "sagemaker_huggingface_inference_toolkit/transformers_utils.py",
                sc.pick((272, 285)),
                "get_pipeline",
                "hf_pipeline = pipeline(task=task, model=model_dir, device=device, **kwargs)",
            ),
            lib(
                sc,
                "transformers/configuration_utils.py",
                sc.ri(600, 700),
                "_get_config_dict",
                "raise EnvironmentError(",
            ),
        ]
        ev = noise.startup(sc) + load_error(sc, frames, exc, "Can't load config for '/opt/ml/model'")
        return startup_failure(sc, ev)
    # sklearn / torchserve toolkit: model_fn looks where the tarball does not put the file
    nested = sc.pick(("model/model.joblib", "output/model.pth", "my-model/model.pkl", "model.tar.gz"))
    fname = nested.split("/")[-1]
    if st == "torchserve" and sc.chance(0.5):
        frames = [
            lib(
                sc,
                "sagemaker_pytorch_serving_container/default_pytorch_inference_handler.py",
                sc.pick((61, 66)),
                "default_model_fn",
                'raise FileNotFoundError("Failed to load model with default model_fn: missing file {}."',
            )
        ]
        exc = "FileNotFoundError: Failed to load model with default model_fn: missing file model.pt."
    else:
        frames = [
            user(
                sc,
                "model_fn",
                sc.pick(
                    (
                        f"model = joblib.load(os.path.join(model_dir, '{fname}'))",
                        f"with open(os.path.join(model_dir, '{fname}'), 'rb') as f:",
                        f"model.load_state_dict(torch.load(os.path.join(model_dir, '{fname}')))",
                    )
                ),
            )
        ]
        exc = f"FileNotFoundError: [Errno 2] No such file or directory: '/opt/ml/model/{fname}'"
    ev = load_error(sc, frames, exc, f"No such file or directory: '/opt/ml/model/{fname}'")
    if sc.chance(0.5):
        ev.insert(
            0,
            line(
                "worker" if st == "torchserve" else "raw",
                f"model_dir contents: ['{nested.split('/')[0]}', 'code']",
                key=True,
            ),
        )
    if st == "sklearn":
        return Story(
            events=ev, repeats=(2, 5), effects=("err5xx",), client_error=client_error(sc, 500, exc.split(": ", 1)[1])
        )
    return startup_failure(sc, noise.startup(sc) + ev)


MISSING_MODULES = (
    "lightgbm",
    "catboost",
    "sentence_transformers",
    "cv2",
    "timm",
    "ultralytics",
    "shap",
    "nltk",
    "spacy",
    "datasets",
    "torchvision",
    "pyarrow",
    "onnxruntime",
    "peft",
    "accelerate",
    "einops",
    "category_encoders",
    "imblearn",
    "statsmodels",
    "prophet",
    "tiktoken",
    "albumentations",
    "librosa",
    "faiss",
    "transformers",
    "sklearn",
    "boto3",
    "smart_open",
    "jieba",
    "rapidfuzz",
)


@signature("missing_python_package", CONFIG, PY_STACKS, weight=1.4)
def missing_package(sc: Scene) -> Story:
    """The user module imports a package that is not installed in the inference image."""
    st = sc.stack
    pool = [
        m
        for m in MISSING_MODULES
        if not (st == "sklearn" and m == "sklearn") and not (st == "hf_mms" and m == "transformers")
    ]
    mod = sc.pick(pool)
    if mod == "cv2" and sc.chance(0.5):
        exc = "ImportError: libGL.so.1: cannot open shared object file: No such file or directory"
        lib_fr = [lib(sc, "cv2/__init__.py", sc.pick((8, 181)), "<module>", "from .cv2 import *")]
    else:
        exc = f"ModuleNotFoundError: No module named '{mod}'"
        lib_fr = []
    imp = (
        f"import {mod}"
        if sc.chance(0.6)
        else f"from {mod} import {sc.pick(('LGBMClassifier', 'SentenceTransformer', 'load', 'AutoTokenizer', 'Pipeline'))}"
    )
    if sc.chance(0.15):  # installed, but not the version the code was written against
        mod, name = sc.pick(
            (
                ("transformers", "LlamaTokenizerFast"),
                ("transformers", "BitsAndBytesConfig"),
                ("sklearn.utils", "parse_version"),
                ("numpy", "long"),
                ("pydantic", "field_validator"),
            )
        )
        imp = f"from {mod} import {name}"
        exc = f"ImportError: cannot import name '{name}' from '{mod}' ({sc.site}/{mod.replace('.', '/')}/__init__.py)"
        lib_fr = []
    if st == "triton":
        msg = f"failed to load '{sc.model}' version 1: Internal: {exc}"
        at = [
            "",
            "At:",
            f"  /opt/ml/model/{sc.model}/1/model.py({sc.ri(2, 12)}): <module>",
            "  <frozen importlib._bootstrap>(241): _call_with_frames_removed",
            "  <frozen importlib._bootstrap_external>(883): exec_module",
            "  <frozen importlib._bootstrap>(703): _load_unlocked",
            "  <frozen importlib._bootstrap>(1006): _find_and_load_unlocked",
            "  <frozen importlib._bootstrap>(1027): _find_and_load",
        ]
        ev = noise.startup(sc)[:6] + [
            block("fe", [msg] + at, (0, 2), "ERROR", "model_lifecycle.cc:626"),
            line("raw", "error: creating server: Internal - failed to load all models"),
        ]
        return startup_failure(sc, ev)
    module_frames = [user(sc, "<module>", imp, line=sc.ri(1, 25))] + lib_fr
    ev = import_error(sc, module_frames, exc, exc.split(": ", 1)[1])
    if st in ("sklearn", "xgboost"):
        return Story(
            events=ev, repeats=(2, 6), effects=("err5xx",), client_error=client_error(sc, 500, exc.split(": ", 1)[1])
        )
    return startup_failure(sc, noise.startup(sc) + ev if st not in ("byoc",) else ev)


@signature("requirements_install_failed", CONFIG, ("sklearn", "torchserve", "hf_mms", "djl_lmi", "tfserving"))
def requirements(sc: Scene) -> Story:
    """``requirements.txt`` could not be installed at start-up (no internet in the VPC, pinned version absent)."""
    st = sc.stack
    pkg = sc.pick(
        (
            "torch==2.9.9",
            "transformers==4.99.0",
            "scikit-learn==1.5.0",
            "xformers",
            "flash-attn==2.5.8",
            "sentence-transformers",
            "lightgbm==4.3.0",
            "private-featurelib==0.3.1",
        )
    )
    name = pkg.split("=")[0]
    if sc.chance(0.5):
        lines = [
            f"WARNING: Retrying (Retry(total={n}, connect=None, read=None, redirect=None, status=None)) after connection "
            f"broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f{sc.hexs(10)}>: "
            f"Failed to establish a new connection: [Errno 101] Network is unreachable')': /simple/{name}/"
            for n in range(4, 4 - sc.ri(1, 4), -1)
        ]
        lines += [
            f"ERROR: Could not find a version that satisfies the requirement {pkg} (from versions: none)",
            f"ERROR: No matching distribution found for {pkg}",
        ]
        keys = tuple(range(len(lines)))
    else:
        lines = [
            f"Collecting {pkg}",
            f"ERROR: Could not find a version that satisfies the requirement {pkg} (from versions: "
            f"{', '.join(f'{sc.ri(0, 2)}.{sc.ri(0, 9)}.{sc.ri(0, 9)}' for _ in range(sc.ri(3, 8)))})",
            f"ERROR: No matching distribution found for {pkg}",
        ]
        keys = (1, 2)
    cmd = f"['/opt/conda/bin/python{sc.py}', '-m', 'pip', 'install', '-r', '/opt/ml/model/code/requirements.txt']"
    ev = [
        line("raw" if st not in ("djl_lmi",) else "worker_err", text, "WARN", key=i in keys)
        for i, text in enumerate(lines)
    ]
    if st == "sklearn":
        ev.append(
            line(
                "raw",
                "sagemaker_containers._errors.InstallModuleError: InstallModuleError:\nCommand "
                '"/miniconda3/bin/python3 -m pip install . -r requirements.txt"',
                key=True,
            )
        )
        return startup_failure(sc, ev)
    if st == "tfserving":
        ev = [line("py", "installing packages from requirements.txt...")] + ev
    ev.append(
        line(
            "raw" if st != "djl_lmi" else "worker_err",
            f"subprocess.CalledProcessError: Command '{cmd}' returned non-zero exit status 1.",
            "WARN",
            key=True,
        )
    )
    return startup_failure(sc, noise.startup(sc)[:3] + ev)


@signature(
    "s3_access_denied",
    CONFIG,
    ("tgi", "djl_lmi", "triton", "byoc", "sklearn", "torchserve", "hf_mms", "vllm"),
    weight=1.2,
)
def s3_denied(sc: Scene) -> Story:
    """The execution role cannot read the model from S3 (or decrypt it with KMS)."""
    st = sc.stack
    bucket, key = (
        str(sc.style["bucket"]),
        f"{sc.style['prefix']}/{sc.pick(('model.tar.gz', 'model.safetensors', 'config.json'))}",
    )
    role = f"arn:aws:sts::{sc.account}:assumed-role/{sc.pick(('AmazonSageMaker-ExecutionRole-20230912T101010', 'sagemaker-endpoint-role', 'ml-inference-role'))}/SageMaker"
    reason = (
        f"Could not access model data at s3://{bucket}/{sc.style['prefix']}/model.tar.gz. Please ensure that the role "
        f'"arn:aws:iam::{sc.account}:role/{role.split("/")[1]}" exists and that its trust relationship policy allows the '
        'action "sts:AssumeRole" for the service principal "sagemaker.amazonaws.com". Also ensure that the role has '
        f'"s3:GetObject" permissions and that the object is located in {sc.region}.'
    )
    kms = sc.chance(0.2)
    boto = (
        "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the GetObject operation: "
        + (
            f"User: {role} is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:{sc.region}:{sc.account}:key/"
            f"{sc.hexs(8)}-{sc.hexs(4)}-{sc.hexs(4)}-{sc.hexs(4)}-{sc.hexs(12)} because no identity-based policy allows the "
            "kms:Decrypt action"
            if kms
            else "Access Denied"
        )
    )
    if st in ("tgi", "djl_lmi") and sc.chance(0.6):
        s5 = (
            f'ERROR "cp s3://{bucket}/{sc.style["prefix"]}/* /tmp/.djl.ai/download/{sc.hexs(12)}/": AccessDenied: Access Denied '
            f"status code: 403, request id: {sc.hexs(16).upper()}, host id: {sc.hexs(40)}"
        )
        ev = noise.startup(sc)[:3] + [
            line(
                "worker_err" if st == "djl_lmi" else "fe",
                s5,
                "WARN" if st == "djl_lmi" else "ERROR",
                "" if st == "djl_lmi" else "download: text_generation_launcher",
                key=True,
            )
        ]
        ev += noise.worker_died(sc, loading=True)
        return startup_failure(sc, ev)
    if st == "triton":
        ev = noise.startup(sc)[:5] + [
            line(
                "fe",
                f"failed to load '{sc.model}' version 1: Internal: Could not get MetaData for "
                f"object at s3://{bucket}/{sc.style['prefix']}/{sc.model}/1/model.onnx due to "
                "exception: , error message: Access Denied",
                "ERROR",
                "model_lifecycle.cc:626",
                key=True,
            ),
            line("raw", "error: creating server: Internal - failed to load all models"),
        ]
        return startup_failure(sc, ev)
    if sc.chance(0.25) and st in ("sklearn", "torchserve", "hf_mms"):
        return Story(
            events=[
                line("raw", f"Could not access model data at s3://{bucket}/{sc.style['prefix']}/model.tar.gz", key=True)
            ],
            phase="startup",
            repeats=(1, 1),
            effects=("no_traffic",),
            status="Failed",
            failure_reason=reason,
            client_error=f"botocore.exceptions.ClientError: An error occurred (ValidationException) when calling the "
            f"CreateModel operation: {reason}",
        )
    frames = [
        user(
            sc,
            load_func(sc),
            sc.pick(
                (
                    f"s3.download_file('{bucket}', '{key}', local_path)",
                    "obj = s3.get_object(Bucket=BUCKET, Key=key)",
                    "s3_client.download_file(bucket, artifact_key, '/tmp/model.bin')",
                )
            ),
        ),
        lib(
            sc,
            "botocore/client.py",
            sc.pick((530, 553, 565)),
            "_api_call",
            "return self._make_api_call(operation_name, kwargs)",
        ),
        lib(
            sc,
            "botocore/client.py",
            sc.pick((960, 1009, 1023)),
            "_make_api_call",
            "raise error_class(parsed_response, operation_name)",
        ),
    ]
    if "download_file" in (frames[0].code or "") and sc.chance(0.5):
        boto = (
            "botocore.exceptions.ClientError: An error occurred (403) when calling the HeadObject operation: Forbidden"
        )
    ev = load_error(sc, frames, boto, boto.split(": ", 1)[1])
    if st == "sklearn":
        return Story(
            events=ev, repeats=(2, 5), effects=("err5xx",), client_error=client_error(sc, 500, boto.split(": ", 2)[-1])
        )
    return startup_failure(sc, noise.startup(sc)[:3] + ev)


GATED = (
    "meta-llama/Llama-2-7b-chat-hf",
    "meta-llama/Meta-Llama-3-8B-Instruct",
    "meta-llama/Llama-2-13b-chat-hf",
    "google/gemma-7b-it",
    "mistralai/Mistral-7B-Instruct-v0.3",
    "meta-llama/Meta-Llama-3.1-70B-Instruct",
)


@signature("hub_auth_missing", CONFIG, ("tgi", "djl_lmi", "vllm", "hf_mms"))
def hub_auth(sc: Scene) -> Story:
    """A gated Hugging Face model was requested without HF_TOKEN / HUGGING_FACE_HUB_TOKEN."""
    mid = sc.pick(GATED)
    sc.hf_model = mid
    rid = f"Root=1-{sc.hexs(8)}-{sc.hexs(24)}"
    exc = sc.pick(
        (
            [
                f"huggingface_hub.errors.GatedRepoError: 401 Client Error. (Request ID: {rid})",
                "",
                f"Cannot access gated repo for url https://huggingface.co/{mid}/resolve/main/config.json.",
                f"Access to model {mid} is restricted. You must have access to it and be authenticated to access it. Please log in.",
            ],
            [
                "OSError: You are trying to access a gated repo.",
                f"Make sure to have access to it at https://huggingface.co/{mid}.",
                f"401 Client Error. (Request ID: {rid})",
                "",
                f"Cannot access gated repo for url https://huggingface.co/{mid}/resolve/main/config.json.",
                f"Repo model {mid} is gated. You must be authenticated to access it.",
            ],
        )
    )
    frames = [
        lib(
            sc,
            "huggingface_hub/utils/_errors.py" if sc.chance(0.5) else "huggingface_hub/utils/_http.py",
            sc.ri(280, 420),
            "hf_raise_for_status",
            "raise GatedRepoError(message, response) from e",
        )
    ]
    if sc.stack == "tgi":
        ev = noise.startup(sc)[:3] + [
            block(
                "fe",
                ["Download encountered an error: "] + render_tb(sc, frames, exc)[0],
                tuple(range(len(exc) + 3)),
                "ERROR",
                "download: text_generation_launcher",
            ),
            line("raw", "Error: DownloadError"),
        ]
        return startup_failure(sc, ev)
    ev = noise.startup(sc)[:3] + load_error(sc, frames, exc, f"Access to model {mid} is restricted")
    return startup_failure(sc, ev)


@signature(
    "model_archive_invalid", CONFIG, ("torchserve", "hf_mms", "sklearn", "xgboost", "tfserving", "byoc", "djl_lmi")
)
def archive_invalid(sc: Scene) -> Story:
    """The model artifact is not a valid archive / file (not gzip, truncated upload, Git LFS pointer)."""
    st = sc.stack
    reason = (
        f'Failed to extract model data archive for container "container_1" from URL "{sc.s3_model}". Please ensure '
        "that the object located at the URL is a valid tar.gz archive."
    )
    kind = sc.pick(("reason", "pickle", "torchzip", "safetensors", "tar"))
    if kind == "reason" or st in ("tfserving",):
        return Story(
            events=[
                line("raw", "tar: This does not look like a tar archive", key=True),
                line("raw", "tar: Exiting with failure status due to previous errors"),
            ],
            phase="startup",
            repeats=(1, 1),
            effects=("no_traffic",),
            status="Failed",
            failure_reason=reason,
            client_error=deploy_error(sc, reason),
        )
    exc, frames = {
        "pickle": (
            f"_pickle.UnpicklingError: invalid load key, '{sc.pick(('v', 'v', '<', 'x'))}'.",
            [
                user(
                    sc,
                    "model_fn",
                    sc.pick(("model = joblib.load(os.path.join(model_dir, 'model.joblib'))", "model = pickle.load(f)")),
                ),
                lib(
                    sc,
                    "joblib/numpy_pickle.py",
                    sc.pick((587, 658)),
                    "load",
                    "obj = _unpickle(fobj, filename, mmap_mode)",
                ),
            ],
        ),
        "torchzip": (
            "RuntimeError: PytorchStreamReader failed reading zip archive: failed finding central directory",
            [
                user(sc, "model_fn", "state_dict = torch.load(model_path, map_location=device)"),
                lib(
                    sc,
                    "torch/serialization.py",
                    sc.pick((993, 1004, 1040)),
                    "load",
                    "with _open_zipfile_reader(opened_file) as opened_zipfile:",
                ),
                lib(
                    sc,
                    "torch/serialization.py",
                    sc.pick((447, 461)),
                    "__init__",
                    "super().__init__(torch._C.PyTorchFileReader(name_or_buffer))",
                ),
            ],
        ),
        "safetensors": (
            "safetensors_rust.SafetensorError: Error while deserializing header: HeaderTooLarge",
            [
                user(sc, "model_fn", "model = AutoModel.from_pretrained(model_dir)"),
                lib(
                    sc,
                    "transformers/modeling_utils.py",
                    sc.ri(400, 560),
                    "load_state_dict",
                    'with safe_open(checkpoint_file, framework="pt") as f:',
                ),
            ],
        ),
        "tar": (
            "tarfile.ReadError: not a gzip file",
            [
                user(sc, "model_fn", "with tarfile.open(os.path.join(model_dir, 'model.tar.gz')) as tar:"),
                Frame(
                    f"/opt/conda/lib/python{sc.py}/tarfile.py",
                    sc.pick((1678, 1694, 1812)),
                    "open",
                    'raise ReadError("not a gzip file") from e',
                ),
            ],
        ),
    }[kind]
    if st == "xgboost":
        exc = (
            f"xgboost.core.XGBoostError: [{sc.ri(0, 23):02d}:{sc.ri(0, 59):02d}:{sc.ri(0, 59):02d}] ../src/learner.cc:"
            f"{sc.pick((1178, 1251))}: Check failed: fi->Read(&header[0], header.size()) == serialisation_header_.size() "
            "(0 vs. 11) : Invalid serialization file."
        )
        frames = [
            lib(
                sc,
                "sagemaker_xgboost_container/algorithm_mode/serve_utils.py",
                sc.pick((140, 157)),
                "get_loaded_booster",
                "booster = xgb.Booster(model_file=full_model_path)",
            )
        ]
    ev = load_error(sc, frames, exc, exc.split(": ", 1)[-1])
    if st in ("sklearn", "xgboost"):
        return Story(
            events=ev, repeats=(2, 5), effects=("err5xx",), client_error=client_error(sc, 500, exc.split(": ", 1)[-1])
        )
    return startup_failure(sc, noise.startup(sc) + ev)


@signature("health_check_contract", CONFIG, ("byoc", "vllm"), weight=1.1)
def health_contract(sc: Scene) -> Story:
    """The container does not honour the serving contract: wrong port, no /ping route, /ping erroring."""
    st = sc.stack
    kind = sc.pick(("port", "no_route", "bad_ping"))
    if st == "vllm":
        kind = sc.pick(("port", "no_route"))
    if kind == "port":
        port = sc.pick((5000, 8000, 8501, 80, 5001))
        ev = {
            "fastapi_uvicorn": [
                line("raw", f"INFO:     Uvicorn running on http://0.0.0.0:{port} (Press CTRL+C to quit)", key=True)
            ],
            "flask_dev": [
                line("raw", f" * Running on http://127.0.0.1:{port}", key=True),
                line("raw", "Press CTRL+C to quit"),
            ],
        }.get(sc.flavour, [line("fe", f"Listening at: http://0.0.0.0:{port} ({sc.ri(7, 40)})", key=True)])
        if st == "vllm":
            ev = [line("raw", f"INFO:     Uvicorn running on http://0.0.0.0:{port} (Press CTRL+C to quit)", key=True)]
    elif kind == "no_route":
        ev = (
            [e for _ in range(sc.ri(3, 8)) for e in noise.ping(sc, 404)]
            if st == "byoc"
            else [
                line("raw", f'INFO:     {sc.style["ip"]}:{sc.ri(30000, 60000)} - "GET /ping HTTP/1.1" 404 Not Found')
                for _ in range(sc.ri(3, 8))
            ]
        )
        for e in ev:
            e.keys = (0,)
    else:
        code = sc.pick((400, 500, 405))
        ev = [e for _ in range(sc.ri(3, 8)) for e in noise.ping(sc, code)]
        for e in ev:
            e.keys = (0,)
        if code == 500 and sc.chance(0.6):
            frames = [
                user(
                    sc,
                    "ping",
                    sc.pick(
                        (
                            "health = model is not None and model.ready()",
                            "status = 200 if predictor.get_model() else 404",
                            "return flask.Response(response=json.dumps(ping_payload), status=status)",
                        )
                    ),
                )
            ]
            lines, keys = render_tb(
                sc,
                frames,
                sc.pick(
                    (
                        "NameError: name 'model' is not defined",
                        "AttributeError: 'NoneType' object has no attribute 'ready'",
                    )
                ),
            )
            ev = [line("flask", "Exception on /ping [GET]", "ERROR", "app")] + [block("raw", lines, keys)] + ev
    return startup_failure(sc, noise.startup(sc)[:2] + ev, repeats=(1, 2))


@signature(
    "gpu_cpu_mismatch",
    CONFIG,
    ("torchserve", "hf_mms", "tgi", "djl_lmi", "vllm", "triton", "byoc"),
    need={
        "tgi": "cpu",
        "djl_lmi": "cpu",
        "vllm": "cpu",
        "torchserve": None,
        "hf_mms": None,
        "triton": None,
        "byoc": None,
    },
)
def gpu_cpu(sc: Scene) -> Story:
    """GPU image on a CPU instance, or CPU-only framework build on a GPU instance."""
    st = sc.stack
    if not sc.gpu:
        if "-cpu" in sc.image:
            sc.image = sc.image.replace("-cpu", "-gpu")
        exc, frames = sc.pick(
            (
                (
                    "RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a "
                    "driver from http://www.nvidia.com/Download/index.aspx",
                    [lib(sc, "torch/cuda/__init__.py", sc.pick((298, 302)), "_lazy_init", "torch._C._cuda_init()")],
                ),
                (
                    "RuntimeError: No CUDA GPUs are available",
                    [lib(sc, "torch/cuda/__init__.py", sc.pick((298, 302)), "_lazy_init", "torch._C._cuda_init()")],
                ),
            )
        )
        if st == "vllm" and sc.chance(0.5):
            exc, frames = (
                "RuntimeError: Failed to infer device type",
                [
                    lib(
                        sc,
                        "vllm/config.py",
                        sc.ri(1000, 1500),
                        "__init__",
                        'raise RuntimeError("Failed to infer device type")',
                    )
                ],
            )
        if st == "triton":
            msg = (
                f"failed to load '{sc.model}' version 1: Invalid argument: instance group {sc.model}_0 of model {sc.model} "
                "specifies invalid or unsupported gpu id 0. GPUs with at least the minimum required CUDA compute "
                "compatibility of 6.000000 are: "
            )
            ev = noise.startup(sc)[:7] + [
                line("fe", msg, "ERROR", "model_lifecycle.cc:626", key=True),
                line("raw", "error: creating server: Internal - failed to load all models"),
            ]
            return startup_failure(sc, ev)
        user_fr = [
            user(
                sc,
                load_func(sc),
                sc.pick(
                    (
                        "model = model.to('cuda')",
                        "self.device = torch.device('cuda:0'); model.cuda()",
                        "model = AutoModelForCausalLM.from_pretrained(model_dir, device_map='cuda')",
                    )
                ),
            )
        ]
        if st in ("tgi", "vllm"):
            user_fr = [
                lib(
                    sc,
                    "text_generation_server/models/flash_causal_lm.py" if st == "tgi" else "vllm/worker/worker.py",
                    sc.ri(60, 900),
                    "__init__",
                    'device = torch.device(f"cuda:{rank}")' if st == "tgi" else "torch.cuda.set_device(self.device)",
                )
            ]
        ev = noise.startup(sc)[:3] + load_error(sc, user_fr + frames, exc, exc.split(": ", 1)[1])
        return startup_failure(sc, ev)
    sc.image = sc.image.replace("-gpu", "-cpu").replace("-cu118", "").replace("-cu121", "").replace("-cu113", "")
    exc = "AssertionError: Torch not compiled with CUDA enabled"
    frames = [
        user(sc, load_func(sc), sc.pick(("model = model.cuda()", "model.to(torch.device('cuda'))"))),
        lib(
            sc,
            "torch/cuda/__init__.py",
            sc.pick((239, 284, 293)),
            "_lazy_init",
            'raise AssertionError("Torch not compiled with CUDA enabled")',
        ),
    ]
    ev = noise.startup(sc)[:3] + load_error(sc, frames, exc, "Torch not compiled with CUDA enabled")
    return startup_failure(sc, ev)


@signature("cuda_version_mismatch", CONFIG, ("triton", "torchserve", "byoc", "vllm", "tgi", "djl_lmi"), need="gpu")
def cuda_mismatch(sc: Scene) -> Story:
    """The image's CUDA / kernels do not match the instance's driver or GPU architecture."""
    st = sc.stack
    if st == "triton":
        msg = (
            f"failed to load '{sc.model}' version 1: Internal: unable to create stream: the provided PTX was compiled with "
            "an unsupported toolchain."
            if sc.chance(0.5)
            else f"failed to load '{sc.model}' version 1: Internal: CUDA driver version is insufficient for CUDA runtime version"
        )
        ev = noise.startup(sc)[:6] + [
            line("fe", msg, "ERROR", "model_lifecycle.cc:626", key=True),
            line("raw", "error: creating server: Internal - failed to load all models"),
        ]
        return startup_failure(sc, ev)
    if st in ("tgi", "vllm") and sc.inst.gpu_name in ("Tesla T4", "Tesla V100-SXM2-16GB") and sc.chance(0.6):
        exc = "RuntimeError: FlashAttention only supports Ampere GPUs or newer."
        frames = [
            lib(
                sc,
                "flash_attn/flash_attn_interface.py",
                sc.ri(40, 90),
                "_flash_attn_forward",
                "out, q, k, v, out_padded, softmax_lse, S_dmask, rng_state = flash_attn_cuda.fwd(",
            )
        ]
    else:
        exc = sc.pick(
            (
                f"RuntimeError: The NVIDIA driver on your system is too old (found version {sc.pick((11040, 11060, 11080, 12020))}). "
                "Please update your GPU driver by downloading and installing a new version from the URL: "
                "http://www.nvidia.com/Download/index.aspx Alternatively, go to: https://pytorch.org to install a "
                "PyTorch version that has been compiled with your version of the CUDA driver.",
                "RuntimeError: CUDA error: no kernel image is available for execution on the device\nCUDA kernel errors "
                "might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.\n"
                "For debugging consider passing CUDA_LAUNCH_BLOCKING=1.",
                "RuntimeError: CUDA error: CUDA driver version is insufficient for CUDA runtime version",
            )
        )
        frames = [lib(sc, "torch/cuda/__init__.py", sc.pick((298, 302)), "_lazy_init", "torch._C._cuda_init()")]
    ev = noise.startup(sc)[:3] + load_error(sc, frames, exc, exc.split(": ", 1)[1].split("\n")[0])
    return startup_failure(sc, ev)


@signature(
    "framework_version_mismatch",
    CONFIG,
    ("sklearn", "xgboost", "tfserving", "hf_mms", "tgi", "vllm", "torchserve", "djl_lmi"),
    weight=1.2,
)
def version_mismatch(sc: Scene) -> Story:
    """The model was saved with a framework version the serving image cannot read (or the image is too old for the architecture)."""
    st = sc.stack
    if st == "tfserving":
        op = sc.pick(
            (
                "SentencepieceOp",
                "TFText>SentencepieceTokenizeOp",
                "CaseFoldUTF8",
                "RegexSplitWithOffsets",
                "DisableCopyOnRead",
                "XlaCallModule",
            )
        )
        msg = (
            f"Loading servable: {{name: model version: 1}} failed: Not found: Op type not registered '{op}' in binary running "
            f"on {sc.style['host']}. Make sure the Op and Kernel are registered in the binary running in this process. Note "
            "that if you are loading a saved graph which used ops from tf.contrib, accessing (e.g.) `tf.contrib.resampler` "
            "should be done before importing the graph, as contrib ops are lazily registered when the module is first accessed."
        )
        ev = noise.startup(sc)[:-1] + [line("fe", msg, "ERROR", "tensorflow_serving/util/retrier.cc:37", key=True)]
        ev += [
            line(
                "nginx", 'js: failed ping{{\n    "error": "Servable not found for request: Latest(model)"\n}}', "ERROR"
            )
        ]
        return startup_failure(sc, ev)
    if st in ("sklearn", "xgboost"):
        if st == "sklearn":
            exc = sc.pick(
                (
                    "ModuleNotFoundError: No module named 'sklearn.ensemble._hist_gradient_boosting.loss'",
                    f"AttributeError: Can't get attribute '_RemainderColsList' on <module 'sklearn.compose._column_transformer' "
                    f"from '{sc.site}/sklearn/compose/_column_transformer.py'>",
                    "ValueError: node array from the pickle has an incompatible dtype:\n- expected: {'names': ['left_child', "
                    "'right_child', 'feature', 'threshold', 'impurity', 'n_node_samples', 'weighted_n_node_samples'], "
                    "'formats': ['<i8', '<i8', '<i8', '<f8', '<f8', '<i8', '<f8'], 'offsets': [0, 8, 16, 24, 32, 40, 48], "
                    "'itemsize': 56}\n- got     : [('left_child', '<i8'), ('right_child', '<i8'), ('feature', '<i8'), "
                    "('threshold', '<f8'), ('impurity', '<f8'), ('n_node_samples', '<i8'), ('weighted_n_node_samples', '<f8'), "
                    "('missing_go_to_left', 'u1')]",
                )
            )
            frames = [
                user(sc, "model_fn", "return joblib.load(os.path.join(model_dir, 'model.joblib'))"),
                lib(
                    sc,
                    "joblib/numpy_pickle.py",
                    sc.pick((587, 658)),
                    "load",
                    "obj = _unpickle(fobj, filename, mmap_mode)",
                ),
                lib(sc, "joblib/numpy_pickle.py", sc.pick((506, 577)), "_unpickle", "obj = unpickler.load()"),
                Frame(
                    f"/miniconda3/lib/python{sc.py}/pickle.py", sc.pick((1212, 1213)), "load", "dispatch[key[0]](self)"
                ),
            ]
        else:
            exc = (
                f"xgboost.core.XGBoostError: [{sc.ri(0, 23):02d}:{sc.ri(0, 59):02d}:{sc.ri(0, 59):02d}] ../src/learner.cc:"
                f"{sc.pick((764, 917))}: Check failed: header == serialisation_header_: If you are loading a serialized model "
                "(like pickle in Python, RDS in R) or configuration generated by an older version of XGBoost, please export "
                "the model by calling `Booster.save_model` from that version first, then load it back in current version. See:"
                "\n\n    https://xgboost.readthedocs.io/en/stable/tutorials/saving_model.html\n\n  for more details about differences "
                "between saving model and serializing."
            )
            frames = [
                lib(
                    sc,
                    "sagemaker_xgboost_container/algorithm_mode/serve_utils.py",
                    sc.pick((140, 157)),
                    "get_loaded_booster",
                    "booster = pkl.load(open(full_model_path, 'rb'))",
                )
            ]
        ev = load_error(sc, frames, exc, exc.split(": ", 1)[1].split("\n")[0])
        return Story(
            events=ev,
            repeats=(2, 5),
            effects=("err5xx",),
            client_error=client_error(sc, 500, exc.split(": ", 1)[1][:160]),
        )
    if st == "torchserve":
        exc = (
            f"RuntimeError: version_ <= kMaxSupportedFileFormatVersion INTERNAL ASSERT FAILED at "
            f'"../caffe2/serialize/inline_container.cc":{sc.pick((145, 147))}, please report a bug to PyTorch. Attempted to '
            f"read a PyTorch file with version {sc.pick((10, 11))}, but the maximum supported version for reading is "
            f"{sc.pick((6, 7, 9))}. Your PyTorch installation may be too old."
        )
        frames = [
            user(
                sc,
                "model_fn" if sc.flavour == "sm_toolkit" else "initialize",
                "model = torch.jit.load(model_path, map_location=device)",
            ),
            lib(
                sc,
                "torch/jit/_serialization.py",
                sc.pick((162, 165)),
                "load",
                "cpp_module = torch._C.import_ir_module(cu, str(f), map_location, _extra_files)",
            ),
        ]
        return startup_failure(
            sc, noise.startup(sc) + load_error(sc, frames, exc, "Attempted to read a PyTorch file with version")
        )
    arch = sc.pick(("mistral", "mixtral", "qwen2", "gemma", "llama", "phi3", "qwen2_vl", "mllama", "starcoder2"))
    if st == "vllm":
        cls = {"qwen2_vl": "Qwen2VLForConditionalGeneration", "mllama": "MllamaForConditionalGeneration"}.get(
            arch, "DeepseekV3ForCausalLM"
        )
        exc = (
            f"ValueError: Model architectures ['{cls}'] are not supported for now. Supported architectures: "
            "['AquilaModel', 'AquilaForCausalLM', 'BaiChuanForCausalLM', 'BaichuanForCausalLM', 'BloomForCausalLM', "
            "'ChatGLMModel', 'FalconForCausalLM', 'GemmaForCausalLM', 'GPT2LMHeadModel', 'LlamaForCausalLM', "
            "'MistralForCausalLM', 'MixtralForCausalLM', 'QWenLMHeadModel', 'Qwen2ForCausalLM']"
        )
        frames = [
            lib(
                sc,
                "vllm/model_executor/models/registry.py",
                sc.ri(300, 480),
                "_raise_for_unsupported",
                "raise ValueError(",
            )
        ]
    elif st == "tgi" and sc.chance(0.5):
        exc = f"ValueError: Unsupported model type {arch}"
        frames = [
            lib(
                sc,
                "text_generation_server/models/__init__.py",
                sc.ri(300, 1200),
                "get_model",
                'raise ValueError(f"Unsupported model type {model_type}")',
            )
        ]
    elif sc.chance(0.5):
        exc = f"KeyError: '{arch}'"
        frames = [
            lib(
                sc,
                "transformers/models/auto/configuration_auto.py",
                sc.pick((710, 761, 1039)),
                "from_pretrained",
                'config_class = CONFIG_MAPPING[config_dict["model_type"]]',
            ),
            lib(
                sc,
                "transformers/models/auto/configuration_auto.py",
                sc.pick((432, 671)),
                "__getitem__",
                "raise KeyError(key)",
            ),
        ]
    else:
        exc = (
            f"ValueError: The checkpoint you are trying to load has model type `{arch}` but Transformers does not recognize "
            "this architecture. This could be because of an issue with the checkpoint, or because your version of "
            "Transformers is out of date."
        )
        frames = [
            lib(
                sc,
                "transformers/models/auto/configuration_auto.py",
                sc.pick((1034, 1041, 1073)),
                "from_pretrained",
                "raise ValueError(",
            )
        ]
    ev = noise.startup(sc)[:3] + load_error(sc, frames, exc, exc.split(": ", 1)[1][:160])
    return startup_failure(sc, ev)


@signature("tensor_parallel_misconfig", CONFIG, LLM, weight=1.2)
def tp_misconfig(sc: Scene) -> Story:
    """Tensor-parallel degree / SM_NUM_GPUS / num_shard does not fit the GPUs or the model's head count."""
    st = sc.stack
    gpus = max(1, sc.inst.gpus)
    tp = sc.pick([g for g in (2, 4, 8) if g > gpus] or [3, 6])
    sc.style["tp"] = tp  # what the deploy-time configuration asked for
    heads = sc.pick((71, 40, 52, 25, 14)) if tp in (2, 4, 8) else 32
    if st == "tgi":
        kind = sc.pick(("autosharded", "heads", "gpus"))
        if kind == "autosharded":
            exc = sc.pick(
                (
                    "ValueError: sharded is not supported for AutoModel",
                    "NotImplementedError: sharded is not supported for this model",
                )
            )
            frames = [
                lib(
                    sc,
                    "text_generation_server/models/__init__.py",
                    sc.ri(300, 1200),
                    "get_model",
                    'raise NotImplementedError("sharded is not supported for this model")'
                    if "NotImpl" in exc
                    else "raise ValueError('sharded is not supported for AutoModel')",
                )
            ]
        elif kind == "heads":
            exc = f"ValueError: `num_heads` must be divisible by `num_shards` (got `num_heads`: {heads} and `num_shards`: {tp}"
            frames = [
                lib(
                    sc,
                    "text_generation_server/models/custom_modeling/flash_rw_modeling.py",
                    sc.ri(100, 300),
                    "__init__",
                    "raise ValueError(",
                )
            ]
        else:
            ev = noise.startup(sc, num_shard=tp)[:1] + [
                line("fe", f"Sharding model on {tp} processes", logger="text_generation_launcher"),
                line(
                    "raw",
                    f"Error: ... CUDA_VISIBLE_DEVICES has {gpus} device(s) but `--num-shard {tp}` was requested",
                    key=True,
                ),
                line("fe", f"Shard {gpus} failed to start", "ERROR", "text_generation_launcher"),
                line("raw", "RuntimeError: CUDA error: invalid device ordinal", key=True),
            ]
            return startup_failure(sc, ev)
        ev = noise.startup(sc, num_shard=tp) + load_error(sc, frames, exc, exc.split(": ", 1)[1])
        return startup_failure(sc, ev)
    if st == "vllm" or sc.chance(0.5):
        exc = sc.pick(
            (
                f"ValueError: Total number of attention heads ({heads}) must be divisible by tensor parallel size ({tp}).",
                "ValueError: The number of required GPUs exceeds the total number of available GPUs in the placement group.",
                f"ValueError: Tensor parallel size ({tp}) cannot be larger than the number of available GPUs ({gpus}).",
            )
        )
        frames = [lib(sc, "vllm/config.py", sc.ri(300, 700), "verify_with_parallel_config", "raise ValueError(")]
        ev = noise.startup(sc)[:2] + load_error(sc, frames, exc, exc.split(": ", 1)[1])
        return startup_failure(sc, ev)
    ev = noise.startup(sc)[:3] + [
        line("fe", "Failed register workflow", "ERROR", "ModelServer"),
        block(
            "fe",
            java_trace(
                f"java.util.concurrent.CompletionException: ai.djl.engine.EngineException: GPU devices are not "
                f"enough to run {tp} partitions.",
                [
                    "ai.djl.serving.wlm.ModelInfo.getMaxWorkers(ModelInfo.java:583)",
                    "ai.djl.serving.wlm.WorkerPool.initWorkers(WorkerPool.java:183)",
                ],
            ),
            (0,),
            "ERROR",
            "ModelServer",
        ),
    ]
    return startup_failure(sc, ev)


@signature("timeout_too_low", CONFIG, ("torchserve", "hf_mms", "sklearn", "byoc", "djl_lmi"))
def timeout_low(sc: Scene) -> Story:
    """A server timeout (default_response_timeout, gunicorn --timeout, model_loading_timeout) is shorter than model load time."""
    st = sc.stack
    t = sc.pick((2, 4, 5, 10, 15, 30))
    if st in ("torchserve", "hf_mms"):
        pkg = sc.style["jpkg"]
        if st == "torchserve":
            trace = java_trace(
                f"{pkg}.wlm.WorkerInitializationException: Backend worker startup time out.",
                [
                    f"{pkg}.wlm.WorkerLifeCycle.startWorker(WorkerLifeCycle.java:{sc.pick((177, 198))})",
                    f"{pkg}.wlm.WorkerThread.connect(WorkerThread.java:{sc.pick((343, 370))})",
                    f"{pkg}.wlm.WorkerThread.run(WorkerThread.java:{sc.pick((183, 190))})",
                ],
            )
        else:
            trace = java_trace(
                f"{pkg}.wlm.WorkerInitializationException: Backend worker did not respond in given time",
                [f"{pkg}.wlm.WorkerThread.run(WorkerThread.java:{sc.pick((148, 199))})"],
            )
        ev = noise.startup(sc) + [
            line(
                "worker",
                f"Loading model from {sc.pick(('/opt/ml/model/model.pt', '/opt/ml/model'))} (this can take a while)",
            ),
            line("fe", "Backend worker error", "ERROR", jl(sc, "W", "WorkerThread"), gap=float(t)),
            block("fe", trace, (0,), "ERROR", jl(sc, "W", "WorkerThread")),
        ]
        if sc.chance(0.6):
            ev.insert(
                -2,
                line(
                    "raw",
                    f"{'default_response_timeout' if st == 'torchserve' else 'default_response_timeout'}={t}"
                    if sc.chance(0.5)
                    else f"SAGEMAKER_MODEL_SERVER_TIMEOUT={t}",
                    key=True,
                ),
            )
        ev += noise.worker_died(sc, loading=True)
        return startup_failure(sc, ev)
    if st == "djl_lmi":
        ev = noise.startup(sc) + [
            line(
                "fe",
                f"Model loading time exceeded option.model_loading_timeout ({t * 10} seconds), stopping worker",
                "ERROR",
                "PyProcess",
                key=True,
                gap=float(t * 10),
            )
        ]
        ev += noise.worker_died(sc, loading=True)
        return startup_failure(sc, ev)
    needs_gunicorn(sc)
    pid = sc.ri(20, 400)
    ev = noise.startup(sc)
    if st == "byoc":
        ev.insert(
            1,
            line("raw", f"MODEL_SERVER_TIMEOUT={t}", key=True)
            if sc.chance(0.6)
            else line("raw", f"gunicorn --timeout {t} -k sync -b unix:/tmp/gunicorn.sock -w 4 wsgi:app", key=True),
        )
    else:
        ev.insert(1, line("raw", f"SAGEMAKER_MODEL_SERVER_TIMEOUT={t}", key=True))
    ev += [
        line("py", "Loading model, this may take a few minutes...", logger="app"),
        line("fe", f"WORKER TIMEOUT (pid:{pid})", "CRITICAL", gap=float(t)),
        line("fe", f"Booting worker with pid: {pid + sc.ri(1, 20)}"),
    ]
    return startup_failure(sc, ev, repeats=(2, 4))


@signature("startup_health_check_timeout", CONFIG, ("tgi", "djl_lmi", "vllm", "hf_mms", "torchserve"))
def slow_start(sc: Scene) -> Story:
    """The model is still loading when ContainerStartupHealthCheckTimeoutInSeconds runs out (no error in the logs)."""
    st = sc.stack
    if st == "tgi":
        ev = noise.startup(sc) + [
            line(
                "fe",
                f"Waiting for shard to be ready... rank={r}",
                logger="shard-manager: text_generation_launcher",
                gap=10.0,
                key=True,
            )
            for _ in range(sc.ri(4, 12))
            for r in range(max(1, sc.inst.gpus))
        ]
    elif st == "vllm":
        n = sc.ri(15, 60)
        ev = noise.startup(sc) + [
            line(
                "raw",
                f"Loading safetensors checkpoint shards:  {int(100 * i / n)}% Completed | {i}/{n} "
                f"[{i // 2:02d}:{sc.ri(10, 59):02d}<{(n - i):02d}:{sc.ri(10, 59):02d}, "
                f"{sc.uf(8, 40):.2f}s/it]",
                key=True,
                gap=20.0,
            )
            for i in range(1, sc.ri(4, 10))
        ]
    elif st == "djl_lmi":
        ev = noise.startup(sc)[:-1] + [
            line("worker", f"Downloading model files ... {sc.ri(5, 70)}%", key=True, gap=30.0)
            for _ in range(sc.ri(2, 6))
        ]
    else:
        n = sc.ri(4, 30)
        ev = noise.startup(sc) + [
            line(
                "worker_err",
                f"Loading checkpoint shards:  {int(100 * i / n)}%|{'█' * i}{' ' * (10 - i)}| "
                f"{i}/{n} [{i:02d}:{sc.ri(10, 59):02d}<{n - i:02d}:{sc.ri(10, 59):02d}, "
                f"{sc.uf(20, 60):.2f}s/it]",
                "WARN",
                key=True,
                gap=40.0,
            )
            for i in range(1, min(n, sc.ri(3, 9)))
        ]
    ev.append(line("raw", "Received SIGTERM, shutting down" if st != "tgi" else "Shutting down shards", gap=5.0))
    reason = ping_reason(sc)
    st_ = startup_failure(sc, ev, reason=reason, repeats=(1, 1))
    st_.client_error = deploy_error(sc, reason)
    return st_


@signature("token_limit_too_low", CONFIG, LLM, weight=1.1)
def token_limits(sc: Scene) -> Story:
    """Input/total token limits fixed at deploy time are smaller than the requests (422 / 400 validation errors)."""
    st = sc.stack
    lim = sc.pick((512, 1024, 2048, 3072, 4095, 4096))
    given = lim + sc.ri(1, lim)
    if st == "tgi":
        new = sc.pick((256, 512, 1024))
        msg = sc.pick(
            (
                f"Input validation error: `inputs` must have less than {lim} tokens. Given: {given}",
                f"Input validation error: `inputs` tokens + `max_new_tokens` must be <= {lim * 2}. Given: {lim * 2 - new + sc.ri(1, 400)} "
                f"`inputs` tokens and {new} `max_new_tokens`",
                f"Input validation error: `max_new_tokens` must be <= {lim}. Given: {given}",
            )
        )
        ev = [
            line(
                "fe",
                msg.replace("Input validation error: ", ""),
                "ERROR",
                f"compat_generate{{default_return_full_text=false}}:generate{{parameters=GenerateParameters {{ max_new_tokens: "
                f"Some({sc.pick((256, 512, 1024))}) }}}}:generate:generate_stream:validate: text_generation_router::validation: "
                f"router/src/validation.rs:{sc.pick((178, 185, 309))}",
                key=True,
            )
        ]
        client = client_error(sc, 422, '{\\"error\\":\\"' + msg + '\\",\\"error_type\\":\\"validation\\"}')
    elif st == "vllm":
        msg = (
            f"This model's maximum context length is {lim} tokens. However, you requested {given} tokens ({given - 256} in "
            "the messages, 256 in the completion). Please reduce the length of the messages or completion."
        )
        ev = [
            line(
                "fe",
                f"Error with model error=ErrorInfo(message='{msg}', type='BadRequestError', param=None, code=400)",
                "ERROR",
                "serving_chat.py:196",
                key=True,
            ),
            *noise.request(sc, 400),
        ]
        client = client_error(
            sc,
            400,
            '{\\"object\\":\\"error\\",\\"message\\":\\"'
            + msg
            + '\\",\\"type\\":\\"BadRequestError\\",\\"code\\":400}',
        )
    else:
        msg = sc.pick(
            (
                f"Input prompt ({given} tokens) is too long and exceeds limit of {lim}",
                f"The input length {given} exceeds the max_model_len {lim} configured by OPTION_MAX_MODEL_LEN",
            )
        )
        ev = [line("worker_err", f"ValueError: {msg}", "WARN", key=True)]
        client = client_error(
            sc,
            424,
            '{\\n  \\"code\\":424,\\n  \\"message\\":\\"prediction failure\\",\\n  \\"error\\":\\"' + msg + '\\"\\n}',
        )
    return Story(events=ev, again=ev, repeats=(2, 10), effects=("err4xx",), partial=True, client_error=client)


@signature("quantization_misconfig", CONFIG, LLM)
def quantization(sc: Scene) -> Story:
    """The quantize option does not match the checkpoint (or is not supported on this GPU / backend)."""
    st = sc.stack
    q = sc.pick(("gptq", "awq", "bitsandbytes-nf4", "eetq", "fp8"))
    if st == "tgi":
        exc = sc.pick(
            (
                f"RuntimeError: Cannot load `{q}` weight, make sure the model is already quantized.",
                f"RuntimeError: Cannot load `{q}` weight, make sure the model is already quantized, or quantize it with "
                "`text-generation-server quantize ORIGINAL_MODEL_ID NEW_MODEL_ID`",
                f"ValueError: Unknown quantization method `{q}-int3`; supported: ['awq', 'bitsandbytes', 'bitsandbytes-nf4', "
                "'bitsandbytes-fp4', 'eetq', 'exl2', 'fp8', 'gptq', 'marlin']",
            )
        )
        frames = [
            lib(
                sc,
                "text_generation_server/utils/weights.py",
                sc.ri(200, 600),
                "get_multi_weights_col",
                "raise RuntimeError(",
            )
        ]
        ev = noise.startup(sc, quantize=f"Some({q.split('-')[0].capitalize()})") + load_error(
            sc, frames, exc, exc.split(": ", 1)[1]
        )
        return startup_failure(sc, ev)
    exc = sc.pick(
        (
            f"ValueError: Quantization method specified in the model config ({sc.pick(('gptq', 'awq', 'fp8'))}) does not "
            f"match the quantization method specified in the `quantization` argument ({q}).",
            f"ValueError: The quantization method {q} is not supported for the current GPU. Minimum capability: 80. "
            f"Current capability: {sc.pick((70, 75, 86))}.",
            f"ValueError: Cannot find the config file for {q}",
        )
    )
    frames = [lib(sc, "vllm/config.py", sc.ri(200, 500), "_verify_quantization", "raise ValueError(")]
    ev = noise.startup(sc)[:3] + load_error(sc, frames, exc, exc.split(": ", 1)[1])
    return startup_failure(sc, ev)


REMOTE_CODE = (
    "tiiuae/falcon-7b-instruct",
    "mosaicml/mpt-7b-instruct",
    "THUDM/chatglm3-6b",
    "baichuan-inc/Baichuan2-7B-Chat",
    "Qwen/Qwen-7B-Chat",
    "microsoft/Phi-3-small-8k-instruct",
    "internlm/internlm2-chat-7b",
    "deepseek-ai/DeepSeek-V2-Lite",
)


@signature("trust_remote_code_missing", CONFIG, ("hf_mms", "tgi", "djl_lmi", "vllm"))
def remote_code(sc: Scene) -> Story:
    """The model ships custom code and the container was not told to trust it."""
    mid = sc.pick(REMOTE_CODE)
    sc.hf_model = mid
    exc = (
        f"ValueError: Loading {mid} requires you to execute the configuration file in that repo on your local machine. "
        "Make sure you have read the code there to avoid malicious use, then set the option `trust_remote_code=True` to "
        "remove this error."
    )
    if sc.chance(0.4):
        exc = (
            f"ValueError: The repository for {mid} contains custom code which must be executed to correctly load the model. "
            f"You can inspect the repository content at https://hf.co/{mid}.\nPlease pass the argument `trust_remote_code=True` "
            "to allow custom code to be run."
        )
    frames = [
        lib(
            sc,
            "transformers/models/auto/configuration_auto.py",
            sc.pick((1008, 1116, 1037)),
            "from_pretrained",
            "trust_remote_code = resolve_trust_remote_code(",
        ),
        lib(
            sc,
            "transformers/dynamic_module_utils.py",
            sc.pick((621, 678)),
            "resolve_trust_remote_code",
            "raise ValueError(",
        ),
    ]
    ev = noise.startup(sc)[:3] + load_error(sc, frames, exc, exc.split(": ", 1)[1].split("\n")[0])
    return startup_failure(sc, ev)


@signature(
    "service_quota_or_instance_type",
    CONFIG,
    ("sklearn", "xgboost", "torchserve", "tfserving", "hf_mms", "tgi", "djl_lmi", "triton", "byoc", "vllm"),
    weight=0.6,
)
def quota(sc: Scene) -> Story:
    """The API refuses the endpoint before any container runs: account quota of 0, instance type not offered."""
    it = sc.inst.name
    op = sc.pick(("CreateEndpoint", "CreateEndpoint", "UpdateEndpoint"))
    msg = sc.pick(
        (
            f"An error occurred (ResourceLimitExceeded) when calling the {op} operation: The account-level service "
            f"limit '{it} for endpoint usage' is {sc.pick((0, 0, 1, 2))} Instances, with current utilization of "
            f"{sc.pick((0, 0, 1))} Instances and a request delta of {sc.ri(1, 4)} Instances. Please use AWS Service "
            "Quotas to request an increase for this quota. If AWS Service Quotas is not available, contact AWS support "
            "to request an increase for this quota.",
            f"An error occurred (ValidationException) when calling the CreateEndpointConfig operation: The instance type "
            f"{it} is not supported for {sc.pick(('real-time inference', 'this region', 'serverless inference'))} in "
            f"{sc.region}.",
            f"An error occurred (ValidationException) when calling the {op} operation: 1 validation error detected: "
            f"Value '{it.replace('ml.', '')}' at 'productionVariants.1.member.instanceType' failed to satisfy constraint: "
            "Member must satisfy enum value set",
        )
    )
    cls = "ResourceLimitExceeded" if "ResourceLimit" in msg else "ClientError"
    ev = [
        line(
            "raw",
            f"botocore.errorfactory.{cls}: {msg}"
            if cls != "ClientError"
            else f"botocore.exceptions.ClientError: {msg}",
            key=True,
        )
    ]
    return Story(events=ev, phase="startup", repeats=(1, 1), effects=("no_traffic",), paste_only=True)
