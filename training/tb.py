"""Tracebacks as the serving stacks really print them.

Whether a traceback points at a configuration problem or at a bug is often
decided by *which frames* it passes through: an ``importlib`` chain under
``validate_and_initialize`` means the entry point could not be imported,
a frame in ``/opt/ml/model/code/inference.py ... in predict_fn`` means the
user's code raised. So the framework frames below follow the real call paths
of each toolkit (sagemaker-inference-toolkit's ``transformer.py``, TorchServe's
``model_service_worker.py``, the Hugging Face ``handler_service.py``, DJL's
``djl_python_engine.py``, TGI's ``text_generation_server``, Triton's
``At:`` traces, Java stack traces of the MMS-family frontends...).
Line numbers vary by release, so a few plausible ones are drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from training.story import BUG, Scene


class Frame(NamedTuple):
    path: str
    line: int
    func: str
    code: str | None
    key: bool = False


def user(sc: Scene, func: str, code: str, *, file: str | None = None, line: int | None = None) -> Frame:
    """A frame in the user's own code (always label evidence)."""
    path = f"{sc.code_dir}/{file or sc.entry}"
    return Frame(path, line or sc.ri(12, 240), func, code, True)


def importlib_frames(sc: Scene) -> list[Frame]:
    """The frames Python prints between ``importlib.import_module`` and the module body."""
    py = sc.py
    minor = int(py.split(".")[1])
    root = sc.site.rsplit("/site-packages", 1)[0].rsplit("/dist-packages", 1)[0]
    if "dist-packages" in sc.site:
        root = f"/usr/lib/python{py}"
    gcd, fal, falu, lu, em, cwfr = {
        6: (994, 971, 955, 665, 678, 219),
        7: (1006, 983, 967, 677, 728, 219),
        8: (1014, 991, 975, 671, 783, 219),
        9: (1030, 1007, 986, 680, 850, 228),
        10: (1050, 1027, 1006, 688, 883, 241),
        11: (1204, 1176, 1147, 690, 940, 241),
        12: (1387, 1360, 1331, 935, 995, 488),
    }.get(minor, (1050, 1027, 1006, 688, 883, 241))
    return [
        Frame(
            f"{root}/importlib/__init__.py",
            126 if minor >= 8 else 127,
            "import_module",
            "return _bootstrap._gcd_import(name[level:], package, level)",
        ),
        Frame("<frozen importlib._bootstrap>", gcd, "_gcd_import", None),
        Frame("<frozen importlib._bootstrap>", fal, "_find_and_load", None),
        Frame("<frozen importlib._bootstrap>", falu, "_find_and_load_unlocked", None),
        Frame("<frozen importlib._bootstrap>", lu, "_load_unlocked", None),
        Frame("<frozen importlib._bootstrap_external>", em, "exec_module", None),
        Frame("<frozen importlib._bootstrap>", cwfr, "_call_with_frames_removed", None),
    ]


def _ts_worker_frames(sc: Scene) -> list[Frame]:
    s = f"{sc.site}/ts"
    return [
        Frame(f"{s}/model_service_worker.py", sc.pick((253, 258, 263, 301)), "<module>", "worker.run_server()"),
        Frame(
            f"{s}/model_service_worker.py",
            sc.pick((221, 226, 231, 268)),
            "run_server",
            "self.handle_connection(cl_socket)",
        ),
        Frame(
            f"{s}/model_service_worker.py",
            sc.pick((184, 189, 194, 230)),
            "handle_connection",
            "service, result, code = self.load_model(msg)",
        ),
        Frame(f"{s}/model_service_worker.py", sc.pick((131, 136, 139)), "load_model", "service = model_loader.load("),
        Frame(f"{s}/model_loader.py", sc.pick((135, 143, 151)), "load", "initialize_fn(service.context)"),
    ]


def _mms_worker_frames(sc: Scene) -> list[Frame]:
    s = f"{sc.site}/mms"
    return [
        Frame(f"{s}/model_service_worker.py", sc.pick((163, 175, 178)), "<module>", "worker.run_server()"),
        Frame(
            f"{s}/model_service_worker.py", sc.pick((141, 147, 150)), "run_server", "self.handle_connection(cl_socket)"
        ),
        Frame(
            f"{s}/model_service_worker.py",
            sc.pick((105, 111)),
            "handle_connection",
            "service, result, code = self.load_model(msg)",
        ),
        Frame(
            f"{s}/model_service_worker.py",
            sc.pick((83, 87)),
            "load_model",
            "service = model_loader.load(model_name, model_dir, handler, gpu, batch_size)",
        ),
        Frame(f"{s}/model_loader.py", sc.pick((117, 126)), "load", "initialize_fn(service.context)"),
    ]


def _djl_root(sc: Scene) -> str:
    return f"/tmp/.djl.ai/python/{sc.style['djl_ver']}"


def load_frames(sc: Scene) -> list[Frame]:
    """Frames from process start to the point where the model is loaded (``model_fn`` & co)."""
    s, st, fl = sc.site, sc.stack, sc.flavour
    if st == "torchserve":
        fr = _ts_worker_frames(sc)
        if fl == "sm_toolkit":
            fr += [
                Frame(
                    f"{s}/sagemaker_pytorch_serving_container/handler_service.py",
                    sc.pick((51, 53)),
                    "initialize",
                    "super().initialize(context)",
                ),
                Frame(
                    f"{s}/sagemaker_inference/default_handler_service.py",
                    sc.pick((66, 70)),
                    "initialize",
                    "self._service.validate_and_initialize(model_dir=model_dir, context=context)",
                ),
                Frame(
                    f"{s}/sagemaker_inference/transformer.py",
                    sc.pick((184, 188, 162)),
                    "validate_and_initialize",
                    "self._model = self._run_handler_function(self._model_fn, *(model_dir,))",
                ),
                Frame(
                    f"{s}/sagemaker_inference/transformer.py",
                    sc.pick((272, 276, 281)),
                    "_run_handler_function",
                    "result = func(*argv)",
                ),
            ]
        return fr
    if st == "hf_mms":
        return _mms_worker_frames(sc) + [
            Frame(
                f"{s}/sagemaker_huggingface_inference_toolkit/handler_service.py",
                sc.pick((80, 82, 84)),
                "initialize",
                "self.model = self.load(*([self.model_dir] + self.load_extra_arg))"
                if sc.chance(0.4)
                else "self.model = self.load(self.model_dir)",
            ),
        ]
    if st in ("sklearn", "xgboost"):
        pkg = "sagemaker_sklearn_container" if st == "sklearn" else "sagemaker_xgboost_container"
        return [
            Frame(
                f"{s}/{pkg}/serving.py",
                sc.pick((124, 127, 131)),
                "main",
                "user_module_transformer, execution_parameters_fn = import_module(serving_env.module_name,",
            ),
            Frame(
                f"{s}/{pkg}/serving.py",
                sc.pick((108, 110, 112)),
                "import_module",
                "user_module_transformer.initialize()",
            ),
            Frame(
                f"{s}/sagemaker_containers/_transformer.py",
                sc.pick((185, 187)),
                "initialize",
                "self._model = self._model_fn(_env.model_dir)",
            ),
        ]
    if st == "djl_lmi":
        r = _djl_root(sc)
        return [
            Frame(f"{r}/djl_python_engine.py", sc.pick((184, 192, 203)), "<module>", "main()"),
            Frame(f"{r}/djl_python_engine.py", sc.pick((170, 178, 197)), "main", "engine.run_server()"),
            Frame(
                f"{r}/djl_python_engine.py",
                sc.pick((121, 127, 139)),
                "run_server",
                "outputs = self.service.invoke_handler(function_name, inputs)",
            ),
            Frame(
                f"{r}/djl_python/service_loader.py",
                sc.pick((29, 30)),
                "invoke_handler",
                "return getattr(self.module, function_name)(inputs)",
            ),
        ]
    if st == "tfserving":
        return [
            Frame("/sagemaker/python_service.py", sc.pick((409, 421)), "<module>", "resources = ServiceResources()"),
            Frame(
                "/sagemaker/python_service.py",
                sc.pick((384, 392)),
                "__init__",
                "self._python_service_resource = PythonServiceResource()",
            ),
            Frame(
                "/sagemaker/python_service.py",
                sc.pick((87, 93)),
                "__init__",
                "self._handler, self._input_handler, self._output_handler = self._import_handlers()",
            ),
        ]
    if st == "byoc":
        if fl == "fastapi_uvicorn":
            return [
                Frame(
                    f"{s}/starlette/routing.py",
                    sc.pick((671, 677, 732)),
                    "lifespan",
                    "async with self.lifespan_context(app) as maybe_state:",
                ),
                Frame(f"{s}/starlette/routing.py", sc.pick((566, 571)), "__aenter__", "await self._router.startup()"),
                Frame(f"{s}/starlette/routing.py", sc.pick((648, 654, 709)), "startup", "await handler()"),
            ]
        return [
            Frame(f"{s}/gunicorn/arbiter.py", sc.pick((589, 609)), "spawn_worker", "worker.init_process()"),
            Frame(f"{s}/gunicorn/workers/base.py", sc.pick((134, 142)), "init_process", "self.load_wsgi()"),
            Frame(f"{s}/gunicorn/workers/base.py", sc.pick((146, 147)), "load_wsgi", "self.wsgi = self.app.wsgi()"),
            Frame(f"{s}/gunicorn/app/base.py", 67, "wsgi", "self.callable = self.load()"),
            Frame(f"{s}/gunicorn/app/wsgiapp.py", sc.pick((58, 65)), "load", "return self.load_wsgiapp()"),
            Frame(
                f"{s}/gunicorn/app/wsgiapp.py",
                sc.pick((48, 51)),
                "load_wsgiapp",
                "return util.import_app(self.app_uri)",
            ),
            Frame(f"{s}/gunicorn/util.py", sc.pick((359, 371)), "import_app", "mod = importlib.import_module(module)"),
        ] + importlib_frames(sc)[1:]
    if st == "vllm":
        return [
            Frame(
                f"{s}/vllm/entrypoints/openai/api_server.py",
                sc.pick((774, 863, 1102)),
                "run_server",
                "async with build_async_engine_client(args) as engine_client:",
            ),
            Frame(
                f"{s}/vllm/engine/async_llm_engine.py", sc.pick((573, 644, 691)), "from_engine_args", "engine = cls("
            ),
        ]
    return []


def request_frames(sc: Scene, fn: str) -> list[Frame]:
    """Frames from the request entry to the call of the user's ``fn``.

    ``fn`` is the user function the failure happens in (``predict_fn``,
    ``input_fn``, ``output_fn``, ``transform_fn``, ``preprocess``, ``handle``...).
    """
    s, st, fl = sc.site, sc.stack, sc.flavour
    if st == "torchserve":
        head = [
            Frame(
                f"{s}/ts/service.py",
                sc.pick((120, 134, 142)),
                "predict",
                "ret = self._entry_point(input_batch, self.context)",
            )
        ]
        if fl == "sm_toolkit":
            call = {
                "input_fn": "data = self._run_handler_function(self._input_fn, *(input_data, content_type))",
                "output_fn": "result = self._run_handler_function(self._output_fn, *(prediction, accept))",
            }.get(fn, "prediction = self._run_handler_function(self._predict_fn, *(data, model))")
            return head + [
                Frame(
                    f"{s}/sagemaker_pytorch_serving_container/handler_service.py",
                    sc.pick((51, 57)),
                    "handle",
                    "return self._service.transform(data, context)",
                ),
                Frame(
                    f"{s}/sagemaker_inference/transformer.py",
                    sc.pick((136, 150, 154)),
                    "transform",
                    "result = self._run_handler_function(",
                ),
                Frame(
                    f"{s}/sagemaker_inference/transformer.py",
                    sc.pick((272, 276, 281)),
                    "_run_handler_function",
                    "result = func(*argv_context)" if sc.chance(0.3) else "result = func(*argv)",
                ),
                Frame(
                    f"{s}/sagemaker_inference/transformer.py", sc.pick((251, 253, 258)), "_default_transform_fn", call
                ),
                Frame(
                    f"{s}/sagemaker_inference/transformer.py",
                    sc.pick((272, 276, 281)),
                    "_run_handler_function",
                    "result = func(*argv)",
                ),
            ]
        step = {
            "preprocess": "data_preprocess = self.preprocess(data)",
            "postprocess": "output = self.postprocess(data)",
            "inference": "output = self.inference(data_preprocess)",
        }.get(fn)
        if step:
            return head + [Frame(f"{sc.code_dir}/{sc.entry}", sc.ri(60, 140), "handle", step, True)]
        return head
    if st == "hf_mms":
        head = [
            Frame(
                f"{s}/mms/service.py",
                sc.pick((108, 119)),
                "predict",
                "ret = self._entry_point(input_batch, self.context)",
            ),
            Frame(
                f"{s}/sagemaker_huggingface_inference_toolkit/handler_service.py",
                sc.pick((243, 258, 271)),
                "handle",
                "response = self.transform_fn(*([self.model, input_data, content_type, accept]"
                " + self.transform_extra_arg))"
                if sc.chance(0.4)
                else "response = self.transform_fn(self.model, input_data, content_type, accept)",
            ),
        ]
        call = {
            "input_fn": "processed_data = self.preprocess(input_data, content_type)",
            "output_fn": "response = self.postprocess(predictions, accept)",
        }.get(fn, "predictions = self.predict(processed_data, model)")
        if fn == "transform_fn":
            return head
        return head + [
            Frame(
                f"{s}/sagemaker_huggingface_inference_toolkit/handler_service.py",
                sc.pick((207, 211, 226)),
                "transform_fn",
                call,
            )
        ]
    if st in ("sklearn", "xgboost") or (st == "byoc" and fl != "fastapi_uvicorn"):
        fr = [
            Frame(
                f"{s}/flask/app.py",
                sc.pick((2446, 2447, 2525, 2529, 1484)),
                "wsgi_app",
                "response = self.full_dispatch_request()",
            ),
            Frame(
                f"{s}/flask/app.py",
                sc.pick((1951, 1952, 1822, 872)),
                "full_dispatch_request",
                "rv = self.handle_user_exception(e)",
            ),
            Frame(
                f"{s}/flask/app.py",
                sc.pick((1949, 1950, 1820, 870)),
                "full_dispatch_request",
                "rv = self.dispatch_request()",
            ),
            Frame(
                f"{s}/flask/app.py",
                sc.pick((1935, 1936, 1796, 855)),
                "dispatch_request",
                "return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)"
                if sc.chance(0.5)
                else "return self.view_functions[rule.endpoint](**req.view_args)",
            ),
        ]
        if st == "byoc":
            return fr
        if st == "xgboost" and fl == "algorithm":
            return fr + [
                Frame(
                    f"{s}/sagemaker_xgboost_container/algorithm_mode/serve.py",
                    sc.pick((161, 172, 188)),
                    "invocations",
                    "preds = ScoringService.predict(data=dtest, content_type=content_type)",
                )
            ]
        call = {
            "input_fn": "data = self._input_fn(content, content_type)",
            "output_fn": "result = self._output_fn(prediction, accept)",
        }.get(fn, "prediction = self._predict_fn(data, model)")
        return fr + [
            Frame(
                f"{s}/sagemaker_containers/_transformer.py",
                sc.pick((199, 200, 202)),
                "transform",
                "self._model, request.content, request.content_type, request.accept",
            ),
            Frame(f"{s}/sagemaker_containers/_transformer.py", sc.pick((224, 227, 229)), "_default_transform_fn", call),
        ]
    if st == "byoc":  # fastapi
        return [
            Frame(
                f"{s}/uvicorn/protocols/http/h11_impl.py",
                sc.pick((404, 407, 428)),
                "run_asgi",
                "result = await app(  # type: ignore[func-returns-value]",
            ),
            Frame(
                f"{s}/uvicorn/middleware/proxy_headers.py",
                sc.pick((78, 84)),
                "__call__",
                "return await self.app(scope, receive, send)",
            ),
            Frame(
                f"{s}/fastapi/applications.py",
                sc.pick((1054, 1106, 289)),
                "__call__",
                "await super().__call__(scope, receive, send)",
            ),
            Frame(f"{s}/starlette/routing.py", sc.pick((74, 73, 297)), "app", "response = await func(request)"),
            Frame(
                f"{s}/fastapi/routing.py",
                sc.pick((278, 299, 301)),
                "app",
                "raw_response = await run_endpoint_function(",
            ),
            Frame(
                f"{s}/fastapi/routing.py",
                sc.pick((193, 212)),
                "run_endpoint_function",
                "return await run_in_threadpool(dependant.call, **values)",
            ),
        ]
    if st == "tfserving":
        call = (
            "processed_input = custom_input_handler(data, context)"
            if fn in ("input_handler", "input_fn")
            else "response = custom_output_handler(response, context)"
            if fn in ("output_handler", "output_fn")
            else "return handler(data, context)"
        )
        return [
            Frame(
                "/sagemaker/python_service.py",
                sc.pick((289, 301, 324)),
                "_handle_invocation_post",
                "res.body, res.content_type = handlers(data, context)",
            ),
            Frame("/sagemaker/python_service.py", sc.pick((322, 338, 350)), "handler", call),
        ]
    if st == "djl_lmi":
        r = _djl_root(sc)
        return [
            Frame(
                f"{r}/djl_python_engine.py",
                sc.pick((121, 127, 139)),
                "run_server",
                "outputs = self.service.invoke_handler(function_name, inputs)",
            ),
            Frame(
                f"{r}/djl_python/service_loader.py",
                sc.pick((29, 30)),
                "invoke_handler",
                "return getattr(self.module, function_name)(inputs)",
            ),
        ]
    if st == "vllm":
        return [
            Frame(
                f"{s}/vllm/entrypoints/openai/serving_chat.py",
                sc.pick((214, 263, 661)),
                "create_chat_completion",
                "generator = self.engine_client.generate(",
            ),
            Frame(
                f"{s}/vllm/engine/async_llm_engine.py",
                sc.pick((806, 1044)),
                "generate",
                "async for output in await self.add_request(",
            ),
        ]
    return []


def is_evidence(sc: Scene, f: Frame) -> bool:
    """Whether a frame on its own points at the label.

    A frame in the user's code is evidence of a model bug only; in a CUDA OOM
    or a missing-package story the user frame is just where it happened. The
    import-machinery frames marked ``key`` are evidence of a configuration
    problem whatever they sit in.
    """
    if not f.key:
        return False
    return sc.label == BUG or not f.path.startswith(sc.code_dir)


def render_tb(
    sc: Scene,
    frames: Sequence[Frame],
    exc: str | Sequence[str],
    *,
    cause: tuple[Sequence[Frame], str | Sequence[str], str] | None = None,
    marker: bool = False,
    exc_key: bool = True,
) -> tuple[list[str], list[int]]:
    """A CPython traceback: lines and the indices of the lines that are label evidence.

    ``exc`` is the final exception line(s); ``cause`` optionally prepends an
    earlier traceback joined by ``"During handling..."`` or ``"The above
    exception was the direct cause..."`` (the third element picks which).
    ``marker`` prefixes the last frame with ``>`` as TGI's loguru output does;
    ``exc_key=False`` when the exception itself is generic (``SystemExit: 1``)
    and only the frames tell the story.
    """
    out: list[str] = []
    keys: list[int] = []
    if cause is not None:
        c_lines, c_keys = render_tb(sc, cause[0], cause[1])
        keys += c_keys
        out += c_lines + ["", cause[2], ""]
    carets = sc.py in ("3.11", "3.12") and sc.chance(0.5)
    user_idx = [i for i, f in enumerate(frames) if f.key and f.path.startswith(sc.code_dir)]
    out.append("Traceback (most recent call last):")
    for i, f in enumerate(frames):
        mark = "> " if marker and i == len(frames) - 1 else "  "
        deepest = not user_idx or i == user_idx[-1] or not f.path.startswith(sc.code_dir)
        f = f._replace(key=deepest and is_evidence(sc, f))
        if f.key:
            keys.append(len(out))
        out.append(f'{mark}File "{f.path}", line {f.line}, in {f.func}')
        if f.code:
            if f.key:
                keys.append(len(out))
            out.append(f"    {f.code}")
            if carets and f.key and len(f.code) > 8:
                lead = sc.ri(0, max(0, len(f.code) // 3))
                out.append("    " + " " * lead + "^" * (len(f.code) - lead))
    exc_lines = [exc] if isinstance(exc, str) else list(exc)
    for e in exc_lines:
        if exc_key:
            keys.append(len(out))
        out.append(e)
    return out, keys


def at_trace(frames: Sequence[Frame]) -> list[str]:
    """Triton Python-backend traceback (pybind11 ``At:`` list, innermost first)."""
    return ["", "At:"] + [f"  {f.path}({f.line}): {f.func}" for f in reversed(frames)]


def java_trace(
    exc: str, frames: Sequence[str], caused: tuple[str, Sequence[str]] | None = None, jdk_prefix: bool = True
) -> list[str]:
    """A Java stack trace as log4j prints it (``\\tat ...`` lines)."""
    pre = "java.base/" if jdk_prefix else ""
    out = [exc] + [f"\tat {f.replace('JDK:', pre)}" for f in frames]
    if caused:
        out.append(f"Caused by: {caused[0]}")
        out += [f"\tat {f.replace('JDK:', pre)}" for f in caused[1]]
        out.append(f"\t... {len(frames)} more")
    return out


def import_frames(sc: Scene) -> list[Frame]:
    """Frames from process start to the import of the user's entry-point module.

    A traceback through these frames that ends in ``ModuleNotFoundError`` or
    ``ImportError`` is the classic "dependency missing in the inference image"
    or "wrong entry point" configuration error.
    """
    s, st, fl = sc.site, sc.stack, sc.flavour
    if st == "torchserve" and fl == "sm_toolkit":
        base = load_frames(sc)[:-2]
        return (
            base
            + [
                Frame(
                    f"{s}/sagemaker_inference/transformer.py",
                    sc.pick((180, 181, 158)),
                    "validate_and_initialize",
                    "self._validate_user_module_and_set_functions()",
                    True,
                ),
                Frame(
                    f"{s}/sagemaker_inference/transformer.py",
                    sc.pick((210, 214, 216)),
                    "_validate_user_module_and_set_functions",
                    "user_module = importlib.import_module(user_module_name)",
                    True,
                ),
            ]
            + importlib_frames(sc)
        )
    if st == "torchserve":
        return (
            _ts_worker_frames(sc)[:-1]
            + [
                Frame(
                    f"{s}/ts/model_loader.py",
                    sc.pick((108, 118)),
                    "load",
                    "module, function_name = self._load_handler_file(handler)",
                ),
                Frame(
                    f"{s}/ts/model_loader.py",
                    sc.pick((153, 162)),
                    "_load_handler_file",
                    "module = importlib.import_module(module_name)",
                    True,
                ),
            ]
            + importlib_frames(sc)
        )
    if st == "hf_mms":
        return (
            _mms_worker_frames(sc)
            + [
                Frame(
                    f"{s}/sagemaker_huggingface_inference_toolkit/handler_service.py",
                    sc.pick((75, 77, 79)),
                    "initialize",
                    "self.validate_and_initialize_user_module()",
                ),
                Frame(
                    f"{s}/sagemaker_huggingface_inference_toolkit/handler_service.py",
                    sc.pick((285, 298, 310)),
                    "validate_and_initialize_user_module",
                    "user_module = importlib.import_module(user_module_name)",
                    True,
                ),
            ]
            + importlib_frames(sc)
        )
    if st in ("sklearn", "xgboost"):
        pkg = "sagemaker_sklearn_container" if st == "sklearn" else "sagemaker_xgboost_container"
        return [
            Frame(
                f"{s}/{pkg}/serving.py",
                sc.pick((124, 127, 131)),
                "main",
                "user_module_transformer, execution_parameters_fn = import_module(serving_env.module_name,",
            ),
            Frame(
                f"{s}/{pkg}/serving.py",
                sc.pick((103, 105)),
                "import_module",
                "user_module = modules.import_module(module_dir, module_name)",
            ),
            Frame(
                f"{s}/sagemaker_containers/_modules.py",
                sc.pick((258, 263)),
                "import_module",
                "module = importlib.import_module(name)",
                True,
            ),
        ] + importlib_frames(sc)
    if st == "djl_lmi":
        r = _djl_root(sc)
        return [
            Frame(f"{r}/djl_python_engine.py", sc.pick((184, 192)), "<module>", "main()"),
            Frame(
                f"{r}/djl_python_engine.py",
                sc.pick((158, 163)),
                "main",
                "model_service = load_model_service(args.model_dir, entry_point,",
            ),
            Frame(
                f"{r}/djl_python/service_loader.py",
                sc.pick((53, 61)),
                "load_model_service",
                "module = importlib.import_module(entry_point)",
                True,
            ),
        ] + importlib_frames(sc)
    if st == "tfserving":
        return load_frames(sc) + [
            Frame(
                "/sagemaker/python_service.py",
                sc.pick((104, 112)),
                "_import_handlers",
                "spec.loader.exec_module(inference)",
            ),
            Frame("<frozen importlib._bootstrap_external>", sc.pick((848, 883)), "exec_module", None),
            Frame("<frozen importlib._bootstrap>", sc.pick((219, 241)), "_call_with_frames_removed", None),
        ]
    return load_frames(sc)
