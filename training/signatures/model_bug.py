"""model_bug: the model or its inference code is broken.

The tell is a traceback that ends in the user's own code (``model_fn``,
``input_fn``, ``predict_fn``, ``output_fn``, a TorchServe handler, a Triton
``execute``, a DJL ``handle``, a Flask/FastAPI view) or an error the
framework raises about *data the user's code produced*: wrong shapes, keys,
dtypes, NaNs, non-serialisable outputs, broken handler contracts.
"""

from __future__ import annotations

from collections.abc import Sequence

from training import noise
from training.signatures import signature
from training.signatures.common import (
    client_error,
    entry,
    jl,
    lib,
    load_error,
    load_func,
    request_error,
    startup_failure,
    tb_events,
    timeout_client_error,
)
from training.story import BUG, Scene, Story, block, line
from training.tb import Frame, render_tb, request_frames, user

REQ_STACKS = ("sklearn", "xgboost", "torchserve", "hf_mms", "djl_lmi", "byoc", "tfserving", "triton")
TORCH_STACKS = ("torchserve", "hf_mms", "djl_lmi", "byoc", "triton")
ESTIMATORS = (
    "RandomForestClassifier",
    "LogisticRegression",
    "StandardScaler",
    "GradientBoostingClassifier",
    "Pipeline",
    "ColumnTransformer",
    "SimpleImputer",
    "LGBMClassifier",
    "XGBClassifier",
    "MinMaxScaler",
    "KMeans",
)
FEATURE_COUNTS = (4, 8, 10, 12, 13, 16, 20, 21, 28, 32, 34, 40, 41, 54, 64, 77, 84, 100, 118, 126, 155, 199, 243)


def _req(
    sc: Scene,
    role: str,
    code: str,
    exc: str | Sequence[str],
    msg: str,
    lib_frames: list[Frame] | None = None,
    status: int = 500,
    effects: tuple[str, ...] = ("err5xx",),
) -> Story:
    """A request-time exception in user code at ``code`` (optionally descending into library frames)."""
    fn, pre, func = entry(sc, role)
    frames = pre + [user(sc, func, code)] + (lib_frames or [])
    events, client = request_error(sc, fn, frames, exc, msg, status=status)
    extra: tuple[str, ...] = ("latency_spike",) if sc.chance(0.25) else ()
    extra += ("traffic_spike",) if sc.chance(0.1) else ()
    return Story(events=events, repeats=(1, 8), effects=effects + extra, partial=sc.chance(0.6), client_error=client)


def _load(sc: Scene, code: str, exc: str | list[str], msg: str, lib_frames: list[Frame] | None = None) -> Story:
    """An exception in the user's model-loading code (model_fn / initialize / module import)."""
    st = sc.stack
    if st == "xgboost":
        sc.flavour = "script"
    frames = [user(sc, load_func(sc), code)] + (lib_frames or [])
    ev = load_error(sc, frames, exc, msg)
    if st in ("sklearn", "xgboost"):
        return Story(events=ev, repeats=(2, 6), effects=("err5xx",), client_error=client_error(sc, 500, msg))
    return startup_failure(sc, noise.startup(sc) + ev)


def _json_frames(sc: Scene) -> list[Frame]:
    root = f"/opt/conda/lib/python{sc.py}" if "/opt/conda" in sc.site else sc.site.rsplit("/", 1)[0]
    if "miniconda3" in sc.site:
        root = f"/miniconda3/lib/python{sc.py}"
    return [
        Frame(f"{root}/json/__init__.py", sc.pick((231, 238)), "dumps", "return _default_encoder.encode(obj)"),
        Frame(f"{root}/json/encoder.py", sc.pick((199, 200)), "encode", "chunks = self.iterencode(o, _one_shot=True)"),
        Frame(f"{root}/json/encoder.py", sc.pick((257, 258)), "iterencode", "return _iterencode(o, 0)"),
        Frame(
            f"{root}/json/encoder.py",
            sc.pick((179, 180)),
            "default",
            "raise TypeError(f'Object of type {o.__class__.__name__} '",
        ),
    ]


# ---------------------------------------------------------------------------
@signature("predict_fn_exception", BUG, REQ_STACKS, weight=1.4)
def predict_exc(sc: Scene) -> Story:
    """A plain Python error raised by the user's prediction code."""
    cases = [
        ("label = labels[int(pred)]", "IndexError: list index out of range"),
        ("scores = result['scores'][0]", "TypeError: 'NoneType' object is not subscriptable"),
        ("boxes, scores, classes = outputs", "ValueError: not enough values to unpack (expected 3, got 2)"),
        ("ratio = positives / total", "ZeroDivisionError: division by zero"),
        ("prompt = prefix + payload['max_length']", 'TypeError: can only concatenate str (not "int") to str'),
        ("assert len(batch) == self.batch_size", "AssertionError"),
        (
            "return self.predict(self.postprocess(x))",
            "RecursionError: maximum recursion depth exceeded while calling a Python object",
        ),
        (
            "return output",
            "UnboundLocalError: local variable 'output' referenced before assignment"
            if sc.py in ("3.7", "3.8", "3.9", "3.10")
            else "UnboundLocalError: cannot access local variable 'output' where it is not associated with a value",
        ),
        (
            "top = np.argsort(probs)[::-1][:k]",
            "TypeError: slice indices must be integers or None or have an __index__ method",
        ),
        (
            "threshold = float(os.environ.get('THRESHOLD')) * scale",
            "TypeError: float() argument must be a string or a real number, not 'NoneType'",
        ),
        (
            "raise ValueError(f'unexpected number of outputs: {len(outputs)}')",
            f"ValueError: unexpected number of outputs: {sc.ri(0, 5)}",
        ),
        (
            "outputs = model(**inputs)",
            f"TypeError: {sc.pick(('forward', 'DistilBertModel.forward', 'T5ForConditionalGeneration.forward'))}() "
            f"got an unexpected keyword argument '{sc.pick(('token_type_ids', 'labels', 'return_dict_in_generate'))}'",
        ),
        ("probs = preds[:, 1]", "IndexError: too many indices for array: array is 1-dimensional, but 2 were indexed"),
        ("result = self.classes[np.argmax(logits)]", "TypeError: 'NoneType' object is not subscriptable"),
    ]
    code, exc = sc.pick(cases)
    return _req(sc, "predict", code, exc, exc.split(": ", 1)[-1])


@signature("input_fn_exception", BUG, REQ_STACKS, weight=1.2)
def input_exc(sc: Scene) -> Story:
    """The user's request-decoding / pre-processing code fails on the payload."""
    root = (
        "/opt/conda/lib/python" + sc.py
        if "/opt/conda" in sc.site
        else f"/miniconda3/lib/python{sc.py}"
        if "miniconda" in sc.site
        else f"/usr/lib/python{sc.py}"
    )
    kind = sc.pick(("json", "key", "pil", "b64", "utf8", "pandas", "bytes"))
    if kind == "json":
        code = sc.pick(("data = json.loads(request_body)", "payload = json.loads(body.decode())"))
        exc = f"json.decoder.JSONDecodeError: Expecting value: line 1 column {sc.ri(1, 3)} (char {sc.ri(0, 2)})"
        libs = [
            Frame(f"{root}/json/__init__.py", sc.pick((346, 357)), "loads", "return _default_decoder.decode(s)"),
            Frame(
                f"{root}/json/decoder.py",
                sc.pick((337, 340)),
                "decode",
                "obj, end = self.raw_decode(s, idx=_w(s, 0).end())",
            ),
            Frame(
                f"{root}/json/decoder.py",
                sc.pick((355, 357)),
                "raw_decode",
                'raise JSONDecodeError("Expecting value", s, err.value) from None',
            ),
        ]
    elif kind == "key":
        k = sc.pick(("instances", "inputs", "data", "image", "text", "features"))
        code, exc, libs = f"inputs = payload['{k}']", f"KeyError: '{k}'", []
    elif kind == "pil":
        code = "image = Image.open(io.BytesIO(request_body)).convert('RGB')"
        exc = f"PIL.UnidentifiedImageError: cannot identify image file <_io.BytesIO object at 0x7f{sc.hexs(10)}>"
        libs = [lib(sc, "PIL/Image.py", sc.pick((3030, 3283, 3339)), "open", "raise UnidentifiedImageError(msg)")]
    elif kind == "b64":
        code, exc, libs = (
            "img_bytes = base64.b64decode(payload['image'])",
            "binascii.Error: Incorrect padding",
            [Frame(f"{root}/base64.py", 87, "b64decode", "return binascii.a2b_base64(s)")],
        )
    elif kind == "utf8":
        code = "text = request_body.decode('utf-8')"
        exc = f"UnicodeDecodeError: 'utf-8' codec can't decode byte 0x{sc.pick(('89', 'ff', '8b', 'd0'))} in position {sc.ri(0, 3)}: invalid start byte"
        libs = []
    elif kind == "pandas":
        cols = sc.sample(
            ("customer_age", "tenure", "plan_type", "monthly_spend", "region", "device_os", "num_claims"), sc.ri(1, 3)
        )
        code = "df = df[FEATURE_COLUMNS]"
        exc = f'KeyError: "{cols} not in index"'
        libs = [
            lib(
                sc,
                "pandas/core/frame.py",
                sc.pick((3767, 3813, 4108)),
                "__getitem__",
                'indexer = self.columns._get_indexer_strict(key, "columns")[1]',
            ),
            lib(
                sc,
                "pandas/core/indexes/base.py",
                sc.pick((5877, 6200, 6252)),
                "_raise_if_missing",
                'raise KeyError(f"{not_found} not in index")',
            ),
        ]
    else:
        code, exc, libs = (
            "arr = np.load(io.BytesIO(request_body))",
            "TypeError: a bytes-like object is required, not 'str'",
            [],
        )
    return _req(sc, "input", code, exc, exc.split(": ", 1)[-1], libs, status=sc.pick((500, 500, 400)))


@signature("output_fn_exception", BUG, ("sklearn", "torchserve", "hf_mms", "byoc", "tfserving", "djl_lmi"))
def output_exc(sc: Scene) -> Story:
    """The user's post-processing / serialisation code fails on the prediction."""
    code, exc = sc.pick(
        (
            ("return json.dumps({'label': pred['label'], 'score': pred['score']})", "KeyError: 'label'"),
            ("return json.dumps(prediction.tolist())", "AttributeError: 'list' object has no attribute 'tolist'"),
            ("probs = prediction[:, 1]", "IndexError: index 1 is out of bounds for axis 1 with size 1"),
            (
                "if prediction > threshold:",
                "ValueError: The truth value of an array with more than one element is "
                "ambiguous. Use a.any() or a.all()",
            ),
            ("classes = [id2label[i] for i in pred_ids]", f"KeyError: {sc.ri(3, 999)}"),
            (
                "return {'predictions': [p['generated_text'] for p in preds]}",
                "TypeError: list indices must be integers or slices, not str",
            ),
        )
    )
    return _req(sc, "output", code, exc, exc.split(": ", 1)[-1])


@signature(
    "model_fn_exception", BUG, ("sklearn", "xgboost", "torchserve", "hf_mms", "djl_lmi", "byoc", "triton"), weight=1.2
)
def model_fn_exc(sc: Scene) -> Story:
    """The user's model-loading code itself is wrong (loads a state dict as a model, wrong constructor args...)."""
    cls = sc.pick(("Net", "Classifier", "BertClassifier", "UNet", "TabularModel", "Encoder"))
    cases = [
        ("model.eval()", "AttributeError: 'collections.OrderedDict' object has no attribute 'eval'"),
        (
            f"model = {cls}()",
            f"TypeError: {cls}.__init__() missing 1 required positional argument: 'num_classes'"
            if sc.py not in ("3.6", "3.7", "3.8", "3.9")
            else "TypeError: __init__() missing 1 required positional argument: 'num_classes'",
        ),
        (f"model = {cls}(**params)", f"NameError: name '{cls}' is not defined"),
        ("model, tokenizer = load_artifacts(model_dir)", "ValueError: too many values to unpack (expected 2)"),
        (
            "model = joblib.load(path)",
            f"AttributeError: Can't get attribute '{sc.pick(('FeatureEngineer', 'TextCleaner', 'CustomScaler'))}' "
            f"on <module '__main__' from '{sc.pick(('/opt/conda/bin/torchserve', '/miniconda3/bin/serve', '/usr/local/bin/gunicorn'))}'>",
        ),
        (
            "config = json.load(open(os.path.join(model_dir, 'config.json')))['model_params']",
            "KeyError: 'model_params'",
        ),
        (
            "self.labels = self.model.config.id2label.values()[0]",
            "TypeError: 'dict_values' object is not subscriptable",
        ),
    ]
    code, exc = sc.pick(cases)
    if sc.stack == "triton":
        exc_t = sc.pick(
            (
                exc,
                f"AttributeError: 'TritonPythonModel' object has no attribute '{sc.pick(('tokenizer', 'model', 'device'))}'",
            )
        )
        return _load(sc, code, exc_t, exc_t.split(": ", 1)[-1])
    return _load(sc, code, exc, exc.split(": ", 1)[-1])


@signature(
    "shape_mismatch",
    BUG,
    ("sklearn", "xgboost", "torchserve", "hf_mms", "tfserving", "triton", "byoc", "djl_lmi"),
    weight=1.5,
)
def shape_mismatch(sc: Scene) -> Story:
    """The request's shape / feature count does not match what the model was trained on."""
    st, fl = sc.stack, sc.flavour
    trained = sc.pick(FEATURE_COUNTS)
    got = trained + sc.pick((-2, -1, 1, 1, 2, 3))
    if st == "xgboost" and (fl == "algorithm" or sc.chance(0.5)):
        msg = sc.pick(
            (
                f"Unable to evaluate payload provided: Feature size of csv inference data {got} is not consistent "
                f"with feature size of trained model {trained}.",
                f"Unable to evaluate payload provided: feature_names mismatch: {[f'f{i}' for i in range(min(trained, 6))]} "
                f"{[f'f{i}' for i in range(min(got, 5))]}\nexpected f{trained - 1} in input data",
            )
        )
        ev = [line("py", msg, "ERROR", key=True), *noise.request(sc, 415 if "Feature size" in msg else 400)]
        return Story(
            events=ev,
            again=ev,
            repeats=(2, 10),
            effects=("err4xx",),
            client_error=client_error(sc, 415, msg) if sc.chance(0.6) else f"'{msg}'",
        )
    if st in ("sklearn", "xgboost") or (st == "byoc" and sc.chance(0.5)):
        est = sc.pick(ESTIMATORS)
        if sc.chance(0.3) and st == "sklearn":
            vals = ", ".join(f"{sc.uf(-3, 90):.1f}" for _ in range(sc.ri(3, 8)))
            exc: str | Sequence[str]
            exc = (
                [
                    "sagemaker_containers._errors.ClientError: Expected 2D array, got 1D array instead:",
                    f"array=[{vals}].",
                    "Reshape your data either using array.reshape(-1, 1) if your data has a single feature or array.reshape(1, -1) "
                    "if it contains a single sample.",
                ]
                if sc.chance(0.5)
                else [
                    "ValueError: Expected 2D array, got scalar array instead:",
                    f"array={sc.uf(0, 99):.1f}.",
                    "Reshape your data either using array.reshape(-1, 1) if your data has a single feature or array.reshape(1, -1) "
                    "if it contains a single sample.",
                ]
            )
            libs = [
                lib(sc, "sklearn/utils/validation.py", sc.pick((902, 915, 938)), "check_array", "raise ValueError(")
            ]
            msg = "Expected 2D array, got 1D array instead"
        else:
            exc = f"ValueError: X has {got} features, but {est} is expecting {trained} features as input."
            libs = [
                lib(sc, "sklearn/pipeline.py", sc.pick((480, 514)), "predict", "Xt = transform.transform(Xt)"),
                lib(
                    sc,
                    "sklearn/utils/_set_output.py",
                    sc.pick((140, 157, 295)),
                    "wrapped",
                    "data_to_wrap = f(self, X, *args, **kwargs)",
                ),
                lib(
                    sc,
                    "sklearn/base.py",
                    sc.pick((625, 633, 654)),
                    "_validate_data",
                    "self._check_n_features(X, reset=reset)",
                ),
                lib(sc, "sklearn/base.py", sc.pick((414, 430, 443)), "_check_n_features", "raise ValueError("),
            ]
            msg = exc.split(": ", 1)[1]
        return _req(
            sc,
            "predict",
            sc.pick(("return model.predict(input_data)", "preds = clf.predict_proba(X)[:, 1]")),
            exc,
            msg,
            libs,
            status=sc.pick((500, 400)),
        )
    if st == "tfserving" and fl != "handler":
        kind = sc.pick(("matmul", "rank", "batch"))
        msg = {
            "matmul": f"Matrix size-incompatible: In[0]: [{sc.ri(1, 32)},{got * 10}], In[1]: [{trained * 10},{sc.pick((10, 2, 128))}]",
            "rank": f"input must be 4-dimensional[{sc.ri(1, 8)},224,224]",
            "batch": f"Tensor name: {sc.pick(('input_1', 'serving_default_input_ids', 'x'))} has inconsistent batch size: "
            f"{sc.ri(2, 64)} expecting: {sc.ri(1, 2)}",
        }[kind]
        ev = [
            line(
                "fe",
                f"OP_REQUIRES failed at {sc.pick(('matmul_op_impl.h:681', 'conv_ops.cc:690', 'batch_util.cc:188'))} : "
                f"INVALID_ARGUMENT: {msg}",
                "WARN",
                "external/org_tensorflow/tensorflow/core/framework/op_kernel.cc:1816",
                key=True,
            ),
            *noise.request(sc, 400),
        ]
        body = (
            '{\\n    \\"error\\": \\"'
            + msg
            + "\\\\n\\\\t [[{{node "
            + sc.pick(("sequential/dense/MatMul", "conv2d/Conv2D", "model/embedding/embedding_lookup"))
            + '}}]]\\"\\n}'
        )
        return Story(
            events=ev, again=ev, repeats=(2, 10), effects=("err4xx",), client_error=client_error(sc, 400, body)
        )
    if st == "triton":
        msg = (
            f"[request id: <id_unknown>] unexpected shape for input '{sc.pick(('INPUT__0', 'input_ids', 'images', 'input'))}' "
            f"for model '{sc.model}'. Expected [-1,3,224,224], got [3,224,224]. NOTE: Setting a non-zero max_batch_size in "
            "the model config requires a batch dimension to be prepended to each input shape. If you want to specify the full "
            "shape including the batch dim in your input dims config, try setting max_batch_size to zero. See the model "
            "configuration docs for more info on max_batch_size."
        )
        ev = [line("fe", msg, "ERROR", f"http_server.cc:{sc.pick((3590, 4118, 4210))}", key=True)]
        return Story(
            events=ev,
            again=ev,
            repeats=(2, 10),
            effects=("err4xx",),
            client_error=client_error(sc, 400, '{\\"error\\":\\"' + msg + '\\"}'),
        )
    a, b = sc.pick((1, 4, 8, 16, 32)), sc.pick((512, 768, 1024, 2048))
    exc = sc.pick(
        (
            f"RuntimeError: mat1 and mat2 shapes cannot be multiplied ({a}x{b} and {sc.pick((256, 512, 4096))}x{sc.pick((2, 10, 1000))})",
            f"RuntimeError: Given groups=1, weight of size [64, 3, 7, 7], expected input[{a}, 4, 224, 224] to have 3 channels, "
            "but got 4 channels instead",
            f"RuntimeError: The size of tensor a ({sc.pick((512, 514, 1024))}) must match the size of tensor b "
            f"({sc.pick((612, 768, 2048))}) at non-singleton dimension 1",
            "RuntimeError: Expected 4-dimensional input for 4-dimensional weight [64, 3, 7, 7], but got 3-dimensional input "
            "of size [3, 224, 224] instead",
            f"RuntimeError: The expanded size of the tensor ({sc.ri(513, 900)}) must match the existing size (514) at "
            f"non-singleton dimension 1.  Target sizes: [1, {sc.ri(513, 900)}].  Tensor sizes: [1, 514]",
        )
    )
    libs = [
        lib(
            sc,
            "torch/nn/modules/module.py",
            sc.pick((1501, 1518, 1532)),
            "_call_impl",
            "return forward_call(*args, **kwargs)",
        ),
        Frame(
            f"{sc.code_dir}/model.py",
            sc.ri(20, 120),
            "forward",
            sc.pick(("x = self.fc(x)", "x = self.conv1(x)", "out = self.head(feats)")),
            True,
        ),
        lib(
            sc,
            "torch/nn/modules/linear.py",
            sc.pick((114, 116, 125)),
            "forward",
            "return F.linear(input, self.weight, self.bias)",
        ),
    ]
    return _req(
        sc,
        "predict",
        sc.pick(("output = model(data)", "logits = self.model(batch)", "preds = model(tensor.unsqueeze(0))")),
        exc,
        exc.split(": ", 1)[1],
        libs,
    )


@signature("state_dict_key_mismatch", BUG, TORCH_STACKS)
def state_dict(sc: Scene) -> Story:
    """The checkpoint does not match the model class defined in the inference code."""
    cls = sc.pick(
        ("ResNet", "Net", "BertForSequenceClassification", "UNet", "EfficientNet", "TransformerClassifier", "RGCN")
    )
    kind = sc.pick(("prefix", "size", "missing"))
    if kind == "prefix":
        keys = ", ".join(
            f'"module.{k}"' for k in ("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean")[: sc.ri(2, 4)]
        )
        exc = [
            f"RuntimeError: Error(s) in loading state_dict for {cls}:",
            '\tMissing key(s) in state_dict: "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", '
            '"layer1.0.conv1.weight". ',
            f"\tUnexpected key(s) in state_dict: {keys}, ... ",
        ]
    elif kind == "size":
        n_ckpt, n_model = sc.pick((2, 3, 5, 10, 12, 37)), sc.pick((1000, 2, 10, 4))
        exc = [
            f"RuntimeError: Error(s) in loading state_dict for {cls}:",
            f"\tsize mismatch for fc.weight: copying a param with shape torch.Size([{n_ckpt}, 512]) from checkpoint, the shape in "
            f"current model is torch.Size([{n_model}, 512]).",
            f"\tsize mismatch for fc.bias: copying a param with shape torch.Size([{n_ckpt}]) from checkpoint, the shape in current "
            f"model is torch.Size([{n_model}]).",
        ]
    else:
        exc = [
            f"RuntimeError: Error(s) in loading state_dict for {cls}:",
            f'\tMissing key(s) in state_dict: "{sc.pick(("classifier.weight", "head.fc.weight", "decoder.out.weight"))}", '
            f'"{sc.pick(("classifier.bias", "head.fc.bias", "decoder.out.bias"))}". ',
        ]
    libs = [
        lib(
            sc,
            "torch/nn/modules/module.py",
            sc.pick((1497, 2041, 2152, 2189)),
            "load_state_dict",
            "raise RuntimeError('Error(s) in loading state_dict for {}:\\n\\t{}'.format(",
        )
    ]
    return _load(
        sc,
        sc.pick(
            (
                "model.load_state_dict(torch.load(model_path, map_location=device))",
                "model.load_state_dict(checkpoint['state_dict'])",
                "net.load_state_dict(state)",
            )
        ),
        exc,
        f"Error(s) in loading state_dict for {cls}",
        libs,
    )


@signature(
    "numpy_not_json_serializable", BUG, ("sklearn", "torchserve", "hf_mms", "byoc", "djl_lmi", "tfserving"), weight=1.1
)
def not_json(sc: Scene) -> Story:
    """The user's code returns numpy / torch objects that json cannot serialise."""
    typ = sc.pick(("ndarray", "float32", "int64", "Tensor", "float64"))
    if sc.stack == "byoc" and sc.flavour == "fastapi_uvicorn":
        exc = (
            f"ValueError: [TypeError(\"'numpy.{typ if typ != 'ndarray' else 'float32'}' object is not iterable\"), "
            "TypeError('vars() argument must have __dict__ attribute')]"
        )
        libs = [
            lib(
                sc,
                "fastapi/routing.py",
                sc.pick((155, 188)),
                "serialize_response",
                "return jsonable_encoder(response_content)",
            ),
            lib(sc, "fastapi/encoders.py", sc.pick((301, 330)), "jsonable_encoder", "raise ValueError(errors) from e"),
        ]
        return _req(sc, "output", "return {'predictions': preds}", exc, exc.split(": ", 1)[1], libs)
    exc = (
        f"TypeError: Object of type '{typ}' is not JSON serializable"
        if sc.py == "3.6"
        else f"TypeError: Object of type {typ} is not JSON serializable"
    )
    return _req(
        sc,
        "output",
        sc.pick(
            (
                "return json.dumps({'predictions': prediction})",
                "return json.dumps(result), accept",
                "body = json.dumps({'scores': scores, 'labels': labels})",
            )
        ),
        exc,
        exc.split(": ", 1)[1],
        _json_frames(sc),
    )


@signature("tokenizer_error", BUG, ("hf_mms", "torchserve", "djl_lmi", "vllm", "triton", "byoc"))
def tokenizer(sc: Scene) -> Story:
    """Tokenisation in the inference code is broken (no pad token, ids beyond the embedding, wrong input type, bad template)."""
    if sc.stack == "vllm":
        exc = "jinja2.exceptions.TemplateError: Conversation roles must alternate user/assistant/user/assistant/..."
        frames = request_frames(sc, "chat") + [
            lib(
                sc,
                "transformers/tokenization_utils_base.py",
                sc.ri(1600, 1900),
                "apply_chat_template",
                "rendered_chat = compiled_template.render(",
            ),
            lib(sc, "jinja2/environment.py", sc.pick((1301, 1304)), "render", "self.environment.handle_exception()"),
            Frame("<template>", sc.ri(1, 3), "top-level template code", None),
            lib(
                sc,
                "transformers/utils/chat_template_utils.py",
                sc.ri(400, 460),
                "raise_exception",
                "raise jinja2.exceptions.TemplateError(message)",
            ),
        ]
        ev = (
            [line("fe", "Error in preprocessing prompt inputs", "ERROR", "serving_chat.py:196")]
            + tb_events(sc, frames, exc)
            + noise.request(sc, 400)
        )
        return Story(
            events=ev,
            repeats=(1, 6),
            effects=("err4xx",),
            partial=True,
            client_error=client_error(
                sc,
                400,
                '{\\"object\\":\\"error\\",\\"message\\":\\"Conversation roles must alternate user/assistant/user/assistant/...\\",\\"type\\":\\"BadRequestError\\",\\"code\\":400}',
            ),
        )
    kind = sc.pick(("pad", "index", "textinput", "type"))
    if kind == "pad":
        exc = (
            "ValueError: Asking to pad but the tokenizer does not have a padding token. Please select a token to use as "
            "`pad_token` `(tokenizer.pad_token = tokenizer.eos_token e.g.)` or add a new pad token via "
            "`tokenizer.add_special_tokens({'pad_token': '[PAD]'})`."
        )
        code = "inputs = tokenizer(texts, padding=True, truncation=True, return_tensors='pt')"
        libs = [
            lib(
                sc,
                "transformers/tokenization_utils_base.py",
                sc.ri(2700, 3000),
                "__call__",
                "encodings = self._call_one(text=text, text_pair=text_pair, **all_kwargs)",
            ),
            lib(
                sc,
                "transformers/tokenization_utils_base.py",
                sc.ri(2400, 2600),
                "_get_padding_truncation_strategies",
                "raise ValueError(",
            ),
        ]
    elif kind == "index":
        exc = "IndexError: index out of range in self"
        code = "outputs = model(**inputs)"
        libs = [
            lib(sc, "torch/nn/modules/sparse.py", sc.pick((162, 163, 190)), "forward", "return F.embedding("),
            lib(
                sc,
                "torch/nn/functional.py",
                sc.pick((2210, 2233, 2264)),
                "embedding",
                "return torch.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)",
            ),
        ]
    elif kind == "textinput":
        exc = "TypeError: TextEncodeInput must be Union[TextInputSequence, Tuple[InputSequence, InputSequence]]"
        code = "encoded = tokenizer(batch['inputs'], return_tensors='pt')"
        libs = [
            lib(
                sc,
                "transformers/tokenization_utils_fast.py",
                sc.pick((504, 525, 537)),
                "_batch_encode_plus",
                "encodings = self._tokenizer.encode_batch(",
            )
        ]
    else:
        exc = (
            "ValueError: text input must be of type `str` (single example), `List[str]` (batch or single pretokenized "
            "example) or `List[List[str]]` (batch of pretokenized examples)."
        )
        code = "inputs = tokenizer(data, return_tensors='pt').to(device)"
        libs = [lib(sc, "transformers/tokenization_utils_base.py", sc.ri(2800, 3000), "_call_one", "raise ValueError(")]
    return _req(sc, "predict", code, exc, exc.split(": ", 1)[1], libs)


@signature("nan_output", BUG, ("sklearn", "torchserve", "hf_mms", "tgi", "vllm", "byoc", "djl_lmi"))
def nan_output(sc: Scene) -> Story:
    """NaN / inf in the data or the model output breaks prediction, sampling or JSON encoding."""
    st = sc.stack
    if st in ("tgi", "vllm"):
        exc: str | Sequence[str]
        exc = "RuntimeError: probability tensor contains either `inf`, `nan` or element < 0"
        if st == "tgi":
            router = f"generate_stream:infer:send_error: text_generation_router::infer: router/src/infer.rs:{sc.pick((562, 596, 823))}"
            lines, keys = render_tb(
                sc,
                [
                    lib(
                        sc,
                        "text_generation_server/utils/logits_process.py",
                        sc.ri(400, 520),
                        "__call__",
                        "next_tokens = torch.multinomial(probs, num_samples=1)",
                    )
                ],
                exc,
            )
            ev = [
                block(
                    "fe",
                    ["Method Decode encountered an error."] + lines,
                    [k + 1 for k in keys],
                    "ERROR",
                    "text_generation_launcher",
                ),
                line(
                    "fe",
                    f"Request failed during generation: Server error: {exc.split(': ', 1)[1]}",
                    "ERROR",
                    router,
                    key=True,
                ),
            ]
            return Story(
                events=ev,
                repeats=(1, 6),
                effects=("err5xx",),
                partial=True,
                client_error=client_error(
                    sc,
                    424,
                    '{\\"error\\":\\"Request failed during generation: Server error: probability tensor contains either `inf`, `nan` or element < 0\\",\\"error_type\\":\\"generation\\"}',
                ),
            )
        frames = request_frames(sc, "generate") + [
            lib(
                sc,
                "vllm/model_executor/layers/sampler.py",
                sc.ri(800, 1100),
                "_multinomial",
                "return probs.div_(q).argmax(dim=1).view(-1, num_samples)",
            )
        ]
        ev = tb_events(sc, frames, exc) + noise.worker_died(sc, loading=False)
        return Story(
            events=ev, effects=("err5xx", "traffic_drop"), client_error=client_error(sc, 500, "Internal Server Error")
        )
    if st == "byoc" and sc.flavour == "fastapi_uvicorn":
        exc = "ValueError: Out of range float values are not JSON compliant"
        libs = [
            lib(sc, "starlette/responses.py", sc.pick((180, 187)), "render", "return json.dumps("),
            Frame(f"/usr/lib/python{sc.py}/json/encoder.py", 258, "iterencode", "return _iterencode(o, 0)"),
        ]
        return _req(sc, "output", "return JSONResponse({'score': float(score)})", exc, exc.split(": ", 1)[1], libs)
    if st in ("sklearn", "byoc"):
        est = sc.pick(ESTIMATORS)
        exc = sc.pick(
            (
                f"ValueError: Input contains NaN, infinity or a value too large for dtype('float{sc.pick((32, 64))}').",
                [
                    "ValueError: Input X contains NaN.",
                    f"{est} does not accept missing values encoded as NaN natively. "
                    "For supervised learning, you might want to consider sklearn.ensemble.HistGradientBoostingClassifier and "
                    "Regressor which accept missing values encoded as NaNs natively. Alternatively, it is possible to "
                    "preprocess the data, for instance by using an imputer transformer in a pipeline or drop samples with "
                    "missing values. See https://scikit-learn.org/stable/modules/impute.html You can find a list of all "
                    "estimators that handle NaN values at the following page: "
                    "https://scikit-learn.org/stable/modules/impute.html#estimators-that-handle-nan-values",
                ],
            )
        )
        libs = [
            lib(
                sc,
                "sklearn/utils/validation.py",
                sc.pick((146, 161)),
                "_assert_all_finite",
                "raise ValueError(msg_err)",
            )
        ]
        last = exc if isinstance(exc, str) else exc[0]
        return _req(sc, "predict", "return model.predict(input_data)", exc, last.split(": ", 1)[1], libs)
    exc = "RuntimeError: probability tensor contains either `inf`, `nan` or element < 0"
    libs = [
        lib(
            sc,
            "transformers/generation/utils.py",
            sc.ri(2400, 3300),
            "_sample",
            "next_tokens = torch.multinomial(probs, num_samples=1).squeeze(1)",
        )
    ]
    if sc.chance(0.4):
        exc = "ValueError: Out of range float values are not JSON compliant"
        libs = [Frame(f"/opt/conda/lib/python{sc.py}/json/encoder.py", 258, "iterencode", "return _iterencode(o, 0)")]
        return _req(sc, "output", "return json.dumps(result, allow_nan=False)", exc, exc.split(": ", 1)[1], libs)
    return _req(
        sc,
        "predict",
        "outputs = model.generate(**inputs, do_sample=True, max_new_tokens=256)",
        exc,
        exc.split(": ", 1)[1],
        libs,
    )


@signature("dtype_device_error", BUG, ("torchserve", "hf_mms", "djl_lmi", "triton", "byoc", "sklearn", "xgboost"))
def dtype_device(sc: Scene) -> Story:
    """Tensors/arrays of the wrong dtype or on the wrong device reach the model."""
    st = sc.stack
    if st in ("sklearn", "xgboost"):
        if st == "xgboost" and sc.chance(0.5):
            col = sc.pick(("gender", "plan", "state", "channel"))
            exc = (
                "ValueError: DataFrame.dtypes for data must be int, float, bool or category. When categorical type is supplied, "
                f"The experimental DMatrix parameter`enable_categorical` must be set to `True`.  Invalid columns:{col}: object"
            )
            return _req(
                sc,
                "predict",
                "dmat = xgb.DMatrix(df)",
                exc,
                exc.split(": ", 1)[1],
                [lib(sc, "xgboost/data.py", sc.pick((263, 301)), "_invalid_dataframe_dtype", "raise ValueError(msg)")],
            )
        exc = f"ValueError: could not convert string to float: '{sc.pick(('Female', 'yes', 'N/A', 'premium', '2023-01-05'))}'"
        return _req(
            sc,
            "predict",
            "X = np.array(rows, dtype=np.float32)" if sc.chance(0.5) else "return model.predict(input_data)",
            exc,
            exc.split(": ", 1)[1],
            status=sc.pick((500, 400)),
        )
    exc = sc.pick(
        (
            "RuntimeError: expected scalar type Float but found Double",
            "RuntimeError: mat1 and mat2 must have the same dtype",
            "RuntimeError: Input type (torch.FloatTensor) and weight type (torch.cuda.FloatTensor) should be the same or "
            "input should be a MKLDNN tensor and weight is a dense tensor",
            "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu! "
            "(when checking argument for argument mat1 in method wrapper_CUDA_addmm)",
            "TypeError: can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.",
            "RuntimeError: \"LayerNormKernelImpl\" not implemented for 'Half'",
        )
    )
    code = (
        "return outputs.numpy()"
        if "numpy" in exc
        else sc.pick(("output = model(torch.from_numpy(data))", "logits = self.model(input_ids)"))
    )
    libs = (
        []
        if "numpy" in exc
        else [
            lib(
                sc,
                "torch/nn/modules/module.py",
                sc.pick((1501, 1518)),
                "_call_impl",
                "return forward_call(*args, **kwargs)",
            )
        ]
    )
    return _req(sc, "predict", code, exc, exc.split(": ", 1)[1], libs)


@signature("handler_name_error", BUG, REQ_STACKS, weight=1.2)
def name_error(sc: Scene) -> Story:
    """NameError / AttributeError / KeyError / signature errors in the handler code itself."""
    var = sc.pick(
        ("tokenizer", "scaler", "device", "np", "json", "label_map", "predictor", "preprocess")
        + (("model",) if sc.stack != "hf_mms" else ())
    )
    cases = [
        (
            f"inputs = {var}(data)"
            if var not in ("np", "json")
            else f"arr = {var}.asarray(data)"
            if var == "np"
            else f"payload = {var}.loads(body)",
            f"NameError: name '{var}' is not defined",
        ),
        ("text = request_body.decode('utf-8')", "AttributeError: 'str' object has no attribute 'decode'"),
        ("data = input_data.read()", "AttributeError: 'dict' object has no attribute 'read'"),
        ("tensor = batch.to(self.device)", "AttributeError: 'numpy.ndarray' object has no attribute 'to'"),
        ("return model.predict(features)", "AttributeError: 'NoneType' object has no attribute 'predict'"),
        ("params = data.pop('parameters')", "KeyError: 'parameters'"),
    ]
    code, exc = sc.pick(cases)
    if sc.stack == "torchserve" and sc.flavour == "sm_toolkit" and sc.chance(0.3):
        fr = [
            lib(
                sc,
                "sagemaker_inference/transformer.py",
                sc.pick((281, 285)),
                "_run_handler_function",
                "raise TypeError(",
            )
        ]
        fn = sc.pick(("predict_fn", "input_fn", "output_fn"))
        exc = f"TypeError: {fn} takes {sc.pick((3, 1))} arguments but 2 were given."
        frames_ev, client = request_error(sc, fn, fr, exc, exc.split(": ", 1)[1])
        return Story(events=frames_ev, repeats=(1, 8), effects=("err5xx",), client_error=client)
    return _req(sc, "predict", code, exc, exc.split(": ", 1)[1])


@signature("handler_return_contract", BUG, ("torchserve", "triton", "djl_lmi", "byoc"))
def return_contract(sc: Scene) -> Story:
    """The handler returns the wrong type or the wrong number of results for the batch."""
    st = sc.stack
    if st == "torchserve":
        if sc.chance(0.5):
            n = sc.pick((2, 4, 8, 16, 32))
            ev = [
                line(
                    "worker", f"model: {sc.model}, number of batch response mismatched, expect: {n}, got: 1.", key=True
                ),
                line("fe", f"Backend response time: {sc.ri(10, 900)}", logger=jl(sc, "W", "WorkerThread")),
                *noise.request(sc, 503),
            ]
        else:
            typ = sc.pick(("dict", "numpy.ndarray", "str", "NoneType", "torch.Tensor", "tuple"))
            ev = [
                line("worker", f"model: {sc.model}, Invalid return type: <class '{typ}'>.", key=True),
                *noise.request(sc, 503),
            ]
        client = client_error(
            sc,
            503,
            '{\\n  \\"code\\": 503,\\n  \\"type\\": \\"InternalServerException\\",\\n  \\"message\\": \\"Invalid model predict output\\"\\n}\\n',
        )
        return Story(events=ev, again=ev, repeats=(1, 8), effects=("err5xx",), client_error=client)
    if st == "triton":
        exc: str | Sequence[str]
        exc = sc.pick(
            (
                "TypeError: 'NoneType' object is not iterable",
                f"Expected a list of InferenceResponse objects with {sc.ri(2, 8)} elements, got 1",
            )
        )
        frames = [
            user(
                sc,
                "execute",
                "return [pb_utils.InferenceResponse(output_tensors=[out])]"
                if "Expected" in exc
                else "responses.append(response)",
            )
        ]
        events, client = request_error(sc, "execute", frames, exc, exc)
        return Story(events=events, repeats=(1, 8), effects=("err5xx",), client_error=client)
    if st == "djl_lmi":
        exc = f"TypeError: handle() must return an Output object, got <class '{sc.pick(('dict', 'str', 'list'))}'>"
        events, client = request_error(
            sc, "handle", [user(sc, "handle", "return {'generated_text': text}")], exc, exc.split(": ", 1)[1]
        )
        return Story(events=events, repeats=(1, 8), effects=("err5xx",), client_error=client)
    if sc.flavour == "fastapi_uvicorn":
        exc = [
            "fastapi.exceptions.ResponseValidationError: 1 validation errors:",
            "  {'type': 'list_type', 'loc': ('response', 'predictions'), 'msg': 'Input should be a valid list', 'input': None}",
        ]
        libs = [
            lib(sc, "fastapi/routing.py", sc.pick((155, 188)), "serialize_response", "raise ResponseValidationError(")
        ]
        return _req(
            sc,
            "output",
            "return PredictionResponse(predictions=result.get('preds'))",
            exc,
            exc[0].split(": ", 1)[1],
            libs,
        )
    exc = sc.pick(
        (
            "TypeError: The view function for 'transformation' did not return a valid response. The function either "
            "returned None or ended without a return statement.",
            "TypeError: The view function did not return a valid response. The function either returned None or ended "
            "without a return statement.",
        )
    )
    libs = [lib(sc, "flask/app.py", sc.pick((2097, 1664, 1750)), "make_response", "raise TypeError(")]
    events, client = request_error(sc, "transformation", libs, exc, exc.split(": ", 1)[1])
    return Story(events=events, repeats=(1, 8), effects=("err5xx",), client_error=client)


@signature("deadlock_or_hang", BUG, ("sklearn", "byoc", "torchserve", "hf_mms", "djl_lmi"))
def hang(sc: Scene) -> Story:
    """User code blocks forever (lock, queue, busy loop): requests time out with no load behind them."""
    st = sc.stack
    spin = sc.chance(0.5)
    stuck = sc.pick(
        (
            ("while not self.ready:", "time.sleep(0.05)"),
            ("result = self.results.get()", None),
            ("with self.lock:", None),
            ("for attempt in itertools.count():", None),
        )
    )
    if st == "sklearn" or (st == "byoc" and sc.flavour == "flask_gunicorn"):
        pid = sc.ri(20, 400)
        fn, pre, func = entry(sc, "predict")
        frames = request_frames(sc, fn) + pre + [user(sc, func, stuck[0])]
        if stuck[1]:
            frames.append(user(sc, func, stuck[1]))
        frames.append(
            lib(sc, "gunicorn/workers/base.py", sc.pick((198, 203, 204)), "handle_abort", "sys.exit(1)")._replace(
                key=True
            )
        )
        lines, keys = render_tb(sc, frames, "SystemExit: 1", exc_key=False)
        ev = [
            line("fe", f"WORKER TIMEOUT (pid:{pid})", "CRITICAL", gap=60.0),
            line("fe", "Error handling request /invocations", "ERROR", str(pid)),
            block("raw", lines, keys),
            line("fe", f"Worker exiting (pid: {pid})", logger=str(pid)),
            line("fe", f"Booting worker with pid: {pid + sc.ri(1, 30)}"),
            *noise.request(sc, 504),
        ]
    else:
        root = sc.site.split("/site-packages")[0]
        dump = [f"Timeout (0:0{sc.ri(1, 5)}:00)!", f"Thread 0x00007f{sc.hexs(10)} (most recent call first):"]
        if not spin:
            dump += [
                f'  File "{root}/threading.py", line {sc.pick((320, 324, 331))} in wait',
                f'  File "{root}/queue.py", line {sc.pick((171, 180))} in get',
            ]
        dump += [
            f'  File "{sc.code_dir}/{sc.entry}", line {sc.ri(40, 200)} in {sc.pick(("predict_fn", "inference", "handle", "_wait_for_result"))}',
            f'  File "{sc.code_dir}/{sc.entry}", line {sc.ri(20, 120)} in {sc.pick(("predict_fn", "handle", "inference"))}',
        ]
        keys = [len(dump) - 2, len(dump) - 1, 0]
        ev = [block("worker_err" if st != "torchserve" else "worker", dump, keys, "WARN")]
        if st in ("torchserve", "hf_mms"):
            ev.append(line("fe", f"Backend response time: {sc.ri(60000, 180000)}", logger=jl(sc, "W", "WorkerThread")))
            ev += noise.request(sc, 503)
        else:
            ev.append(line("fe", "Request timed out after 60000 ms", "WARN", "WorkerThread"))
    effects = ("latency_spike", "err5xx", "timeouts") + (("cpu_one_core",) if spin else ("cpu_idle",))
    return Story(events=ev, again=ev, repeats=(1, 5), effects=effects, client_error=timeout_client_error(sc))


@signature("graph_input_invalid", BUG, ("tfserving", "triton", "byoc"))
def graph_invalid(sc: Scene) -> Story:
    """The compiled graph rejects the tensors the inference code feeds it (TF check failures, ONNX type/dims errors)."""
    st = sc.stack
    if st == "tfserving":
        if sc.chance(0.5):
            a = sc.ri(2, 5)
            chk = sc.pick(
                (
                    f"Check failed: d < dims() ({a} vs. {a})",
                    f"Check failed: NDIMS == dims() ({a + 1} vs. {a})",
                    f"Check failed: new_num_elements == NumElements() ({sc.ri(100, 9000)} vs. {sc.ri(100, 9000)})",
                )
            )
            ev = [
                line(
                    "raw",
                    f"{sc.pick(('2022', '2023', '2024'))}-0{sc.ri(1, 9)}-1{sc.ri(0, 9)} 0{sc.ri(0, 9)}:{sc.ri(10, 59)}:"
                    f"{sc.ri(10, 59)}.{sc.ri(100000, 999999)}: F external/org_tensorflow/tensorflow/core/framework/"
                    f"tensor_shape.cc:{sc.pick((47, 356, 569))}] {chk}",
                    key=True,
                ),
                line(
                    "nginx",
                    f"upstream prematurely closed connection while reading response header from upstream, client: "
                    f'{sc.style["ip"]}, server: , request: "POST /invocations HTTP/1.1", subrequest: "/v1/models/'
                    f'model:predict", upstream: "http://127.0.0.1:10001/v1/models/model:predict", host: "{sc.style["host"]}:8080"',
                    "ERROR",
                ),
                *noise.request(sc, 502),
                line("py", f"unexpected tensorflow serving exit (status: {sc.pick((134, -6))}). restarting.", "WARN"),
            ]
            return Story(
                events=ev,
                again=ev,
                repeats=(1, 5),
                effects=("err5xx", "latency_spike"),
                client_error=client_error(sc, 502, "<html>\\r\\n<head><title>502 Bad Gateway</title></head>"),
            )
        msg = sc.pick(
            (
                "Expected image (JPEG, PNG, or GIF), got unknown format starting with '{\\\"instances\\\"'",
                "assertion failed: [Unable to decode bytes as JPEG, PNG, GIF, or BMP]",
                "Cannot convert a Tensor of dtype string to a float tensor",
            )
        )
        ev = [
            line(
                "fe",
                f"OP_REQUIRES failed at {sc.pick(('decode_image_op.cc:127', 'cast_op.cc:121'))} : INVALID_ARGUMENT: {msg}",
                "WARN",
                "external/org_tensorflow/tensorflow/core/framework/op_kernel.cc:1816",
                key=True,
            ),
            *noise.request(sc, 400),
        ]
        return Story(
            events=ev,
            again=ev,
            repeats=(1, 8),
            effects=("err4xx",),
            client_error=client_error(sc, 400, '{\\"error\\": \\"' + msg + '\\"}'),
        )
    msg = sc.pick(
        (
            "Unexpected input data type. Actual: (tensor(double)) , expected: (tensor(float))",
            f"Got invalid dimensions for input: input for the following indices\n index: 1 Got: {sc.ri(3, 40)} Expected: "
            f"{sc.ri(41, 90)}\n Please fix either the inputs or the model.",
            "Unexpected input data type. Actual: (tensor(int32)) , expected: (tensor(int64))",
        )
    )
    if st == "triton":
        ev = [line("fe", f"onnx runtime error 2: {msg}", "ERROR", f"onnxruntime.cc:{sc.pick((2723, 2820))}", key=True)]
        return Story(
            events=ev,
            again=ev,
            repeats=(1, 8),
            effects=("err4xx",),
            client_error=client_error(sc, 400, '{\\"error\\":\\"onnx runtime error 2: ' + msg.split("\n")[0] + '\\"}'),
        )
    exc = f"onnxruntime.capi.onnxruntime_pybind11_state.InvalidArgument: [ONNXRuntimeError] : 2 : INVALID_ARGUMENT : {msg}"
    libs = [
        lib(
            sc,
            "onnxruntime/capi/onnxruntime_inference_collection.py",
            sc.pick((200, 217, 220)),
            "run",
            "return self._sess.run(output_names, input_feed, run_options)",
        )
    ]
    return _req(sc, "predict", "outputs = session.run(None, {input_name: features})", exc, msg.split("\n")[0], libs)


@signature("unseen_category", BUG, ("sklearn", "xgboost", "byoc"))
def unseen(sc: Scene) -> Story:
    """The fitted pre-processing pipeline meets a category it never saw in training."""
    val = sc.pick(("DE", "premium_plus", "android_tv", "unknown", "CA-QC", "bitcoin"))
    exc = sc.pick(
        (
            f"ValueError: Found unknown categories ['{val}'] in column {sc.ri(0, 12)} during transform",
            f"ValueError: y contains previously unseen labels: '{val}'",
            f"ValueError: y contains previously unseen labels: ['{val}']",
        )
    )
    libs = (
        [lib(sc, "sklearn/preprocessing/_encoders.py", sc.pick((174, 202, 214)), "_transform", "raise ValueError(msg)")]
        if "categories" in exc
        else [
            lib(
                sc,
                "sklearn/utils/_encode.py",
                sc.pick((225, 227, 231)),
                "_encode",
                'raise ValueError(f"y contains previously unseen labels: {str(e)}")',
            )
        ]
    )
    return _req(
        sc,
        "predict",
        sc.pick(("X = preprocessor.transform(df)", "encoded = label_encoder.transform(df['plan'])")),
        exc,
        exc.split(": ", 1)[1],
        libs,
        status=sc.pick((500, 400)),
    )
