"""resource_exhaustion: the endpoint ran out of capacity.

Memory (host, GPU, JVM heap, direct buffers, shared memory, KV cache), disk,
workers/queues, threads and file descriptors, CPU. The evidence is an
allocator or kernel message, a saturation message from the frontend, or -
for the quiet cases - only the utilisation metrics.
"""

from __future__ import annotations

from training import noise
from training.signatures import signature
from training.signatures.common import (
    client_error,
    entry,
    jl,
    lib,
    load_error,
    load_func,
    needs_gunicorn,
    ping_reason,
    request_error,
    startup_failure,
    tb_events,
    timeout_client_error,
)
from training.story import RESOURCE, Ev, Scene, Story, block, line
from training.tb import Frame, java_trace, load_frames, render_tb, request_frames, user

ALL = ("sklearn", "xgboost", "torchserve", "tfserving", "hf_mms", "tgi", "djl_lmi", "triton", "byoc", "vllm")
GPU_STACKS = ("torchserve", "hf_mms", "tgi", "djl_lmi", "triton", "byoc", "vllm")


def _gib(x: float) -> str:
    return f"{x:.2f} GiB" if x >= 1 else f"{x * 1024:.2f} MiB"


def torch_cuda_oom(sc: Scene, *, torch_new: bool | None = None) -> str:
    """PyTorch's CUDA OOM message in one of its three historical formats."""
    tot = sc.inst.gpu_gib or 15.78
    req = sc.pick((0.02, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.5, 8.0)) * sc.uf(0.8, 1.3)
    free = min(req * sc.uf(0.05, 0.9), tot * 0.08)
    used = tot - free
    alloc = used * sc.uf(0.82, 0.97)
    fmt = sc.pick(("new", "mid", "old")) if torch_new is None else ("new" if torch_new else "old")
    if fmt == "new":
        cls = sc.pick(("torch.cuda.OutOfMemoryError", "torch.OutOfMemoryError", "torch.cuda.OutOfMemoryError"))
        return (
            f"{cls}: CUDA out of memory. Tried to allocate {_gib(req)}. GPU {sc.ri(0, max(0, sc.inst.gpus - 1))} "
            f"has a total capacity of {_gib(tot)} of which {_gib(free)} is free. Process {sc.ri(100, 9000)} has "
            f"{_gib(used)} memory in use. Of the allocated memory {_gib(alloc)} is allocated by PyTorch, and "
            f"{_gib(used - alloc)} is reserved by PyTorch but unallocated. If reserved but unallocated memory is large "
            "try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation "
            "for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)"
        )
    if fmt == "mid":
        return (
            f"torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate {_gib(req)} (GPU 0; {_gib(tot)} total "
            f"capacity; {_gib(alloc)} already allocated; {_gib(free)} free; {_gib(used)} reserved in total by PyTorch) "
            "If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation.  See "
            "documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF"
        )
    return (
        f"RuntimeError: CUDA out of memory. Tried to allocate {_gib(req)} (GPU 0; {_gib(tot)} total capacity; "
        f"{_gib(alloc)} already allocated; {_gib(free)} free; {_gib(used)} reserved in total by PyTorch)"
    )


def _torch_forward_frames(sc: Scene) -> list[Frame]:
    mod = sc.pick(("linear.py", "conv.py", "activation.py", "normalization.py", "sparse.py"))
    fn = {
        "linear.py": ("forward", "return F.linear(input, self.weight, self.bias)"),
        "conv.py": ("_conv_forward", "return F.conv2d(input, weight, bias, self.stride,"),
        "activation.py": ("forward", "return F.gelu(input, approximate=self.approximate)"),
        "normalization.py": ("forward", "return F.layer_norm("),
        "sparse.py": ("forward", "return F.embedding("),
    }[mod]
    return [
        lib(
            sc,
            "torch/nn/modules/module.py",
            sc.pick((1501, 1511, 1518, 1532, 1553)),
            "_call_impl",
            "return forward_call(*args, **kwargs)",
        ),
        lib(sc, f"torch/nn/modules/{mod}", sc.ri(100, 460), fn[0], fn[1]),
    ]


# ---------------------------------------------------------------------------
@signature("host_oom_killed", RESOURCE, ALL, weight=1.4)
def host_oom_killed(sc: Scene) -> Story:
    """The kernel OOM killer took the worker (SIGKILL / exit 137); often only metrics show why."""
    st, fl = sc.stack, sc.flavour
    quiet = sc.chance(0.22)
    ev: list[Ev] = []
    if st in ("sklearn", "xgboost", "byoc", "tfserving") and not (st == "byoc" and fl != "flask_gunicorn"):
        src = "gunicorn" if st == "tfserving" else "fe"
        pid = sc.ri(20, 400)
        ev += [
            line(
                src,
                sc.pick(
                    (
                        f"Worker (pid:{pid}) was sent SIGKILL! Perhaps out of memory?",
                        f"Worker with pid {pid} was terminated due to signal 9",
                    )
                ),
                "ERROR",
                key=True,
            )
        ]
        if st == "tfserving" and sc.chance(0.5):
            ev = [
                line(
                    "py",
                    f"unexpected tensorflow serving exit (status: {sc.pick((9, 137, -9))}). restarting.",
                    "WARN",
                    key=True,
                )
            ]
        ev += [
            line(
                "nginx",
                f"upstream prematurely closed connection while reading response header from upstream, client: "
                f'{sc.style["ip"]}, server: , request: "POST /invocations HTTP/1.1", upstream: '
                f'"http://unix:/tmp/gunicorn.sock:/invocations", host: "{sc.style["host"]}:8080"',
                "ERROR",
            ),
            *noise.request(sc, 502),
            line(src, f"Booting worker with pid: {pid + sc.ri(1, 30)}"),
        ]
    elif st in ("torchserve", "hf_mms"):
        if sc.chance(0.5):
            ev.append(
                line(
                    "fe",
                    f"Backend worker process exited with code: {sc.pick((137, -9))}",
                    "WARN",
                    jl(sc, "W", "WorkerLifeCycle"),
                    key=True,
                )
            )
        else:
            ev.append(
                line(
                    "raw",
                    sc.pick(
                        (
                            "Killed",
                            f"/usr/local/bin/dockerd-entrypoint.py: line 1: {sc.ri(30, 90)} Killed"
                            "                  python3 /opt/conda/bin/torchserve"
                            if st == "torchserve"
                            else "Killed",
                        )
                    ),
                    key=True,
                )
            )
        ev += noise.worker_died(sc, loading=False)
        ev += noise.request(sc, 503 if st == "torchserve" else 500)
    elif st == "djl_lmi":
        ev += [
            line("fe", "Python process exited with code: 137 (Killed)", "WARN", "PyProcess", key=True),
            *noise.worker_died(sc, loading=False),
        ]
    elif st == "tgi":
        ev += [
            line(
                "fe",
                f"Shard process was signaled to shutdown with signal 9 rank={sc.ri(0, max(0, sc.inst.gpus - 1))}",
                "ERROR",
                "shard-manager: text_generation_launcher",
                key=True,
            ),
            line("fe", "Webserver Crashed", "ERROR", "text_generation_launcher"),
            line("fe", "Shutting down shards", logger="text_generation_launcher"),
        ]
    elif st == "triton":
        ev += [
            line("fe", f"Stub process '{sc.model}_0_0' is not healthy.", "ERROR", "python_be.cc:1213"),
            line("raw", "Killed", key=True),
            line(
                "fe",
                f"Failed to process the request(s) for model '{sc.model}_0_0', message: Stub process "
                f"'{sc.model}_0_0' is not healthy.",
                "ERROR",
                "python_be.cc:1392",
            ),
        ]
    elif st == "vllm":
        ev += [
            line(
                "fe",
                "Engine process (pid 87) died. Exit code: -9 (SIGKILL), likely out of host memory",
                "ERROR",
                "engine.py:158",
                key=True,
            ),
            *noise.worker_died(sc, loading=False),
        ]
    else:  # byoc uvicorn / flask dev
        ev += [
            line("raw", "Killed", key=True),
            line("raw", f"/usr/bin/bash: line 1: {sc.ri(7, 60)} Killed   python {sc.entry}", key=True),
        ]
    if quiet:  # the metric-only variant: nothing explicit, only restarts and errors
        ev = [e for e in ev if not e.key]
        ev += noise.worker_boot(sc) + noise.ready(sc)[:2]
    return Story(
        events=ev,
        again=ev,
        repeats=(1, 3),
        effects=("mem_climb", "err5xx", "traffic_drop"),
        metric_only=quiet,
        all_instances=sc.chance(0.5),
        client_error=client_error(sc, sc.pick((502, 503, 500)), "upstream prematurely closed connection")
        if sc.chance(0.3)
        else timeout_client_error(sc),
    )


@signature(
    "cpu_memory_alloc_failure",
    RESOURCE,
    ("sklearn", "xgboost", "torchserve", "tfserving", "hf_mms", "byoc", "djl_lmi"),
    need="cpu",
)
def cpu_alloc(sc: Scene) -> Story:
    """An allocator refused host memory: MemoryError, numpy _ArrayMemoryError, torch DefaultCPUAllocator, TF cpu OOM."""
    st = sc.stack
    rows, cols = sc.ri(5000, 900000), sc.ri(64, 20000)
    size = rows * cols * 8 / 2**30
    if st in ("sklearn", "xgboost", "byoc"):
        exc = sc.pick(
            (
                f"numpy.core._exceptions._ArrayMemoryError: Unable to allocate {size:.2f} GiB for an array with "
                f"shape ({rows}, {cols}) and data type float64",
                f"numpy.core._exceptions.MemoryError: Unable to allocate {size:.1f} GiB for an array with shape "
                f"({rows}, {cols}) and data type float64",
                "MemoryError",
                f"xgboost.core.XGBoostError: [{sc.ri(0, 23):02d}:{sc.ri(0, 59):02d}:{sc.ri(0, 59):02d}] "
                "../src/common/host_device_vector.cc:107: std::bad_alloc",
            )
        )
        fn, pre, func = entry(sc, "predict")
        frames = pre + [
            user(
                sc,
                func,
                sc.pick(
                    (
                        "return model.predict_proba(input_data)",
                        "features = vectorizer.transform(docs)",
                        "X = np.vstack([row for row in batch])",
                        "return model.predict(dmatrix)",
                    )
                ),
            ),
            lib(
                sc,
                "numpy/core/shape_base.py",
                sc.pick((289, 296)),
                "vstack",
                "return _nx.concatenate(arrs, 0, dtype=dtype, casting=casting)",
            ),
        ]
    elif st == "tfserving":
        exc = (
            f"Resource exhausted: OOM when allocating tensor with shape[{sc.pick((64, 128, 256))},{sc.ri(100, 4000)},"
            f"{sc.ri(100, 4000)}] and type float on /job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu"
        )
        ev = [
            line("fe", exc, "ERROR", "external/org_tensorflow/tensorflow/core/framework/op_kernel.cc:1830", key=True),
            *noise.request(sc, 500),
        ]
        return Story(
            events=ev,
            effects=("mem_high", "err5xx"),
            partial=True,
            client_error=client_error(sc, 400, '{\\"error\\": \\"' + exc.replace('"', "'") + '\\"}'),
        )
    else:
        exc = (
            f"RuntimeError: [enforce fail at alloc_cpu.cpp:{sc.pick((66, 75, 83, 117))}] . DefaultCPUAllocator: can't allocate "
            f"memory: you tried to allocate {sc.ri(200, 9000) * 2**20} bytes. Error code 12 (Cannot allocate memory)"
        )
        fn, pre, func = entry(sc, "predict")
        frames = pre + [user(sc, func, "output = model(**inputs)")] + _torch_forward_frames(sc)
    events, client = request_error(sc, fn, frames, exc, exc.split(": ", 1)[-1])
    return Story(events=events, effects=("mem_high", "err5xx"), partial=True, client_error=client)


@signature("cuda_oom", RESOURCE, GPU_STACKS, need="gpu", weight=1.4)
def cuda_oom(sc: Scene) -> Story:
    """GPU memory exhausted while serving (large batch, long input, concurrent requests)."""
    st = sc.stack
    msg = torch_cuda_oom(sc)
    short = msg.split(": ", 1)[1]
    if st == "tgi":
        router = (
            f"generate{{parameters=GenerateParameters {{ max_new_tokens: Some({sc.pick((512, 1024, 2048))}) }}}}:"
            f"generate_stream:infer:send_error: text_generation_router::infer: router/src/infer.rs:{sc.pick((562, 596, 823))}"
        )
        lines, keys = render_tb(
            sc,
            [
                lib(
                    sc,
                    "text_generation_server/models/flash_causal_lm.py",
                    sc.ri(900, 1600),
                    "generate_token",
                    "out, speculative_logits = self.forward(batch, adapter_data)",
                ),
                lib(
                    sc,
                    "text_generation_server/models/flash_causal_lm.py",
                    sc.ri(800, 1500),
                    "forward",
                    "logits, speculative_logits = self.model.forward(",
                ),
            ]
            + _torch_forward_frames(sc),
            msg,
        )
        ev = [
            block(
                "fe",
                ["Method Decode encountered an error."] + lines,
                [k + 1 for k in keys],
                "ERROR",
                "text_generation_launcher",
            ),
            line("fe", f"Request failed during generation: Server error: {short[:160]}", "ERROR", router, key=True),
        ]
        return Story(
            events=ev,
            again=ev[1:],
            effects=("gpu_mem_high", "err5xx", "latency_spike"),
            partial=True,
            client_error=client_error(
                sc,
                424,
                '{\\"error\\":\\"Request failed during generation: Server error: '
                + short[:120]
                + '\\",\\"error_type\\":\\"generation\\"}',
            ),
        )
    if st == "vllm":
        frames = (
            request_frames(sc, "generate")
            + [
                lib(
                    sc,
                    "vllm/worker/model_runner.py",
                    sc.ri(1500, 1800),
                    "execute_model",
                    "hidden_or_intermediate_states = model_executable(",
                )
            ]
            + _torch_forward_frames(sc)
        )
        ev = tb_events(sc, frames, msg) + noise.worker_died(sc, loading=False)
        return Story(
            events=ev,
            effects=("gpu_mem_high", "err5xx", "traffic_drop"),
            client_error=client_error(sc, 500, "Internal Server Error"),
        )
    fn, pre, func = entry(sc, "predict")
    frames = pre + [
        user(
            sc,
            func,
            sc.pick(
                (
                    "outputs = model.generate(**inputs, max_new_tokens=512)",
                    "logits = self.model(batch)",
                    "embeddings = model(**encoded).last_hidden_state",
                    "out = self.net(images.to(self.device))",
                )
            ),
        )
    ]
    frames += _torch_forward_frames(sc)
    events, client = request_error(sc, fn, frames, msg, short[:200])
    return Story(events=events, effects=("gpu_mem_high", "err5xx"), partial=True, client_error=client)


@signature("tf_resource_exhausted", RESOURCE, ("tfserving", "triton", "byoc", "hf_mms"), need="gpu")
def tf_oom(sc: Scene) -> Story:
    """TensorFlow's BFC allocator ran out of GPU memory (``ResourceExhaustedError`` / ``OOM when allocating``)."""
    b = sc.pick((32, 64, 96, 128, 200, 256))
    shape = f"[{b},{sc.pick((64, 128, 256, 512))},{sc.pick((56, 112, 160, 224))},{sc.pick((56, 112, 160, 224))}]"
    oom = (
        f"OOM when allocating tensor with shape{shape} and type float on /job:localhost/replica:0/task:0/device:GPU:0 "
        f"by allocator GPU_0_bfc"
    )
    hint = "Hint: If you want to see a list of allocated tensors when OOM happens, add report_tensor_allocations_upon_oom to RunOptions for current allocation info."
    if sc.stack == "tfserving":
        ev = [
            line(
                "fe",
                f"Allocator (GPU_0_bfc) ran out of memory trying to allocate {sc.uf(1, 9):.2f}GiB "
                f"(rounded to {sc.ri(10**9, 9 * 10**9)})requested by op {sc.pick(('conv2d/Conv2D', 'model/dense/MatMul', 'StatefulPartitionedCall/resnet50/conv1_conv/Conv2D'))}",
                "WARN",
                "external/org_tensorflow/tensorflow/tsl/framework/bfc_allocator.cc:485",
                key=True,
            ),
            line(
                "fe",
                f"Resource exhausted: {oom}",
                "WARN",
                "external/org_tensorflow/tensorflow/core/framework/op_kernel.cc:1828",
                key=True,
            ),
            *noise.request(sc, 500),
        ]
        body = '{\\"error\\": \\"' + oom + "\\n\\t [[{{node conv2d/Conv2D}}]]\\n" + hint + '\\"}'
        return Story(
            events=ev, effects=("gpu_mem_high", "err5xx"), partial=True, client_error=client_error(sc, 400, body)
        )
    if sc.stack == "triton":
        ev = [
            line(
                "fe",
                f"Failed to process the request(s) for model instance '{sc.model}_0', message: "
                f"Resource exhausted: {oom}",
                "ERROR",
                "tensorflow.cc:2181",
                key=True,
            )
        ]
        return Story(
            events=ev,
            effects=("gpu_mem_high", "err5xx"),
            partial=True,
            client_error=client_error(sc, 400, '{\\"error\\":\\"' + oom + '\\"}'),
        )
    exc = [
        f"tensorflow.python.framework.errors_impl.ResourceExhaustedError: {oom} [Op:{sc.pick(('Conv2D', 'MatMul', 'AddV2'))}]"
    ]
    fn, pre, func = entry(sc, "predict")
    frames = pre + [
        user(sc, func, sc.pick(("preds = model.predict(batch)", "outputs = model(inputs, training=False)"))),
        lib(sc, "keras/utils/traceback_utils.py", 70, "error_handler", "raise e.with_traceback(filtered_tb) from None"),
    ]
    events, client = request_error(sc, fn, frames, exc, oom)
    return Story(events=events, effects=("gpu_mem_high", "err5xx"), partial=True, client_error=client)


@signature("llm_kv_cache_oom", RESOURCE, ("tgi", "vllm", "djl_lmi"), need="gpu", weight=1.2)
def kv_cache(sc: Scene) -> Story:
    """The LLM server cannot fit its KV cache / warm-up batch in the GPU memory left after the weights."""
    st = sc.stack
    tokens = sc.pick((1024, 2048, 4096, 8192, 16384, 32000))
    if st == "tgi":
        msg = f"Not enough memory to handle {tokens} prefill tokens. You need to decrease `--max-batch-prefill-tokens`"
        frames = [
            lib(
                sc,
                "text_generation_server/server.py",
                sc.ri(80, 130),
                "Warmup",
                "max_supported_total_tokens = self.model.warmup(batch)",
            ),
            lib(
                sc,
                "text_generation_server/models/flash_causal_lm.py",
                sc.ri(700, 1300),
                "warmup",
                "raise RuntimeError(",
            ),
        ]
        lines, keys = render_tb(sc, frames, f"RuntimeError: {msg}")
        ev = (
            noise.startup(sc)
            + noise.tgi_ready(sc)[:-3]
            + [
                block(
                    "fe",
                    ["Method Warmup encountered an error."] + lines,
                    [k + 1 for k in keys],
                    "ERROR",
                    "text_generation_launcher",
                ),
                line(
                    "fe",
                    f"Server error: {msg}",
                    "ERROR",
                    f"warmup{{max_input_length={tokens // 2} max_prefill_tokens={tokens} max_total_tokens={tokens * 2}}}:warmup: "
                    f"text_generation_client: router/client/src/lib.rs:33",
                    key=True,
                ),
                line("raw", f'Error: Warmup(Generation("{msg}"))', key=True),
                *noise.worker_died(sc, loading=True),
            ]
        )
        return startup_failure(sc, ev, effects=("gpu_mem_high",))
    if st == "vllm" or sc.chance(0.5):
        kv = sc.ri(400, tokens - 1)
        msg = sc.pick(
            (
                f"ValueError: The model's max seq len ({tokens}) is larger than the maximum number of tokens that "
                f"can be stored in KV cache ({kv}). Try increasing `gpu_memory_utilization` or decreasing "
                "`max_model_len` when initializing the engine.",
                "ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` "
                "when initializing the engine.",
                f"RuntimeError: CUDA out of memory occurred when warming up sampler with {sc.pick((256, 512, 2048))} "
                "dummy requests. Please try lowering `max_num_seqs` or `gpu_memory_utilization` when "
                "initializing the engine.",
            )
        )
        frames = [
            lib(sc, "vllm/engine/llm_engine.py", sc.ri(300, 500), "__init__", "self._initialize_kv_caches()"),
            lib(
                sc,
                "vllm/engine/llm_engine.py",
                sc.ri(420, 560),
                "_initialize_kv_caches",
                "self.model_executor.initialize_cache(num_gpu_blocks, num_cpu_blocks)",
            ),
            lib(sc, "vllm/worker/worker.py", sc.ri(250, 320), "_raise_if_cache_size_invalid", "raise ValueError("),
        ]
        base = load_frames(sc) if st == "vllm" else load_frames(sc)[:2]
        ev = noise.startup(sc)[:3] + [
            line(
                "fe",
                f"# GPU blocks: {sc.ri(0, 300)}, # CPU blocks: {sc.pick((512, 2048))}",
                logger="gpu_executor.py:122",
            )
        ]
        ev += load_error(sc, frames, msg, msg.split(": ", 1)[1], base=base)
        return startup_failure(sc, ev, effects=("gpu_mem_high",))
    msg = torch_cuda_oom(sc)
    frames = [
        lib(
            sc,
            "djl_python/rolling_batch/lmi_dist_rolling_batch.py",
            sc.ri(80, 140),
            "__init__",
            "self.engine.warmup(max_prefill_tokens)"
            if sc.chance(0.5)
            else "self.engine = engine_from_args(engine_args)",
        ),
        lib(
            sc, "lmi_dist/models/flash_causal_lm.py", sc.ri(600, 900), "warmup", "_, batch = self.generate_token(batch)"
        ),
    ]
    ev = noise.startup(sc) + load_error(sc, frames, msg, "CUDA out of memory during warmup")
    return startup_failure(sc, ev, effects=("gpu_mem_high",))


@signature("jvm_heap_oom", RESOURCE, ("torchserve", "hf_mms", "djl_lmi"))
def jvm_oom(sc: Scene) -> Story:
    """The Java frontend (TorchServe / MMS / DJL) ran out of heap or direct buffer memory."""
    kind = sc.pick(("heap", "direct", "netty", "gc"))
    size = sc.pick((16777216, 33554432, 8388608, 4194304))
    exc = {
        "heap": "java.lang.OutOfMemoryError: Java heap space",
        "direct": f"java.lang.OutOfMemoryError: Cannot reserve {size} bytes of direct buffer memory "
        f"(allocated: {sc.ri(10**9, 2 * 10**9)}, limit: {2**30 * sc.pick((1, 2))})",
        "netty": f"io.netty.util.internal.OutOfDirectMemoryError: failed to allocate {size} byte(s) of direct memory "
        f"(used: {sc.ri(10**9, 2 * 10**9)}, max: {2**30 * sc.pick((1, 2))})",
        "gc": "java.lang.OutOfMemoryError: GC overhead limit exceeded",
    }[kind]
    frames = {
        "heap": [
            "JDK:java.util.Arrays.copyOf(Arrays.java:3537)",
            "JDK:java.io.ByteArrayOutputStream.ensureCapacity(ByteArrayOutputStream.java:100)",
            "io.netty.handler.codec.http.HttpObjectAggregator.handleOversizedMessage(HttpObjectAggregator.java:276)",
        ],
        "direct": [
            "JDK:java.nio.Bits.reserveMemory(Bits.java:178)",
            "JDK:java.nio.DirectByteBuffer.<init>(DirectByteBuffer.java:121)",
            "JDK:java.nio.ByteBuffer.allocateDirect(ByteBuffer.java:332)",
            "io.netty.buffer.PoolArena$DirectArena.allocateDirect(PoolArena.java:649)",
        ],
        "netty": [
            "io.netty.util.internal.PlatformDependent.incrementMemoryCounter(PlatformDependent.java:843)",
            "io.netty.util.internal.PlatformDependent.allocateDirectNoCleaner(PlatformDependent.java:772)",
            "io.netty.buffer.PoolArena$DirectArena.allocateDirect(PoolArena.java:701)",
            "io.netty.buffer.PoolArena$DirectArena.newChunk(PoolArena.java:676)",
        ],
        "gc": [
            "JDK:java.util.HashMap.resize(HashMap.java:702)",
            f"{sc.style['jpkg']}.metrics.MetricCache.add(MetricCache.java:88)",
        ],
    }[kind]
    trace = java_trace(exc, frames, jdk_prefix=sc.chance(0.7))
    if sc.stack == "djl_lmi":
        ev = [
            line("fe", "Unexpected error", "ERROR", "ServerInitializer"),
            block("fe", trace, (0,), "ERROR", "ServerInitializer"),
        ]
    else:
        thread = sc.pick(("epoll", "W", "pool"))
        ev = [
            line("fe", "", "ERROR", jl(sc, thread, sc.pick(("HttpRequestHandler", "WorkerThread"))))
            if sc.chance(0.4)
            else line("fe", "Unknown exception", "ERROR", jl(sc, thread, "HttpRequestHandler")),
            block("fe", trace, (0,), "ERROR", jl(sc, thread, "HttpRequestHandler")),
        ]
    ev += noise.request(sc, sc.pick((500, 507, 503)))
    return Story(
        events=ev,
        again=ev[1:2],
        effects=("mem_high", "err5xx", "latency_climb"),
        partial=True,
        client_error=client_error(sc, 507, "Insufficient Storage") if kind != "gc" and sc.chance(0.3) else None,
    )


@signature("disk_full", RESOURCE, ALL, weight=1.2)
def disk_full(sc: Scene) -> Story:
    """The instance volume filled up (weights download, archive extraction, temp files, logs)."""
    st = sc.stack
    path = sc.pick(("/tmp", "/opt/ml/model", "/home/model-server/tmp", "/.sagemaker/ts/models", "/tmp/.djl.ai"))
    if st == "tgi":
        err = 'Os { code: 28, kind: StorageFull, message: "No space left on device" }'
        ev = noise.startup(sc)[:3] + [
            line(
                "fe",
                f"Download file: model-000{sc.ri(10, 29)}-of-000{sc.ri(30, 61)}.safetensors",
                logger="download: text_generation_launcher",
            ),
            line(
                "fe",
                f"Download encountered an error: {sc.pick(('Error while downloading', 'IO error'))}: {err}",
                "ERROR",
                "download: text_generation_launcher",
                key=True,
            ),
            line("raw", "Error: DownloadError"),
        ]
        return startup_failure(sc, ev, effects=("disk_full",))
    if st == "djl_lmi":
        ev = noise.startup(sc)[:4] + [
            line(
                "worker_err",
                f'ERROR: failed to download "s3://{sc.style["bucket"]}/{sc.style["prefix"]}/model-0000'
                f'{sc.ri(2, 9)}-of-00015.safetensors": write /tmp/.djl.ai/download/{sc.hexs(40)}/model.safetensors: '
                "no space left on device",
                "WARN",
                key=True,
            ),
            line(
                "fe",
                f"Failed to download model from s3://{sc.style['bucket']}/{sc.style['prefix']}",
                "ERROR",
                "ModelInfo",
            ),
            block(
                "fe",
                java_trace(
                    "java.io.IOException: No space left on device",
                    [
                        "JDK:sun.nio.ch.FileDispatcherImpl.write0(Native Method)",
                        "JDK:sun.nio.ch.FileChannelImpl.write(FileChannelImpl.java:289)",
                        "ai.djl.util.Utils.copy(Utils.java:214)",
                    ],
                ),
                (0,),
                "ERROR",
                "ModelServer",
            ),
        ]
        return startup_failure(sc, ev, effects=("disk_full",))
    if st in ("torchserve", "hf_mms") and sc.chance(0.5):
        ev = noise.startup(sc)[:2] + [
            line(
                "fe", f"Failed to extract model archive: {path}/{sc.model}.mar", "ERROR", jl(sc, "main", "ModelServer")
            ),
            block(
                "fe",
                java_trace(
                    "java.io.IOException: No space left on device",
                    [
                        "JDK:java.io.FileOutputStream.writeBytes(Native Method)",
                        "JDK:java.io.FileOutputStream.write(FileOutputStream.java:354)",
                        "org.apache.commons.io.IOUtils.copyLarge(IOUtils.java:1309)",
                        f"{sc.style['jpkg']}.archive.utils.ZipUtils.unzip(ZipUtils.java:68)",
                    ],
                ),
                (0,),
                "ERROR",
                jl(sc, "main", "ModelServer"),
            ),
        ]
        return startup_failure(sc, ev, effects=("disk_full",))
    if st == "triton":
        ev = noise.startup(sc)[:5] + [
            line(
                "fe",
                f"failed to load '{sc.model}' version 1: Internal: Failed to write file "
                f"{path}/folder{sc.hexs(6)}/1/model.plan: No space left on device",
                "ERROR",
                "model_lifecycle.cc:626",
                key=True,
            ),
            line("raw", "error: creating server: Internal - failed to load all models"),
        ]
        return startup_failure(sc, ev, effects=("disk_full",))
    if st == "vllm":
        exc = "OSError: [Errno 28] No space left on device"
        frames = [lib(sc, "huggingface_hub/file_download.py", sc.ri(400, 1600), "http_get", "temp_file.write(chunk)")]
        ev = noise.startup(sc)[:2] + load_error(sc, frames, exc, "No space left on device")
        return startup_failure(sc, ev, effects=("disk_full",))
    if st == "tfserving" and sc.chance(0.5):
        ev = [
            line(
                "fe",
                f"Could not create directory {path}/tfhub_modules: No space left on device",
                "ERROR",
                "external/org_tensorflow/tensorflow/core/platform/default/posix_file_system.cc:321",
                key=True,
            ),
            line(
                "nginx",
                'open() "/var/lib/nginx/tmp/client_body/0000000013" failed (28: No space left on device)',
                "CRITICAL",
                key=True,
            ),
            *noise.request(sc, 500),
        ]
        return Story(events=ev, effects=("disk_full", "err5xx"))
    # runtime: the user's code or the server writes temp files per request
    exc = sc.pick(
        (
            "OSError: [Errno 28] No space left on device",
            f"OSError: [Errno 28] No space left on device: '{path}/{sc.hexs(8)}.jpg'",
            "OSError: [Errno 28] No space left on device: '/tmp/tmp" + sc.hexs(8) + "'",
        )
    )
    fn, pre, func = entry(sc, "input")
    frames = pre + [
        user(
            sc,
            func,
            sc.pick(
                (
                    "with open(tmp_path, 'wb') as f:",
                    "image.save(tmp_file)",
                    "f.write(request_body)",
                    "np.save(cache_path, features)",
                )
            ),
        )
    ]
    events, client = request_error(sc, fn, frames, exc, exc.split(": ", 1)[1])
    if st in ("sklearn", "xgboost", "byoc", "tfserving") and sc.chance(0.5):
        events.insert(
            0,
            line(
                "nginx",
                'write() to "/var/log/nginx/access.log" failed (28: No space left on device) while logging request',
                "CRITICAL",
                key=True,
            ),
        )
    return Story(events=events, effects=("disk_full", "err5xx"), partial=True, client_error=client)


@signature(
    "worker_saturation_503", RESOURCE, ("torchserve", "hf_mms", "djl_lmi", "tgi", "vllm", "triton", "byoc"), weight=1.2
)
def saturation(sc: Scene) -> Story:
    """More requests than workers/queue slots: 503 / 429 / queue full under a traffic spike."""
    needs_gunicorn(sc)
    st = sc.stack
    if st == "torchserve":
        msg = sc.pick(
            (
                f'Model "{sc.model}" has no worker to serve inference request. Please use scale workers API to add workers.',
                f'Model "{sc.model}" Version 1.0 has no worker to serve inference request. Please use scale workers '
                "API to add workers. If this is a sequence inference, please check if it is closed, or expired; or "
                "exceeds maxSequenceJobQueueSize",
            )
        )
        ev = [
            line(
                "fe",
                f"Job queue is full for model {sc.model}, rejecting request",
                "WARN",
                jl(sc, "epoll", "WorkLoadManager"),
                key=True,
            )
            if sc.chance(0.5)
            else line("fe", msg, "WARN", jl(sc, "epoll", "InferenceRequestHandler"), key=True),
            *noise.request(sc, 503),
        ]
        client = client_error(
            sc,
            503,
            '{\\n  \\"code\\": 503,\\n  \\"type\\": \\"ServiceUnavailableException\\",\\n  \\"message\\": \\"'
            + msg.replace('"', "'")
            + '\\"\\n}\\n',
        )
    elif st == "hf_mms":
        msg = f"No worker is available to serve request: {sc.model}"
        ev = [line("fe", msg, "WARN", jl(sc, "epoll", "HttpRequestHandler"), key=True), *noise.request(sc, 503)]
        client = client_error(sc, 503, msg)
    elif st == "djl_lmi":
        ev = [
            line(
                "fe",
                sc.pick(
                    (
                        "Worker pool is busy, rejecting request",
                        "Job queue is full, current size: 1000",
                        f"All workers are busy for model {sc.model}",
                    )
                ),
                "WARN",
                "WorkLoadManager",
                key=True,
            )
        ]
        client = client_error(
            sc,
            503,
            '{\\n  \\"code\\": 503,\\n  \\"type\\": \\"ServiceUnavailableException\\",\\n'
            '  \\"message\\": \\"Worker pool is busy\\"\\n}',
        )
    elif st == "tgi":
        ev = [
            line(
                "fe",
                "Model is overloaded",
                "ERROR",
                f"compat_generate{{default_return_full_text=true}}:generate_stream: text_generation_router::server: "
                f"router/src/server.rs:{sc.pick((548, 1113, 866))}",
                key=True,
            )
        ]
        client = client_error(sc, 429, '{\\"error\\":\\"Model is overloaded\\",\\"error_type\\":\\"overloaded\\"}')
    elif st == "vllm":
        ev = [
            line(
                "fe",
                f"Sequence group {sc.ri(10, 9000)} is preempted by PreemptionMode.RECOMPUTE mode because there "
                "is not enough KV cache space. This can affect the end-to-end performance. Increase "
                f"gpu_memory_utilization or tensor_parallel_size to provide more KV cache memory. "
                f"total_num_cumulative_preemption={sc.ri(1, 500)}",
                "WARN",
                "scheduler.py:1089",
                key=True,
            ),
            line(
                "fe",
                f"Avg prompt throughput: {sc.uf(1000, 9000):.1f} tokens/s, Avg generation throughput: "
                f"{sc.uf(200, 900):.1f} tokens/s, Running: {sc.ri(200, 256)} reqs, Swapped: {sc.ri(0, 40)} reqs, "
                f"Pending: {sc.ri(50, 900)} reqs, GPU KV cache usage: {sc.uf(97, 100):.1f}%, CPU KV cache usage: "
                f"{sc.uf(0, 40):.1f}%.",
                logger="metrics.py:351",
                key=True,
            ),
        ]
        client = timeout_client_error(sc)
    elif st == "triton":
        ev = [line("fe", "Exceeds maximum queue size", "ERROR", "dynamic_batch_scheduler.cc:371", key=True)]
        client = client_error(sc, 400, '{{\\"error\\":\\"Exceeds maximum queue size\\"}}')
    else:
        ev = [
            line(
                "nginx",
                f"*{sc.ri(2000, 90000)} connect() to unix:/tmp/gunicorn.sock failed (11: Resource temporarily "
                f"unavailable) while connecting to upstream, client: {sc.style['ip']}, server: , request: "
                '"POST /invocations HTTP/1.1", upstream: "http://unix:/tmp/gunicorn.sock:/invocations"',
                "ERROR",
                key=True,
            ),
            *noise.request(sc, 502),
        ]
        client = client_error(sc, 502, "<html>\\r\\n<head><title>502 Bad Gateway</title></head>")
    return Story(
        events=ev,
        again=ev,
        repeats=(3, 12),
        effects=("traffic_spike", "err5xx", "latency_climb", "cpu_high"),
        partial=True,
        client_error=client,
    )


@signature("worker_timeout_under_load", RESOURCE, ("sklearn", "xgboost", "byoc", "tfserving", "torchserve"), need="cpu")
def worker_timeout(sc: Scene) -> Story:
    """Slow responses under load: gunicorn WORKER TIMEOUT / nginx upstream timed out while CPU is pegged."""
    needs_gunicorn(sc)
    st = sc.stack
    if st == "torchserve":
        ev = [
            line(
                "fe",
                f"Number or consecutive unsuccessful inference {sc.ri(1, 5)}",
                "ERROR",
                jl(sc, "W", "WorkerThread"),
            ),
            line("fe", "Backend worker error", "ERROR", jl(sc, "W", "WorkerThread")),
            line(
                "fe",
                f"{sc.worker} State change WORKER_MODEL_LOADED -> WORKER_STOPPED",
                "DEBUG",
                jl(sc, "W", "WorkerThread"),
            ),
            line(
                "fe",
                f"Auto recovery start timestamp: {1690000000000 + sc.ri(0, 90000000000)}",
                logger=jl(sc, "W", "WorkerThread"),
            ),
            line(
                "fe",
                f"Job queue for model {sc.model} has {sc.ri(100, 1000)} pending requests",
                "WARN",
                jl(sc, "W", "WorkLoadManager"),
                key=True,
            ),
            *noise.request(sc, 503),
        ]
    else:
        src = "gunicorn" if st == "tfserving" else "fe"
        pid = sc.ri(20, 400)
        ev = [
            line(src, f"WORKER TIMEOUT (pid:{pid})", "CRITICAL"),
            line(
                "nginx",
                f"upstream timed out (110: Connection timed out) while reading response header from upstream, "
                f'client: {sc.style["ip"]}, server: , request: "POST /invocations HTTP/1.1", upstream: '
                f'"http://unix:/tmp/gunicorn.sock/invocations", host: "{sc.style["host"]}:8080"',
                "ERROR",
                key=True,
            ),
            line(
                "nginx",
                f"*{sc.ri(100, 9000)} {sc.pick(('1024', '768', '4096'))} worker_connections are not enough while "
                "connecting to upstream",
                "ALERT",
                key=True,
            )
            if sc.chance(0.5)
            else line(
                src,
                f"Worker (pid:{pid}) was sent SIGKILL! Perhaps out of memory?"
                if sc.chance(0.2)
                else f"Booting worker with pid: {pid + 3}",
            ),
            *noise.request(sc, 504),
        ]
    return Story(
        events=ev,
        again=ev,
        repeats=(2, 8),
        effects=("cpu_high", "traffic_spike", "latency_climb", "err5xx", "timeouts"),
        partial=True,
        client_error=timeout_client_error(sc),
    )


@signature("ping_timeout_saturation", RESOURCE, ("sklearn", "xgboost", "byoc", "torchserve", "hf_mms", "tfserving"))
def ping_saturation(sc: Scene) -> Story:
    """Health checks time out because every worker is busy; SageMaker replaces the instance."""
    needs_gunicorn(sc)
    st = sc.stack
    if st in ("torchserve", "hf_mms"):
        ev = [
            line(
                "fe",
                f"Job queue for model {sc.model} is full ({sc.pick((100, 1000))}/{sc.pick((100, 1000))}), /ping "
                "waited for a worker",
                "WARN",
                jl(sc, "epoll", "HttpRequestHandler"),
                key=True,
            ),
            *noise.ping(sc, 500),
            *noise.request(sc, 503),
        ]
    else:
        ev = [
            line(
                "nginx",
                f"upstream timed out (110: Connection timed out) while reading response header from upstream, "
                f'client: {sc.style["ip"]}, server: , request: "GET /ping HTTP/1.1", upstream: '
                f'"http://unix:/tmp/gunicorn.sock/ping", host: "{sc.style["host"]}:8080"',
                "ERROR",
                key=True,
            ),
            *noise.ping(sc, 504),
            *noise.request(sc, 504),
        ]
    reason = sc.pick(
        (
            None,
            f"Instance {sc.pick(('i-0', 'i-1'))}{sc.hexs(16)} failed health checks and is being replaced. "
            "Check the endpoint's CloudWatch metrics for CPU and memory utilization.",
        )
    )
    return Story(
        events=ev,
        again=ev,
        repeats=(3, 10),
        effects=("cpu_high", "traffic_spike", "latency_climb", "err5xx"),
        partial=True,
        failure_reason=reason,
        status="InService" if reason is None else "Updating",
        client_error=timeout_client_error(sc),
    )


@signature("jvm_gc_thrashing", RESOURCE, ("torchserve", "hf_mms", "djl_lmi"))
def gc_thrash(sc: Scene) -> Story:
    """Long JVM GC pauses in the frontend: latency climbs and requests time out."""
    heap = sc.pick((512, 1024, 2048, 3932))
    pauses = [
        line(
            "raw",
            f"[{sc.uf(100, 9000):.3f}s][info][gc] GC({sc.ri(100, 9000)}) Pause Full (Allocation Failure) "
            f"{heap - sc.ri(1, 40)}M->{heap - sc.ri(0, 20)}M({heap}M) {sc.uf(900, 9000):.3f}ms",
            key=True,
        )
        if sc.chance(0.6)
        else line(
            "raw",
            f"[Full GC (Ergonomics)  {heap * 1000 - sc.ri(0, 900)}K->{heap * 1000 - sc.ri(900, 2000)}K"
            f"({heap * 1024}K), {sc.uf(1.5, 9):.7f} secs]",
            key=True,
        )
        for _ in range(sc.ri(2, 4))
    ]
    ev = pauses + [
        line("fe", f"Backend response time: {sc.ri(8000, 60000)}", logger=jl(sc, "W", "WorkerThread"))
        if sc.stack != "djl_lmi"
        else line("fe", "Request timed out after 60000 ms", "WARN", "WorkerThread")
    ]
    if sc.chance(0.4):
        ev.append(
            block(
                "fe",
                java_trace(
                    "java.lang.OutOfMemoryError: GC overhead limit exceeded",
                    ["JDK:java.lang.StringBuilder.toString(StringBuilder.java:453)"],
                ),
                (0,),
                "ERROR",
                jl(sc, "pool", "MetricCollector") if sc.stack != "djl_lmi" else "ModelServer",
            )
        )
    return Story(
        events=ev,
        again=pauses,
        repeats=(2, 6),
        effects=("mem_high", "latency_climb", "cpu_high"),
        partial=True,
        client_error=timeout_client_error(sc),
    )


@signature(
    "model_too_large",
    RESOURCE,
    ("torchserve", "hf_mms", "djl_lmi", "tgi", "vllm", "byoc", "triton", "sklearn"),
    weight=1.2,
)
def too_large(sc: Scene) -> Story:
    """The model does not fit the instance: loading it exhausts host or GPU memory and the container never gets healthy."""
    st = sc.stack
    host = not sc.gpu or sc.chance(0.35)
    params = sc.pick((7, 13, 20, 34, 40, 70))
    if st == "tgi":
        frames = [
            lib(
                sc,
                "text_generation_server/models/flash_llama.py",
                sc.ri(60, 90),
                "__init__",
                "model = FlashLlamaForCausalLM(prefix, config, weights)",
            ),
            lib(
                sc,
                "text_generation_server/utils/weights.py",
                sc.ri(90, 400),
                "get_tensor",
                "tensor = tensor.to(device=self.device)",
            ),
        ]
        ev = noise.startup(sc) + load_error(sc, frames, torch_cuda_oom(sc), "CUDA out of memory while loading weights")
        return startup_failure(sc, ev, effects=("gpu_mem_high",))
    if st == "sklearn":
        ev = noise.startup(sc) + [
            line("fe", f"Worker (pid:{sc.ri(20, 400)}) was sent SIGKILL! Perhaps out of memory?", "ERROR", key=True),
            line("fe", f"Booting worker with pid: {sc.ri(20, 400)}"),
        ]
        return startup_failure(sc, ev, effects=("mem_climb",), reason=ping_reason(sc))
    if host:
        exc = (
            f"RuntimeError: [enforce fail at alloc_cpu.cpp:{sc.pick((66, 75, 83))}] . DefaultCPUAllocator: can't allocate "
            f"memory: you tried to allocate {sc.ri(1, 9) * 2**30 + sc.ri(0, 2**29)} bytes. Error code 12 (Cannot allocate memory)"
        )
        frames = [
            user(
                sc,
                load_func(sc),
                sc.pick(
                    (
                        "model = AutoModelForCausalLM.from_pretrained(model_dir)",
                        "state = torch.load(path)",
                        "model = torch.jit.load(model_path)",
                    )
                ),
            ),
            lib(sc, "torch/serialization.py", sc.pick((1014, 1028, 1097)), "load", "return _load("),
        ]
        if st == "triton":
            ev = noise.startup(sc) + [
                line(
                    "fe",
                    f"Stub process for model '{sc.model}_0_0' exited unexpectedly: Killed",
                    "ERROR",
                    "stub_launcher.cc:420",
                    key=True,
                ),
                line("raw", "error: creating server: Internal - failed to load all models"),
            ]
            return startup_failure(sc, ev, effects=("mem_climb",))
        if sc.chance(0.5):
            ev = noise.startup(sc) + [line("raw", "Killed", key=True)] + noise.worker_died(sc, loading=True)
            if st == "torchserve":
                ev.insert(
                    -3,
                    line(
                        "fe",
                        "Backend worker process exited with code: 137",
                        "WARN",
                        jl(sc, "W", "WorkerLifeCycle"),
                        key=True,
                    ),
                )
        else:
            ev = noise.startup(sc) + load_error(sc, frames, exc, "Cannot allocate memory")
        return startup_failure(sc, ev, effects=("mem_climb",))
    msg = torch_cuda_oom(sc)
    frames = [
        user(
            sc,
            load_func(sc),
            sc.pick(
                (
                    "model.to(device)",
                    "model = AutoModelForCausalLM.from_pretrained(model_id, torch_dtype=torch.float16).cuda()",
                    "self.model = self.model.half().to(self.device)",
                )
            ),
        ),
        lib(sc, "torch/nn/modules/module.py", sc.pick((1145, 1160, 1174)), "to", "return self._apply(convert)"),
        lib(sc, "torch/nn/modules/module.py", sc.pick((820, 833, 854)), "_apply", "param_applied = fn(param)"),
    ]
    if st == "vllm":
        frames = [
            lib(
                sc,
                "vllm/model_executor/model_loader/loader.py",
                sc.ri(300, 420),
                "load_model",
                "model = _initialize_model(vllm_config=vllm_config)",
            )
        ] + frames[1:]
    ev = noise.startup(sc)
    if st == "djl_lmi":
        ev.append(
            line(
                "fe",
                f"Available GPU memory: {int(sc.inst.gpu_gib * 1024)} MB, required: "
                f"{int(params * 2 * 1024 * 1.1)} MB, reserved: 500 MB",
                "WARN",
                "ModelInfo",
                key=True,
            )
        )
    ev += load_error(sc, frames, msg, "CUDA out of memory")
    return startup_failure(sc, ev, effects=("gpu_mem_high",))


@signature("fd_thread_exhaustion", RESOURCE, ("torchserve", "hf_mms", "byoc", "sklearn", "djl_lmi", "triton"))
def fd_threads(sc: Scene) -> Story:
    """File descriptors or threads ran out (``Too many open files`` / ``can't start new thread``)."""
    st = sc.stack
    if st in ("torchserve", "hf_mms", "djl_lmi") and sc.chance(0.6):
        exc = sc.pick(
            (
                "java.io.IOException: Too many open files",
                "java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource limits reached",
            )
        )
        logger = jl(sc, "main", "ModelServer") if st != "djl_lmi" else "ServerInitializer"
        ev = [
            line(
                "fe",
                "Failed to accept a connection.",
                "WARN",
                sc.pick(("io.netty.channel.DefaultChannelPipeline", logger)),
            ),
            block(
                "fe",
                java_trace(
                    exc,
                    [
                        "io.netty.channel.unix.Errors.newIOException(Errors.java:122)",
                        "io.netty.channel.unix.Socket.accept(Socket.java:364)",
                        "io.netty.channel.epoll.AbstractEpollServerChannel$EpollServerSocketUnsafe.epollInReady"
                        "(AbstractEpollServerChannel.java:75)",
                    ],
                ),
                (0,),
                "WARN",
                logger,
            ),
            *noise.request(sc, 500),
        ]
        return Story(events=ev, again=ev[:2], repeats=(2, 8), effects=("err5xx", "traffic_spike"), partial=True)
    if st == "triton":
        ev = [
            line(
                "fe",
                "Failed to open file /dev/shm/triton_python_backend_shm_region_" + sc.hexs(8) + ": Too many open files",
                "ERROR",
                "shm_manager.cc:150",
                key=True,
            )
        ]
        return Story(events=ev, again=ev, repeats=(2, 6), effects=("err5xx",), partial=True)
    exc = sc.pick(
        (
            "RuntimeError: can't start new thread",
            "OSError: [Errno 24] Too many open files",
            f"OSError: [Errno 24] Too many open files: '/opt/ml/model/{sc.pick(('vocab.txt', 'labels.json', 'model.onnx'))}'",
        )
    )
    fn, pre, func = entry(sc, "predict")
    frames = pre + [
        user(
            sc,
            func,
            sc.pick(
                (
                    "pool = ThreadPoolExecutor(max_workers=32)",
                    "t.start()",
                    "with open(os.path.join(model_dir, 'labels.json')) as f:",
                    "session = requests.Session()",
                )
            ),
        )
    ]
    if "thread" in exc:
        frames.append(
            Frame(
                f"/usr/lib/python{sc.py}/threading.py",
                sc.pick((935, 957, 971)),
                "start",
                "_start_new_thread(self._bootstrap, ())",
            )
        )
    events, client = request_error(sc, fn, frames, exc, exc.split(": ", 1)[1])
    return Story(events=events, effects=("err5xx", "traffic_spike"), partial=True, client_error=client)


@signature(
    "cpu_saturation_latency",
    RESOURCE,
    ("sklearn", "xgboost", "byoc", "torchserve", "hf_mms", "tfserving", "triton"),
    need="cpu",
)
def cpu_saturation(sc: Scene) -> Story:
    """CPU pegged at 100% per core, latency climbs until invocations time out; logs show only slowness."""
    needs_gunicorn(sc)
    st = sc.stack
    ev: list[Ev] = []
    if st in ("torchserve", "hf_mms"):
        ev += [
            line("fe", f"Backend response time: {sc.ri(20000, 59000)}", logger=jl(sc, "W", "WorkerThread"))
            for _ in range(2)
        ]
        ev.append(
            line(
                "fe",
                f"CPUUtilization.Percent:100.0|#Level:Host|#hostname:{sc.style['docker_id']},"
                f"timestamp:{1690000000 + sc.ri(0, 90000000)}",
                logger="pool-3-thread-1 TS_METRICS",
                key=True,
            )
        )
    elif st == "triton":
        ev.append(
            line(
                "fe",
                f"Request for model '{sc.model}' timed out after {sc.pick((30, 60))} s in the queue "
                f"(queue size {sc.ri(100, 900)})",
                "WARN",
                "dynamic_batch_scheduler.cc:512",
                key=True,
            )
        )
    else:
        ev.append(
            line(
                "nginx",
                f"upstream timed out (110: Connection timed out) while reading response header from upstream, "
                f'client: {sc.style["ip"]}, server: , request: "POST /invocations HTTP/1.1", upstream: '
                f'"http://unix:/tmp/gunicorn.sock/invocations", host: "{sc.style["host"]}:8080"',
                "ERROR",
            )
        )
    ev += noise.request(sc, 504 if st not in ("torchserve", "hf_mms") else 503)
    return Story(
        events=ev,
        again=ev,
        repeats=(2, 8),
        effects=("cpu_high", "latency_climb", "traffic_spike", "err5xx", "timeouts"),
        partial=True,
        metric_only=not any(e.key for e in ev),
        client_error=timeout_client_error(sc),
    )


@signature("gpu_memory_pool_exhausted", RESOURCE, ("triton", "djl_lmi", "byoc", "tfserving"), need="gpu")
def pool_exhausted(sc: Scene) -> Story:
    """An inference runtime's own GPU memory pool is exhausted (Triton CUDA pool, TensorRT-LLM, onnxruntime BFC arena)."""
    st = sc.stack
    n = sc.ri(10**7, 9 * 10**8)
    if st == "triton":
        ev = [
            line(
                "fe",
                f"Failed to allocate CUDA memory with byte size {n} on GPU 0: CNMEM_STATUS_OUT_OF_MEMORY, falling "
                "back to pinned system memory",
                "WARN",
                "memory.cc:212",
                key=True,
            ),
            line(
                "fe",
                sc.pick(
                    (
                        "Failed to allocate pinned system memory: pinned memory pool exhausted",
                        f"failed to allocate {n} bytes of GPU memory for output '{sc.pick(('OUTPUT0', 'logits', 'embeddings'))}'",
                    )
                ),
                "ERROR",
                sc.pick(("pinned_memory_manager.cc:170", "infer_response.cc:288")),
                key=True,
            ),
        ]
    elif st == "djl_lmi":
        ev = [
            line(
                "worker_err",
                f"[TensorRT-LLM][ERROR] tensorrt_llm::common::TllmException: [TensorRT-LLM][ERROR] CUDA runtime "
                f"error in cudaMallocAsync(ptr, n, mCudaStream->get()): out of memory "
                f"(/src/tensorrt_llm/cpp/tensorrt_llm/runtime/tllmBuffers.h:{sc.pick((117, 125))})",
                "WARN",
                key=True,
            ),
            line(
                "worker_err",
                "[TensorRT-LLM][ERROR] Encountered an error in forwardAsync function: std::bad_alloc",
                "WARN",
            ),
        ]
    elif st == "tfserving":
        ev = [
            line(
                "fe",
                f"failed to alloc {n} bytes on host: CUDA_ERROR_OUT_OF_MEMORY: out of memory",
                "WARN",
                "external/org_tensorflow/tensorflow/compiler/xla/stream_executor/cuda/cuda_driver.cc:753",
                key=True,
            ),
            *noise.request(sc, 500),
        ]
    else:
        exc = (
            f"onnxruntime.capi.onnxruntime_pybind11_state.RuntimeException: [ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : "
            f"Non-zero status code returned while running {sc.pick(('MatMul', 'Conv', 'Attention'))} node. Name:'"
            f"{sc.pick(('/encoder/layer.11/attention/MatMul', 'Conv_132', 'Attention_0'))}' Status Message: "
            f"/onnxruntime_src/onnxruntime/core/framework/bfc_arena.cc:376 void* onnxruntime::BFCArena::AllocateRawInternal"
            f"(size_t, bool, onnxruntime::Stream*, bool, onnxruntime::WaitNotificationFn) Failed to allocate memory for "
            f"requested buffer of size {n}"
        )
        fn, pre, func = entry(sc, "predict")
        frames = pre + [
            user(sc, func, "outputs = session.run(None, {'input_ids': ids, 'attention_mask': mask})"),
            lib(
                sc,
                "onnxruntime/capi/onnxruntime_inference_collection.py",
                sc.pick((200, 217, 220)),
                "run",
                "return self._sess.run(output_names, input_feed, run_options)",
            ),
        ]
        events, client = request_error(sc, fn, frames, exc, exc.split(": ", 1)[1][:200])
        return Story(events=events, effects=("gpu_mem_high", "err5xx"), partial=True, client_error=client)
    return Story(events=ev, again=ev, repeats=(2, 8), effects=("gpu_mem_high", "err5xx", "traffic_spike"), partial=True)


@signature("shm_exhausted", RESOURCE, ("torchserve", "tgi", "djl_lmi", "vllm", "triton", "byoc"))
def shm(sc: Scene) -> Story:
    """``/dev/shm`` too small for the data loader, NCCL or the Triton Python backend."""
    st = sc.stack
    if st in ("tgi", "djl_lmi", "vllm"):
        size = sc.ri(4, 40) * 1048576 + sc.ri(0, 99999)
        nccl = (
            f"{sc.style['host']}:{sc.ri(30, 400)}:{sc.ri(400, 900)} [{sc.ri(0, 7)}] include/alloc.h:{sc.pick((48, 99, 185))} "
            f"NCCL WARN Error while creating shared memory segment /dev/shm/nccl-{sc.hexs(6)} (size {size})"
        )
        exc = (
            f"torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:"
            f"{sc.pick((1691, 1970, 2006))}, unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version "
            f"2.{sc.pick((18, 19, 20))}.{sc.ri(1, 5)}\nncclSystemError: System call (e.g. socket, malloc) or external library "
            "call failed or device error. \nLast error:\nError while creating shared memory segment"
        )
        frames = [
            lib(
                sc,
                "torch/distributed/distributed_c10d.py",
                sc.pick((2050, 2290)),
                "all_reduce",
                "work = group.allreduce([tensor], opts)",
            )
        ]
        ev = noise.startup(sc)[:4] + [
            line(
                "worker_err" if st != "tgi" else "fe",
                nccl,
                "WARN",
                "text_generation_launcher" if st == "tgi" else "",
                key=True,
            )
        ]
        ev += load_error(sc, frames, exc, "NCCL unhandled system error")
        return startup_failure(sc, ev, effects=())
    if st == "triton":
        ev = [
            line(
                "fe",
                f"Failed to increase the shared memory pool size for key 'triton_python_backend_shm_region_{sc.ri(1, 9)}' "
                f"from {sc.pick((67108864, 134217728))} to {sc.pick((201326592, 268435456))} bytes. If you are "
                "running Triton inside docker, use '--shm-size' flag to control the shared memory region size. "
                "Each Python backend model instance requires at least 1 MB of shared memory. Error: No space left "
                "on device",
                "ERROR",
                "shm_manager.cc:244",
                key=True,
            )
        ]
        return Story(events=ev, again=ev, effects=("err5xx",), partial=True)
    exc = (
        f"RuntimeError: DataLoader worker (pid {sc.ri(100, 9000)}) is killed by signal: Bus error. It is possible that "
        "dataloader's workers are out of shared memory. Please try to raise your shared memory limit."
    )
    fn, pre, func = entry(sc, "predict")
    frames = pre + [
        user(sc, func, "for batch in loader:"),
        lib(sc, "torch/utils/data/dataloader.py", sc.pick((630, 633, 681)), "__next__", "data = self._next_data()"),
        lib(
            sc,
            "torch/utils/data/_utils/signal_handling.py",
            sc.pick((66, 67)),
            "handler",
            "_error_if_any_worker_fails()",
        ),
    ]
    bus = [
        line(
            "worker_err" if st == "torchserve" else "raw",
            "ERROR: Unexpected bus error encountered in worker. This might be "
            "caused by insufficient shared memory (shm).",
            "WARN",
            key=True,
        )
    ]
    events, client = request_error(sc, fn, frames, exc, exc.split(": ", 1)[1])
    return Story(events=bus + events, effects=("err5xx",), partial=True, client_error=client)
