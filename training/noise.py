"""What a healthy endpoint writes: startup, health checks, traffic, harmless warnings.

Most of a real CloudWatch window is this. The classifier must learn that
``/ping`` access lines, worker start-up chatter, deprecation warnings and the
odd *benign* ``ERROR`` line say nothing about a failure, and that worker
restart lines ("Backend worker process died", "Retry worker", "Booting worker")
appear whatever the root cause was. Every function returns stack-neutral
:class:`~training.story.Ev` objects; :mod:`training.stacks` formats them.
"""

from __future__ import annotations

from training.stacks import java_logger
from training.story import Ev, Scene, block, line


def access(method: str, path: str, status: int, size: int) -> Ev:
    """An access-log event; the stack formatter renders it in its own access format."""
    return Ev("access", [f"{method} {path} {status} {size}"])


def _fe(sc: Scene, thread: str, cls: str) -> str:
    return java_logger(sc, thread, cls)


def _gpus_line(sc: Scene) -> str:
    return str(sc.inst.gpus)


# ---------------------------------------------------------------------------
# startup
# ---------------------------------------------------------------------------
def startup(sc: Scene, **tgi_args: object) -> list[Ev]:
    """The lines a container prints from ``serve`` until it answers ``/ping``.

    ``tgi_args`` override fields of TGI's ``Args { ... }`` line (num_shard, quantize...).
    """
    st = sc.stack
    if st == "tgi":
        return _startup_tgi(sc, **tgi_args)
    fn = {
        "torchserve": _startup_ts,
        "hf_mms": _startup_mms,
        "djl_lmi": _startup_djl,
        "tgi": _startup_tgi,
        "triton": _startup_triton,
        "tfserving": _startup_tfs,
        "vllm": _startup_vllm,
    }.get(st, _startup_gunicorn)
    return fn(sc)


def worker_boot(sc: Scene) -> list[Ev]:
    """A Python worker process starting (also printed again after every crash)."""
    st = sc.stack
    if st in ("torchserve", "hf_mms"):
        sock = "/home/model-server/tmp/.ts.sock.9000" if st == "torchserve" else "/home/model-server/tmp/.mms.sock.9000"
        if sc.flavour == "local" and st == "torchserve":
            sock = "/tmp/.ts.sock.9000"
        ev = [
            line("worker", f"Listening on port: {sock}"),
            line("worker", f"[PID]{sc.ri(40, 9000)}"),
            line("worker", "Torch worker started." if st == "torchserve" else "MXNet worker started."),
            line("worker", f"Python runtime: {sc.py}.{sc.ri(2, 16)}"),
            line("fe", f"Connecting to: {sock}", logger=_fe(sc, "W", "WorkerThread")),
            line("worker", f"Connection accepted: {sock}."),
        ]
        if st == "torchserve" and sc.chance(0.6):
            ev.append(
                line(
                    "fe",
                    f"Flushing req.cmd LOAD to backend at: {1690000000000 + sc.ri(0, 90000000000)}",
                    logger=_fe(sc, "W", "WorkerThread"),
                )
            )
            ev.append(line("worker", f"model_name: {sc.model}, batchSize: {sc.pick((1, 1, 1, 4, 8))}"))
        return ev
    if st == "djl_lmi":
        return [
            line("fe", f"Start process: {19000 + sc.ri(0, 7)} - retry: {sc.pick((0, 0, 1))}", logger="PyProcess"),
            line(
                "worker",
                f"{sc.ri(90, 400)} - djl_python_engine started with args: ['--sock-type', 'unix', "
                f"'--sock-name', '/tmp/djl_sock.{19000 + sc.ri(0, 7)}', '--model-dir', '/opt/ml/model', "
                f"'--entry-point', '{sc.pick(('model.py', 'djl_python.huggingface', 'djl_python.lmi_vllm.vllm_async_service'))}', "
                f"'--device-id', '0']",
            ),
        ]
    if st in ("sklearn", "xgboost", "tfserving") or (st == "byoc" and sc.flavour == "flask_gunicorn"):
        return [line("gunicorn" if st == "tfserving" else "fe", f"Booting worker with pid: {sc.ri(20, 400)}")]
    return []


def _startup_ts(sc: Scene) -> list[Ev]:
    ver = sc.pick(("0.4.1", "0.6.0", "0.8.1", "0.8.2", "0.9.0", "0.10.0", "0.11.0"))
    cfg = "/etc/sagemaker-ts.properties" if sc.flavour != "local" else "config.properties"
    store = "/.sagemaker/ts/models" if sc.flavour != "local" else "model_store"
    ev: list[Ev] = []
    if sc.flavour != "local" and sc.chance(0.5):
        ev.append(
            line(
                "raw", "WARNING: sun.reflect.Reflection.getCallerClass is not supported. This will impact performance."
            )
        )
    banner = [
        "",
        f"Torchserve version: {ver}",
        f"TS Home: {sc.site}",
        "Current directory: /",
        "Temp directory: /home/model-server/tmp",
        f"Metrics config path: {sc.site}/ts/configs/metrics.yaml",
        f"Number of GPUs: {_gpus_line(sc)}",
        f"Number of CPUs: {sc.inst.vcpu}",
        f"Max heap size: {int(sc.inst.mem_gib * 1024 / 4)} M",
        f"Python executable: /opt/conda/bin/python{sc.py}",
        f"Config file: {cfg}",
        "Inference address: http://0.0.0.0:8080",
        "Management address: http://0.0.0.0:8080",
        "Metrics address: http://127.0.0.1:8082",
        f"Model Store: {store}",
        f"Initial Models: {'model=/opt/ml/model' if sc.flavour != 'local' else sc.model + '.mar'}",
        "Log dir: /logs",
        "Metrics dir: /logs",
        "Netty threads: 0",
        "Netty client threads: 0",
        f"Default workers per model: {sc.inst.gpus or sc.inst.vcpu}",
        "Blacklist Regex: N/A",
        "Maximum Response Size: 6553500",
        "Maximum Request Size: 6553500",
        "Limit Maximum Image Pixels: true",
        "Prefer direct buffer: false",
        "Allowed Urls: [file://.*|http(s)?://.*]",
        "Custom python dependency for model allowed: false",
        "Enable metrics API: true",
        "Metrics mode: LOG",
        "Disable system metrics: false",
        f"Workflow Store: {store}",
    ]
    ev.append(block("fe", banner, logger=_fe(sc, "main", "ModelServer")))
    ev.append(
        line(
            "fe",
            f"Loading initial models: {'model=/opt/ml/model' if sc.flavour != 'local' else sc.model + '.mar'}",
            logger=_fe(sc, "main", "ModelServer"),
        )
    )
    if sc.chance(0.5):
        ev.append(
            line("fe", f"Adding new version 1.0 for model {sc.model}", "DEBUG", _fe(sc, "main", "ModelVersionedRefs"))
        )
    ev.append(line("fe", f"Model {sc.model} loaded.", logger=_fe(sc, "main", "ModelManager")))
    if sc.chance(0.4):
        ev.append(
            line(
                "fe",
                "Your torchserve instance can access any URL to load models. When deploying to production, "
                "make sure to limit the set of allowed_urls in config.properties",
                "WARN",
                _fe(sc, "main", "ConfigManager"),
            )
        )
    ev += [
        line(
            "fe", "Initialize Inference server with: EpollServerSocketChannel.", logger=_fe(sc, "main", "ModelServer")
        ),
        line("fe", "Inference API bind to: http://0.0.0.0:8080", logger=_fe(sc, "main", "ModelServer")),
        line("fe", "Initialize Metrics server with: EpollServerSocketChannel.", logger=_fe(sc, "main", "ModelServer")),
        line("fe", "Metrics API bind to: http://127.0.0.1:8082", logger=_fe(sc, "main", "ModelServer")),
        line("raw", "Model server started."),
    ]
    ev += worker_boot(sc)
    if sc.flavour == "sm_toolkit" and sc.chance(0.3):
        ev.append(
            line("worker", f"Loading model from {sc.pick(('/opt/ml/model/model.pth', '/opt/ml/model/model.pt'))}")
        )
    return ev


def model_loaded(sc: Scene) -> list[Ev]:
    """The frontend acknowledging that the worker finished loading the model."""
    st = sc.stack
    if st in ("torchserve", "hf_mms"):
        t = sc.ri(800, 90000)
        ev = [line("fe", f"Backend response time: {t}", logger=_fe(sc, "W", "WorkerThread"))]
        if st == "torchserve":
            ev.append(
                line(
                    "fe",
                    f"{sc.worker} State change WORKER_STARTED -> WORKER_MODEL_LOADED",
                    "DEBUG",
                    _fe(sc, "W", "WorkerThread"),
                )
            )
            if sc.chance(0.5):
                ev.append(
                    line(
                        "fe",
                        f"WorkerLoadTime.Milliseconds:{t + sc.ri(1, 40)}.0|#WorkerName:{sc.worker},"
                        f"Level:Host|#hostname:{sc.style['docker_id']},timestamp:{1690000000 + sc.ri(0, 90000000)}",
                        logger=f"{sc.worker} TS_METRICS",
                    )
                )
        return ev
    if st == "djl_lmi":
        return [
            line("fe", f"Model [{sc.model}] initialized.", logger="PyProcess"),
            line(
                "fe",
                f"Starting worker thread WT-0001 for model {sc.model} (M-0001, READY) on device "
                f"{'gpu(0)' if sc.gpu else 'cpu()'}",
                logger="WorkerThread",
            ),
        ]
    return []


def _startup_mms(sc: Scene) -> list[Ev]:
    ev = []
    if sc.chance(0.5):
        ev.append(line("raw", "Warning: MMS is using non-default JVM parameters: -XX:-UseContainerSupport"))
    banner = [
        "",
        f"MMS Home: {sc.site}",
        "Current directory: /",
        "Temp directory: /home/model-server/tmp",
        f"Number of GPUs: {_gpus_line(sc)}",
        f"Number of CPUs: {sc.inst.vcpu}",
        f"Max heap size: {int(sc.inst.mem_gib * 1024 / 4)} M",
        f"Python executable: /opt/conda/bin/python{sc.py}",
        "Config file: /etc/sagemaker-mms.properties",
        "Inference address: http://0.0.0.0:8080",
        "Management address: http://0.0.0.0:8080",
        "Model Store: /.sagemaker/mms/models",
        "Initial Models: ALL",
        "Log dir: /logs",
        "Metrics dir: /logs",
        "Netty threads: 0",
        "Netty client threads: 0",
        f"Default workers per model: {sc.inst.gpus or sc.inst.vcpu}",
        "Blacklist Regex: N/A",
        "Maximum Response Size: 6553500",
        "Maximum Request Size: 6553500",
        "Preload model: false",
        "Prefer direct buffer: false",
    ]
    ev += [
        block("fe", banner, logger=_fe(sc, "main", "ModelServer")),
        line("fe", f"Loading initial models: {sc.model}", logger=_fe(sc, "main", "ModelServer")),
        line("fe", f"Model {sc.model} loaded.", logger=_fe(sc, "main", "ModelManager")),
        line(
            "fe", "Initialize Inference server with: EpollServerSocketChannel.", logger=_fe(sc, "main", "ModelServer")
        ),
    ]
    ev += worker_boot(sc)
    ev += [
        line("fe", "Inference API bind to: http://0.0.0.0:8080", logger=_fe(sc, "main", "ModelServer")),
        line("raw", "Model server started."),
    ]
    return ev


def _startup_djl(sc: Scene) -> list[Ev]:
    ver = str(sc.style["djl_ver"])
    tp = sc.inst.gpus
    banner = [
        "",
        "Model server home: /opt/djl",
        "Current directory: /opt/djl",
        "Temp directory: /tmp",
        f"Command line: -Dlog4j.configurationFile=/usr/local/djl-serving-{ver}/conf/log4j2.xml "
        f"-Xmx{sc.pick(('1g', '2g', '8g'))} -XX:+ExitOnOutOfMemoryError",
        f"Number of CPUs: {sc.inst.vcpu}",
        f"CUDA version: {sc.pick(('118', '121', '124'))}",
        f"Number of GPUs: {tp}",
        f"Max heap size: {sc.ri(900, 30000)}",
        "Config file: /opt/djl/conf/config.properties",
        "Inference address: http://0.0.0.0:8080",
        "Management address: http://0.0.0.0:8080",
        "Default job_queue_size: 1000",
        "Default batch_size: 1",
        "Default max_batch_delay: 100",
        "Default max_idle_time: 60",
        "Model Store: /opt/ml/model",
        "Initial Models: ALL",
        "Initial Workflows: N/A",
        "Netty threads: 0",
        "Maximum Request Size: 67108864",
        "Environment variables:",
        f"    HF_MODEL_ID: {sc.hf_model}",
        f"    OPTION_ROLLING_BATCH: {sc.pick(('lmi-dist', 'vllm', 'auto', 'trtllm'))}",
        f"    TENSOR_PARALLEL_DEGREE: {sc.style.get('tp') or sc.pick(('max', str(tp)))}",
    ]
    ev = [
        line("fe", f"Starting djl-serving: {ver} ...", logger="ModelServer"),
        block("fe", banner, logger="ModelServer"),
        line("fe", "Initializing model: /opt/ml/model", logger="ModelServer"),
    ]
    if sc.chance(0.6):
        ev.append(
            line(
                "fe",
                f"Detected mpi_mode: {sc.pick(('true', 'null'))}, rolling_batch: "
                f"{sc.pick(('lmi-dist', 'vllm', 'trtllm'))}, tensor_parallel_degree {tp}, for modelType: "
                f"{sc.pick(('llama', 'mistral', 'falcon', 'qwen2', 'gpt_neox'))}",
                logger="LmiUtils",
            )
        )
    ev += [
        line(
            "fe",
            f"Available GPU memory: {int(sc.inst.gpu_gib * 1024)} MB, required: 0 MB, reserved: 500 MB",
            logger="ModelInfo",
        ),
        line("fe", f"Loading model {sc.model} on {'gpu(0)' if sc.gpu else 'cpu()'}", logger="ModelInfo"),
        line(
            "fe",
            "scaling up min workers by 1 (from 0 to 1) workers. Total range is min 1 to max 1",
            logger="WorkerPool",
        ),
    ]
    ev += worker_boot(sc)
    if sc.chance(0.5):
        n = sc.pick((2, 3, 4, 8, 15, 30))
        ev.append(
            line(
                "worker_err",
                f"Loading checkpoint shards: 100%|██████████| {n}/{n} "
                f"[00:{sc.ri(10, 59):02d}<00:00,  {sc.uf(1, 9):.2f}s/it]",
                "WARN",
            )
        )
    return ev


def _tgi_args(sc: Scene, **over: object) -> str:
    shards = over.get("num_shard", sc.inst.gpus)
    fields = [
        ("model_id", f'"{over.get("model_id", sc.hf_model)}"'),
        ("revision", "None"),
        ("validation_workers", "2"),
        ("sharded", "None"),
        ("num_shard", f"Some({shards})"),
        ("quantize", str(over.get("quantize", "None"))),
        ("speculate", "None"),
        ("dtype", "None"),
        ("trust_remote_code", str(over.get("trust_remote_code", "false"))),
        ("max_concurrent_requests", str(over.get("max_concurrent_requests", 128))),
        ("max_best_of", "2"),
        ("max_stop_sequences", "4"),
        ("max_top_n_tokens", "5"),
        ("max_input_length", str(over.get("max_input_length", sc.pick((1024, 2048, 3072, 4095))))),
        ("max_total_tokens", str(over.get("max_total_tokens", sc.pick((2048, 4096, 8192))))),
        ("waiting_served_ratio", "1.2"),
        ("max_batch_prefill_tokens", str(over.get("max_batch_prefill_tokens", sc.pick((4096, 8192, 16384))))),
        ("max_batch_total_tokens", "None"),
        ("max_waiting_tokens", "20"),
        ("hostname", f'"{sc.style["host"]}"'),
        ("port", "8080"),
        ("shard_uds_path", '"/tmp/text-generation-server"'),
        ("master_addr", '"localhost"'),
        ("master_port", "29500"),
        ("huggingface_hub_cache", 'Some("/tmp")'),
        ("weights_cache_override", "None"),
        ("disable_custom_kernels", "false"),
        ("cuda_memory_fraction", "1.0"),
        ("json_output", "false"),
        ("otlp_endpoint", "None"),
        ("cors_allow_origin", "[]"),
        ("env", "false"),
    ]
    return "Args { " + ", ".join(f"{k}: {v}" for k, v in fields) + " }"


def _startup_tgi(sc: Scene, **over: object) -> list[Ev]:
    shards = int(over.get("num_shard", sc.inst.gpus))  # type: ignore[call-overload]  # an int when given
    over.setdefault("num_shard", shards)
    ev = [line("fe", _tgi_args(sc, **over), logger="text_generation_launcher")]
    if shards > 1:
        ev.append(line("fe", f"Sharding model on {shards} processes", logger="text_generation_launcher"))
    ev.append(line("fe", "Starting download process.", logger="download: text_generation_launcher"))
    if str(sc.hf_model).startswith("/opt/ml"):
        ev.append(
            line(
                "fe",
                "Files are already present on the host. Skipping download.",
                logger="download: text_generation_launcher",
            )
        )
    else:
        for i in range(1, sc.ri(2, 4)):
            ev.append(
                line(
                    "fe",
                    f"Download file: model-0000{i}-of-0000{i + 1}.safetensors",
                    logger="download: text_generation_launcher",
                )
            )
    ev.append(line("fe", "Successfully downloaded weights.", logger="download: text_generation_launcher"))
    for r in range(shards):
        ev.append(line("fe", f"Starting shard rank={r}", logger="shard-manager: text_generation_launcher"))
    return ev


def tgi_ready(sc: Scene) -> list[Ev]:
    """TGI shards coming up and the router connecting (the healthy end of start-up)."""
    shards = max(1, sc.inst.gpus)
    ev = [
        line(
            "fe",
            f"Waiting for shard to be ready... rank={r}",
            logger="shard-manager: text_generation_launcher",
            gap=10.0 if r == 0 else 0.01,
        )
        for r in range(shards)
    ]
    ev += [
        line("fe", f"Server started at unix:///tmp/text-generation-server-{r}", logger="text_generation_launcher")
        for r in range(shards)
    ]
    ev += [
        line("fe", f"Shard ready in {sc.uf(12, 140):.1f}s rank={r}", logger="shard-manager: text_generation_launcher")
        for r in range(shards)
    ]
    ev += [
        line("fe", "Starting Webserver", logger="text_generation_launcher"),
        line("fe", "Warming up model", logger=f"text_generation_router: router/src/main.rs:{sc.pick((317, 331, 349))}"),
        line(
            "fe",
            f"Setting max batch total tokens to {sc.ri(8000, 200000)}",
            logger=f"text_generation_router: router/src/main.rs:{sc.pick((354, 363))}",
        ),
        line("fe", "Connected", logger=f"text_generation_router: router/src/main.rs:{sc.pick((355, 364))}"),
    ]
    if sc.chance(0.5):
        ev.append(
            line(
                "fe",
                "Invalid hostname, defaulting to 0.0.0.0",
                "WARN",
                f"text_generation_router: router/src/main.rs:{sc.pick((372, 390))}",
            )
        )
    return ev


def _startup_triton(sc: Scene) -> list[Ev]:
    ver = sc.image.rsplit(":", 1)[-1].split("-")[0]
    ev = [
        line("raw", "============================="),
        line("raw", "== Triton Inference Server =="),
        line("raw", "============================="),
        line("raw", f"NVIDIA Release {ver} (build {sc.ri(40000000, 90000000)})"),
    ]
    if not sc.gpu:
        ev += [
            line("raw", "WARNING: The NVIDIA Driver was not detected.  GPU functionality will not be available."),
            line("raw", "   Use the NVIDIA Container Toolkit to start this container with GPU support; see"),
        ]
    ev += [
        line(
            "fe",
            f"Pinned memory pool is created at '0x7f{sc.hexs(10)}' with size 268435456",
            logger="pinned_memory_manager.cc:241",
        )
    ]
    if sc.gpu:
        ev.append(
            line(
                "fe", "CUDA memory pool is created on device 0 with size 67108864", logger="cuda_memory_manager.cc:107"
            )
        )
    ev.append(line("fe", f"loading: {sc.model}:1", logger=f"model_lifecycle.cc:{sc.pick((459, 461, 469))}"))
    backend = sc.pick(("python", "onnxruntime", "pytorch", "tensorrt")) if sc.flavour != "python" else "python"
    be_file = {
        "python": "python_be.cc:2363",
        "onnxruntime": "onnxruntime.cc:2608",
        "pytorch": "libtorch.cc:2173",
        "tensorrt": "tensorrt.cc:65",
    }[backend]
    ev.append(
        line(
            "fe",
            f"TRITONBACKEND_ModelInstanceInitialize: {sc.model}_0_0 ({'GPU device 0' if sc.gpu else 'CPU device 0'})",
            logger=be_file,
        )
    )
    return ev


def triton_ready(sc: Scene) -> list[Ev]:
    """Triton's model table and listener lines once every model loaded."""
    ev = [
        line("fe", f"successfully loaded '{sc.model}'", logger=f"model_lifecycle.cc:{sc.pick((818, 835))}"),
        block(
            "fe",
            [
                "",
                "+--------+---------+--------+",
                "| Model  | Version | Status |",
                "+--------+---------+--------+",
                f"| {sc.model} | 1       | READY  |",
                "+--------+---------+--------+",
                "",
            ],
            logger="server.cc:676",
        ),
    ]
    if sc.gpu:
        ev.append(line("fe", f"Collecting metrics for GPU 0: {sc.inst.gpu_name}", logger="metrics.cc:817"))
    ev += [
        line("fe", "Collecting CPU metrics", logger="metrics.cc:710"),
        line("fe", "Started Sagemaker HTTPService at 0.0.0.0:8080", logger="sagemaker_server.cc:322"),
        line("fe", "Started Metrics Service at 0.0.0.0:8002", logger="http_server.cc:187"),
    ]
    return ev


def _startup_tfs(sc: Scene) -> list[Ev]:
    ver = sc.image.rsplit(":", 1)[-1].split("-")[0]
    ev = [
        line("py", "starting services"),
        line("py", "using default model name: model" if sc.chance(0.6) else f"using model name: {sc.model}"),
        block(
            "py",
            [
                "tensorflow serving model config: ",
                "model_config_list: {",
                "  config: {",
                '    name: "model"',
                '    base_path: "/opt/ml/model"',
                '    model_platform: "tensorflow"',
                "  }",
                "}",
            ],
        ),
        line(
            "py",
            f"tensorflow version info:\nTensorFlow ModelServer: {ver}-rc0+dev.sha.{sc.hexs(7)}\nTensorFlow Library: {ver}",
        ),
        line(
            "py",
            "tensorflow serving command: tensorflow_model_server --port=10000 --rest_api_port=10001 "
            "--model_config_file=/sagemaker/model-config.cfg --max_num_load_retries=0",
        ),
        line("py", f"started tensorflow serving (pid: {sc.ri(10, 30)})"),
    ]
    if sc.flavour == "handler":
        ev += [
            line(
                "py",
                "gunicorn command: gunicorn -b unix:/tmp/gunicorn.sock -k gevent --chdir /sagemaker --workers 1 "
                "--threads 1 --log-level info --timeout 60 --pythonpath /opt/ml/model/code "
                "-c /sagemaker/gunicorn.conf.py python_service:app",
            ),
            line("py", f"started gunicorn (pid: {sc.ri(30, 60)})"),
            line("gunicorn", "Starting gunicorn 20.0.4"),
            line("gunicorn", "Listening at: unix:/tmp/gunicorn.sock (15)"),
            line("gunicorn", "Using worker: gevent"),
            line("gunicorn", f"Booting worker with pid: {sc.ri(40, 80)}"),
        ]
    ev += [
        line("py", f"started nginx (pid: {sc.ri(60, 90)})"),
        line(
            "fe",
            "Building single TensorFlow model file config:  model_name: model model_base_path: /opt/ml/model",
            logger="tensorflow_serving/model_servers/server.cc:89",
        ),
        line("fe", "Adding/updating models.", logger="tensorflow_serving/model_servers/server_core.cc:465"),
        line("fe", " (Re-)adding model: model", logger="tensorflow_serving/model_servers/server_core.cc:591"),
        line(
            "fe",
            "Successfully reserved resources to load servable {name: model version: 1}",
            logger="tensorflow_serving/core/basic_manager.cc:740",
        ),
        line(
            "fe",
            "Approving load for servable version {name: model version: 1}",
            logger="tensorflow_serving/core/loader_harness.cc:66",
        ),
        line(
            "fe",
            "Loading servable version {name: model version: 1}",
            logger="tensorflow_serving/core/loader_harness.cc:74",
        ),
        line(
            "fe",
            "Reading SavedModel from: /opt/ml/model/1",
            logger="external/org_tensorflow/tensorflow/cc/saved_model/reader.cc:45",
        ),
    ]
    return ev


def tfs_ready(sc: Scene) -> list[Ev]:
    """TF Serving finishing the SavedModel load and opening its ports."""
    return [
        line(
            "fe",
            f"SavedModel load for tags {{ serve }}; Status: success: OK. Took {sc.ri(300000, 9000000)} microseconds.",
            logger="external/org_tensorflow/tensorflow/cc/saved_model/loader.cc:325",
        ),
        line(
            "fe",
            "No warmup data file found at /opt/ml/model/1/assets.extra/tf_serving_warmup_requests",
            logger="tensorflow_serving/servables/tensorflow/saved_model_warmup_util.cc:59",
        ),
        line(
            "fe",
            "Successfully loaded servable version {name: model version: 1}",
            logger="tensorflow_serving/core/loader_harness.cc:87",
        ),
        line(
            "fe",
            "Running gRPC ModelServer at 0.0.0.0:10000 ...",
            logger="tensorflow_serving/model_servers/server.cc:383",
        ),
        line("raw", "[warn] getaddrinfo: address family for nodename not supported"),
        line(
            "fe",
            "Exporting HTTP/REST API at:localhost:10001 ...",
            logger="tensorflow_serving/model_servers/server.cc:405",
        ),
        line("raw", "[evhttp_server.cc : 245] NET_LOG: Entering the event loop ..."),
    ]


def _startup_vllm(sc: Scene) -> list[Ev]:
    ver = sc.image.rsplit(":", 1)[-1].lstrip("v")
    tp = max(1, sc.inst.gpus)
    ev = [
        line("fe", f"vLLM API server version {ver}", logger="api_server.py:585"),
        line(
            "fe",
            f"args: Namespace(host=None, port=8080, uvicorn_log_level='info', allow_credentials=False, "
            f"model='{sc.hf_model}', tokenizer=None, trust_remote_code=False, dtype='auto', "
            f"max_model_len={sc.pick(('None', '8192', '4096', '32768'))}, tensor_parallel_size={tp}, "
            f"gpu_memory_utilization={sc.pick(('0.9', '0.9', '0.85', '0.95'))}, max_num_seqs=256, "
            f"quantization=None, enforce_eager=False, disable_log_requests=False)",
            logger="api_server.py:586",
        ),
        line(
            "fe",
            f"Initializing an LLM engine (v{ver}) with config: model='{sc.hf_model}', speculative_config=None, "
            f"tokenizer='{sc.hf_model}', skip_tokenizer_init=False, tokenizer_mode=auto, revision=None, "
            f"trust_remote_code=False, dtype=torch.bfloat16, max_seq_len=8192, download_dir=None, "
            f"load_format=LoadFormat.AUTO, tensor_parallel_size={tp}, pipeline_parallel_size=1, "
            f"disable_custom_all_reduce=False, quantization=None, enforce_eager=False, kv_cache_dtype=auto, "
            f"seed=0, served_model_name={sc.hf_model}, use_v2_block_manager=True",
            logger="llm_engine.py:237",
        ),
    ]
    return ev


def vllm_ready(sc: Scene) -> list[Ev]:
    """vLLM finishing weight load, sizing the KV cache and starting uvicorn."""
    blocks = sc.ri(800, 9000)
    return [
        line("fe", f"Loading model weights took {sc.uf(3, 70):.4f} GB", logger="model_runner.py:1056"),
        line("fe", f"# GPU blocks: {blocks}, # CPU blocks: {sc.pick((512, 2048, 4096))}", logger="gpu_executor.py:122"),
        line(
            "fe",
            f"Maximum concurrency for 8192 tokens per request: {blocks * 16 / 8192:.2f}x",
            logger="gpu_executor.py:126",
        ),
        line(
            "fe",
            "Capturing the model for CUDA graphs. This may lead to unexpected consequences if the model is not "
            "static. To run the model in eager mode, set 'enforce_eager=True' or use '--enforce-eager' in the CLI.",
            logger="model_runner.py:1402",
        ),
        line("fe", f"Graph capturing finished in {sc.ri(5, 40)} secs.", logger="model_runner.py:1530"),
        line("fe", "Available routes are:", logger="launcher.py:19"),
        line("fe", "Route: /invocations, Methods: POST", logger="launcher.py:27"),
        line("fe", "Route: /ping, Methods: GET, POST", logger="launcher.py:27"),
        line("raw", "INFO:     Started server process [1]"),
        line("raw", "INFO:     Waiting for application startup."),
        line("raw", "INFO:     Application startup complete."),
        line("raw", "INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)"),
    ]


def _startup_gunicorn(sc: Scene) -> list[Ev]:
    st, fl = sc.stack, sc.flavour
    ev: list[Ev] = []
    if st == "byoc" and fl == "fastapi_uvicorn":
        return [
            line("fe", f"Started server process [{sc.ri(1, 40)}]"),
            line("fe", "Waiting for application startup."),
            line(
                "py",
                f"Loading model from /opt/ml/model/{sc.pick(('model.joblib', 'model.pt', 'model.onnx', 'model.pkl'))}",
                logger=sc.pick(("app", "main", "inference", "root")),
            ),
            line("fe", "Application startup complete."),
            line("fe", "Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)"),
        ]
    if st == "byoc" and fl == "flask_dev":
        return [
            line("raw", f" * Serving Flask app '{sc.entry[:-3]}'"),
            line("raw", " * Debug mode: off"),
            line(
                "raw",
                "WARNING: This is a development server. Do not use it in a production deployment. "
                "Use a production WSGI server instead.",
            ),
            line("raw", " * Running on all addresses (0.0.0.0)"),
            line("raw", " * Running on http://127.0.0.1:8080"),
            line("raw", "Press CTRL+C to quit"),
        ]
    if st == "byoc":
        ev.append(line("raw", f"Starting the inference server with {sc.inst.vcpu} workers."))
    elif st == "xgboost" and fl == "algorithm":
        ev += [line("py", "No GPUs detected (normal if no gpus installed)") for _ in range(sc.ri(1, 2))]
        ev += [
            line("py", "Loading the model from /opt/ml/model/xgboost-model"),
            line(
                "py",
                f"Model objective : {sc.pick(('binary:logistic', 'reg:squarederror', 'multi:softprob', 'reg:linear'))}",
            ),
        ]
    else:
        ev.append(line("py", "No GPUs detected (normal if no gpus installed)"))
    master = sc.ri(8, 40)
    gver = sc.pick(("19.9.0", "20.0.4", "20.1.0", "21.2.0", "22.0.0"))
    ev += [
        line("fe", f"Starting gunicorn {gver}", logger=str(master)),
        line("fe", f"Listening at: unix:/tmp/gunicorn.sock ({master})", logger=str(master)),
        line("fe", f"Using worker: {'sync' if st == 'byoc' else 'gevent'}", logger=str(master)),
    ]
    for _ in range(min(4, sc.inst.vcpu)):
        ev.append(line("fe", f"Booting worker with pid: {master + sc.ri(3, 40)}", logger=str(master)))
    if st == "byoc" and sc.chance(0.5):
        ev.append(
            line(
                "py",
                f"Loading model from /opt/ml/model/{sc.pick(('model.joblib', 'model.pkl', 'model.bst', 'model.pt'))}",
                logger=sc.pick(("predictor", "app", "root")),
            )
        )
    return ev


def ready(sc: Scene) -> list[Ev]:
    """Lines that mark the end of a successful start-up, per stack."""
    st = sc.stack
    if st == "tgi":
        return tgi_ready(sc)
    if st == "triton":
        return triton_ready(sc)
    if st == "tfserving":
        return tfs_ready(sc)
    if st == "vllm":
        return vllm_ready(sc)
    return model_loaded(sc)


# ---------------------------------------------------------------------------
# traffic
# ---------------------------------------------------------------------------
def ping(sc: Scene, status: int = 200) -> list[Ev]:
    """A ``GET /ping`` health check as the stack logs it (some stacks do not log it)."""
    st = sc.stack
    if st in ("tgi", "triton", "djl_lmi"):
        return []
    size = {"torchserve": 1, "hf_mms": 22}.get(st, sc.pick((0, 1, 2, 3)))
    return [access("GET", "/ping", status, size if status == 200 else sc.ri(50, 250))]


def request(sc: Scene, status: int = 200) -> list[Ev]:
    """One ``POST /invocations`` with the lines a stack prints around it."""
    st = sc.stack
    ms_ = sc.ri(3, 900) if not sc.gpu else sc.ri(20, 6000)
    size = sc.ri(12, 4000)
    if st == "tgi":
        if status != 200:
            return []
        toks = sc.ri(8, 512)
        t_inf = toks * sc.uf(0.012, 0.06)
        comp = f"{sc.inst.gpus}-{sc.inst.gpu_name.lower().replace(' ', '-')}"
        span = (
            f'compat_generate{{default_return_full_text=false compute_type=Extension(ComputeType("{comp}"))}}'
            f":generate{{parameters=GenerateParameters {{ best_of: None, temperature: Some({sc.pick(('0.1', '0.6', '0.7', '1.0'))}), "
            f"repetition_penalty: None, top_k: None, top_p: Some(0.9), typical_p: None, do_sample: {sc.pick(('true', 'false'))}, "
            f"max_new_tokens: Some({sc.pick((64, 128, 256, 512, 1024))}), return_full_text: Some(false), stop: [], "
            f"truncate: None, watermark: false, details: false, decoder_input_details: false, seed: None, top_n_tokens: None }} "
            f'total_time="{t_inf + 0.002:.3f}s" validation_time="{sc.uf(0.3, 3):.1f}ms" queue_time="{sc.ri(40, 900)}µs" '
            f'inference_time="{t_inf:.3f}s" time_per_token="{t_inf / toks * 1000:.1f}ms" seed="None"}}'
            f": text_generation_router::server: router/src/server.rs:{sc.pick((305, 322, 510))}"
        )
        return [line("fe", "Success", logger=span)]
    if st == "triton":
        return []
    if st == "djl_lmi":  # LMI logs little per request; occasionally the handler or the engine says something
        if not sc.chance(0.25):
            return []
        return [
            sc.pick(
                (
                    line(
                        "worker",
                        f"[1,0]<stdout>:INFO::Rolling batch: {sc.ri(1, 32)} active requests, prefill batch "
                        f"{sc.ri(1, 4)}",
                    ),
                    line(
                        "worker",
                        f"INFO:root:Processing request {sc.hexs(8)}-{sc.hexs(4)}, input tokens {sc.ri(20, 3000)}",
                    ),
                    line("fe", f"Request {sc.hexs(8)} completed in {sc.ri(200, 30000)} ms", "DEBUG", "WorkerThread"),
                )
            )
        ]
    ev = [access("POST", "/invocations", status, size)]
    if st in ("torchserve", "hf_mms") and sc.chance(0.5):
        ev = [line("fe", f"Backend response time: {ms_}", logger=_fe(sc, "W", "WorkerThread"))] + ev
        if st == "torchserve" and sc.chance(0.5):
            ev.append(
                line(
                    "fe",
                    f"ts_inference_latency_microseconds.Microseconds:{ms_ * 1000 + sc.ri(0, 999)}.0|"
                    f"#model_name:{sc.model},model_version:default|#hostname:{sc.style['docker_id']},"
                    f"timestamp:{1690000000 + sc.ri(0, 90000000)}",
                    logger=f"{sc.worker} TS_METRICS",
                )
            )
    if st == "xgboost" and sc.flavour == "algorithm" and sc.chance(0.5):
        ev = [line("py", "Determined delimiter of CSV input is ','")] + ev
    if st == "vllm" and sc.chance(0.4):
        ev = [
            line(
                "fe",
                f"Received request chatcmpl-{sc.hexs(32)}: prompt: '<|begin_of_text|>...', params: "
                f"SamplingParams(n=1, temperature=0.7, top_p=0.9, max_tokens={sc.pick((256, 512, 1024))})",
                logger="logger.py:37",
            )
        ] + ev
    return ev


def periodic(sc: Scene, load: float = 0.2) -> list[Ev]:
    """Once-a-minute housekeeping lines (TorchServe host metrics, vLLM throughput...)."""
    st = sc.stack
    if st == "torchserve":
        ts = 1690000000 + sc.ri(0, 90000000)
        host = sc.style["docker_id"]
        name = sc.pick(
            (
                "CPUUtilization.Percent",
                "MemoryUtilization.Percent",
                "DiskUtilization.Percent",
                "MemoryUsed.Megabytes",
                "DiskAvailable.Gigabytes",
            )
        )
        val = {
            "CPUUtilization.Percent": load * 100,
            "MemoryUtilization.Percent": sc.uf(10, 60),
            "DiskUtilization.Percent": sc.uf(20, 60),
            "MemoryUsed.Megabytes": sc.uf(800, 9000),
            "DiskAvailable.Gigabytes": sc.uf(5, 40),
        }[name]
        return [
            line(
                "fe",
                f"{name}:{val:.1f}|#Level:Host|#hostname:{host},timestamp:{ts}",
                logger=f"pool-{sc.pick((2, 3))}-thread-{sc.ri(1, 3)} TS_METRICS",
            )
        ]
    if st == "vllm":
        run = max(0, int(load * 12) + sc.ri(-1, 2))
        return [
            line(
                "fe",
                f"Avg prompt throughput: {sc.uf(0, 900) * load:.1f} tokens/s, Avg generation throughput: "
                f"{sc.uf(5, 90) * (load + 0.1):.1f} tokens/s, Running: {run} reqs, Swapped: 0 reqs, Pending: 0 reqs, "
                f"GPU KV cache usage: {load * sc.uf(2, 40):.1f}%, CPU KV cache usage: 0.0%.",
                logger=f"metrics.py:{sc.pick((341, 351, 396))}",
            )
        ]
    return []


# ---------------------------------------------------------------------------
# benign lines
# ---------------------------------------------------------------------------
def benign(sc: Scene) -> Ev:
    """A warning, or an ``ERROR`` that is harmless, typical of the stack."""
    st = sc.stack
    opts: list[Ev]
    if st in ("sklearn", "byoc", "xgboost"):
        est = sc.pick(
            (
                "DecisionTreeClassifier",
                "RandomForestClassifier",
                "StandardScaler",
                "LogisticRegression",
                "Pipeline",
                "OneHotEncoder",
                "GradientBoostingRegressor",
            )
        )
        opts = [
            line(
                "raw",
                f"{sc.site}/sklearn/base.py:{sc.pick((318, 348, 376))}: InconsistentVersionWarning: Trying to unpickle "
                f"estimator {est} from version {sc.pick(('0.24.2', '1.0.2', '1.1.3', '1.3.0'))} when using version "
                f"{sc.pick(('1.2.1', '1.2.2', '1.4.2'))}. This might lead to breaking code or invalid results. Use at your own risk.",
            ),
            line(
                "raw",
                f"{sc.site}/sklearn/base.py:{sc.pick((439, 450, 493))}: UserWarning: X does not have valid feature names, "
                f"but {est} was fitted with feature names",
            ),
            line("raw", "  warnings.warn("),
            line(
                "nginx",
                "an upstream response is buffered to a temporary file /var/lib/nginx/tmp/proxy/1/00/0000000001 "
                "while reading upstream",
                "WARN",
            ),
            line(
                "nginx",
                f"client closed connection while waiting for request, client: {sc.style['ip']}, server: 0.0.0.0:8080",
                "INFO",
            ),
            line(
                "raw",
                f"{sc.site}/xgboost/core.py:{sc.pick((160, 617, 727))}: UserWarning: [{sc.ri(0, 23):02d}:{sc.ri(0, 59):02d}:"
                f"{sc.ri(0, 59):02d}] WARNING: /workspace/src/learner.cc:{sc.pick((553, 742))}: If you are loading a "
                "serialized model (like pickle in Python, RDS in R) generated by older XGBoost, please export the model "
                "by calling `Booster.save_model` from that version first, then load it back in current version.",
            ),
            line(
                "py",
                "Exception ignored in: <function _ConnectionBase.__del__ at 0x7f3c2a1d5e50>",
                "ERROR",
                sc.pick(("app", "sagemaker-containers")),
            ),
        ]
    elif st in ("torchserve", "hf_mms"):
        opts = [
            line(
                "worker_err",
                f"{sc.site}/torch/_utils.py:{sc.pick((776, 831))}: UserWarning: TypedStorage is deprecated. "
                "It will be removed in the future and UntypedStorage will be the only storage class.",
                "WARN",
            ),
            line(
                "worker_err",
                f"{sc.site}/transformers/tokenization_utils_base.py:{sc.pick((1601, 1617))}: FutureWarning: "
                "`clean_up_tokenization_spaces` was not set. It will be set to `True` by default.",
                "WARN",
            ),
            line(
                "fe",
                'nvidia-smi not available or failed: Cannot run program "nvidia-smi": error=2, No such file or directory',
                "ERROR",
                f"Thread-{sc.ri(2, 40)} {sc.style['jpkg']}.metrics.MetricCollector",
            ),
            line(
                "worker_err",
                "huggingface/tokenizers: The current process just got forked, after parallelism has already "
                "been used. Disabling parallelism to avoid deadlocks...",
                "WARN",
            ),
            line(
                "worker_err",
                f"Some weights of the model checkpoint at /opt/ml/model were not used when initializing "
                f"{sc.pick(('BertForSequenceClassification', 'RobertaModel', 'DistilBertModel'))}: "
                "['pooler.dense.bias', 'pooler.dense.weight']",
                "WARN",
            ),
            line("fe", "Model server is shutting down the metrics collector", "DEBUG", _fe(sc, "main", "ModelServer")),
        ]
    elif st == "djl_lmi":
        opts = [
            line("worker_err", "`torch_dtype` is deprecated! Use `dtype` instead!", "WARN"),
            line(
                "worker_err",
                "Special tokens have been added in the vocabulary, make sure the associated word "
                "embeddings are fine-tuned or trained.",
                "WARN",
            ),
            line(
                "fe",
                f"No option.max_rolling_batch_size set, using default {sc.pick((32, 64, 256))}",
                "WARN",
                "LmiUtils",
            ),
            line(
                "worker_err",
                "[W socket.cpp:663] [c10d] The client socket has failed to connect to [localhost]:29500 "
                "(errno: 99 - Cannot assign requested address).",
                "WARN",
            ),
        ]
    elif st == "tgi":
        opts = [
            line("fe", "Could not import Mamba: No module named 'mamba_ssm'", "WARN", "text_generation_launcher"),
            line(
                "fe",
                "no pipeline tag found for model /opt/ml/model",
                "WARN",
                f"text_generation_router: router/src/main.rs:{sc.pick((466, 512))}",
            ),
            line(
                "fe",
                "Unable to use Flash Attention V2: GPU with CUDA capability 7 5 is not supported for Flash Attention V2",
                "WARN",
                "text_generation_launcher",
            ),
            line("fe", "Method Health encountered an error: transient; retrying", "DEBUG", "text_generation_launcher"),
        ]
    elif st == "triton":
        opts = [
            line("fe", "Unable to get power limit for GPU 0. Status:Success, value:0.000000", "WARN", "metrics.cc:512"),
            line(
                "fe",
                f"The specified dimensions in model config for '{sc.model}' hints that batching is unavailable",
                "WARN",
                "model_config_utils.cc:1804",
            ),
            line("fe", "Failed to set config setting", "WARN", "model_lifecycle.cc:112"),
        ]
    elif st == "tfserving":
        opts = [
            line(
                "fe",
                f"Allocation of {sc.ri(100, 900) * 1000000} exceeds 10% of free system memory.",
                "WARN",
                "external/org_tensorflow/tensorflow/tsl/framework/cpu_allocator_impl.cc:83",
            ),
            line(
                "fe",
                "This TensorFlow binary is optimized to use available CPU instructions in performance-critical "
                "operations.\nTo enable the following instructions: AVX512F AVX512_VNNI FMA, in other operations, "
                "rebuild TensorFlow with the appropriate compiler flags.",
                "INFO",
                "external/org_tensorflow/tensorflow/core/platform/cpu_feature_guard.cc:182",
            ),
            line(
                "nginx",
                f"client closed connection while waiting for request, client: {sc.style['ip']}, server: 0.0.0.0:8080",
                "INFO",
            ),
        ]
    else:  # vllm
        opts = [
            line("fe", "Casting torch.bfloat16 to torch.float16.", "WARN", "config.py:1668"),
            line(
                "fe",
                "You are using a deprecated `pynvml` package. Please install `nvidia-ml-py` instead.",
                "WARN",
                "cuda.py:22",
            ),
            line(
                "fe",
                "Default sampling parameters have been overridden by the model's Hugging Face generation config.",
                "WARN",
                "serving_chat.py:87",
            ),
        ]
    return sc.pick(opts)


# ---------------------------------------------------------------------------
# worker death and restart (label-neutral: appears whatever killed the worker)
# ---------------------------------------------------------------------------
def worker_died(sc: Scene, *, loading: bool) -> list[Ev]:
    """What the frontend prints when the Python worker process goes away."""
    st = sc.stack
    if st in ("torchserve", "hf_mms"):
        state = "WORKER_STARTED" if loading else "WORKER_MODEL_LOADED"
        ev = [
            line(
                "fe",
                f"{sc.worker.split('-')[1] if st == 'torchserve' else '9000'} Worker disconnected. {state}",
                logger=_fe(sc, "epoll", "WorkerThread"),
            ),
            line("worker", "Backend worker process died."),
        ]
        if loading:
            ev.append(
                line(
                    "fe", f"Load model failed: {sc.model}, error: Worker died.", "WARN", _fe(sc, "W", "BatchAggregator")
                )
            )
        ev += [
            line("fe", f"{sc.worker} State change {state} -> WORKER_STOPPED", "DEBUG", _fe(sc, "W", "WorkerThread")),
            line("fe", f"terminateIOStreams() threadName={sc.worker}-stderr", "WARN", _fe(sc, "W", "WorkerLifeCycle")),
            line("fe", f"terminateIOStreams() threadName={sc.worker}-stdout", "WARN", _fe(sc, "W", "WorkerLifeCycle")),
            line(
                "fe",
                f"Retry worker: {sc.worker.split('-')[1] if st == 'torchserve' else '9000'} in "
                f"{sc.pick((1, 1, 2, 3, 5, 8))} seconds.",
                logger=_fe(sc, "W", "WorkerThread"),
            ),
        ]
        return ev
    if st == "djl_lmi":
        return [
            line("worker", f"{sc.ri(90, 400)} - Python process finished"),
            line("fe", f"Stop process: {19000 + sc.ri(0, 7)}", logger="PyProcess"),
        ]
    if st == "tgi":
        return [
            line(
                "fe", f"Shard {sc.ri(0, max(0, sc.inst.gpus - 1))} failed to start", "ERROR", "text_generation_launcher"
            ),
            line("fe", "Shutting down shards", logger="text_generation_launcher"),
            line("raw", "Error: ShardCannotStart"),
        ]
    if st == "triton":
        return [line("raw", "error: creating server: Internal - failed to load all models")]
    if st == "vllm":
        return [
            line(
                "fe",
                "Engine core proc EngineCore_0 died unexpectedly, shutting down client.",
                "ERROR",
                "core_client.py:369",
            )
            if sc.flavour == "v1"
            else line("fe", "AsyncLLMEngine has failed, terminating server process", "ERROR", "engine.py:158"),
            line("raw", "INFO:     Shutting down"),
            line("raw", "INFO:     Finished server process [1]"),
        ]
    if st == "tfserving":
        return [
            line(
                "py",
                f"unexpected tensorflow serving exit (status: {sc.pick((1, 9, 134, 137, 139))}). restarting.",
                "WARN",
            )
        ]
    if st == "byoc" and sc.flavour == "fastapi_uvicorn":
        return [line("fe", "Application startup failed. Exiting." if loading else "Shutting down")]
    if st == "byoc" and sc.flavour == "flask_dev":
        return []
    w = sc.ri(20, 400)
    if loading:
        return [
            line("fe", f"Worker exiting (pid: {w})"),
            line("fe", "Shutting down: Master"),
            line("fe", "Reason: Worker failed to boot."),
        ]
    return [line("fe", f"Booting worker with pid: {w}")]
