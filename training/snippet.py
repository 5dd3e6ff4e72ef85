"""What people paste into bug reports: short, partial, often without timestamps.

Real reports quote one exception line, the tail of a traceback, a handful of
frames without the exception (the rest was cut off), or only the error the
SDK raised on the client. Lines arrive with the stack's own prefix, with the
prefix stripped, or with the CloudWatch console's ``| <time> |`` column;
copy-paste mangles whitespace and truncates long lines. Every snippet keeps
at least one line (or the client error / failure reason) that carries the
evidence for its label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from training.stacks import iso_event, render_access, render_line
from training.story import RESOURCE, Ev, Scene, Story
from training.window import instance_ids, window_start

_TS_HEAD = re.compile(
    r"^(\d{4}[-/]\d{2}[-/]\d{2}[ T:]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?Z?:?\s*|\[\d{4}-\d{2}-\d{2}[ :][^\]]*\]\s*"
    r"|[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+\s+|(?:INFO|WARNING|ERROR|DEBUG|CRITICAL) \d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+)"
)


@dataclass
class _Row:
    t: datetime
    prefix: str
    body: str
    key: bool


def _rows(sc: Scene, evs: list[Ev], t: datetime) -> list[_Row]:
    rows: list[_Row] = []
    for ev in evs:
        t = t + timedelta(seconds=ev.gap * sc.uf(0.5, 1.5) + sc.uf(0.0005, 0.02))
        for i, text in enumerate(ev.lines):
            key = i in ev.keys
            if ev.src == "access":
                rows.append(_Row(t, "", render_access(sc, ev, t), key))
                continue
            full = render_line(sc, ev, i, t)
            if not text:
                rows.append(_Row(t, full, "", key))
            elif full.endswith(text):
                rows.append(_Row(t, full[: len(full) - len(text)], text, key))
            else:
                rows.append(_Row(t, "", full, key))
    return rows


def _pick_view(sc: Scene, rows: list[_Row], has_client: bool) -> tuple[list[_Row], bool]:
    """A contiguous (or single-line) part of the story; the bool says whether to add the client error."""
    keys = [i for i, r in enumerate(rows) if r.key]
    if not keys:
        return rows[-sc.ri(1, min(6, len(rows))) :] if rows else [], True
    last = keys[-1]
    view = sc.wpick(
        (("one", 30), ("tail", 20), ("slice", 20), ("frames", 8), ("client", 17 if has_client else 0), ("all", 5))
    )
    if view == "one":
        strong = [k for k in keys if not rows[k].body[:1].isspace()] or [last]
        i = last if sc.chance(0.75) else sc.pick(strong)
        return [rows[i]], False
    if view == "tail":
        k = sc.ri(2, 12)
        return rows[max(0, last - k + 1) : last + 1], sc.chance(0.15)
    if view == "frames" and len(keys) >= 3 and sc.label != RESOURCE:  # frames alone never show exhaustion
        inner = [k for k in keys if k != last and k < last]
        if inner:
            j = sc.pick(inner)
            a = max(0, j - sc.ri(0, 8))
            return rows[a : min(last, j + sc.ri(1, 6))], False
    if view == "client" and has_client:
        if sc.chance(0.5):
            return [], True
        j = sc.pick(keys)
        return rows[max(0, j - sc.ri(0, 3)) : j + 1], True
    if view == "all":
        return rows[-20:], sc.chance(0.3)
    j = sc.pick(keys)
    length = sc.ri(2, 20)
    a = max(0, min(j, len(rows) - length) - sc.ri(0, max(0, length - 1)))
    a = min(a, j)
    return rows[a : max(j + 1, a + length)][:20], sc.chance(0.1)


def _strip_prefix(sc: Scene, row: _Row, mode: str) -> str:
    if mode == "full" or not row.prefix:
        return row.prefix + row.body
    if mode == "bare":
        return row.body
    return _TS_HEAD.sub("", row.prefix, count=1) + row.body


def _offset(sc: Scene) -> tuple[str, timedelta]:
    h = sc.pick((0, 1, 2, -4, -5, -7, 5, 8, 9))
    extra = 30 if h == 5 and sc.chance(0.3) else 0
    sign = "+" if h >= 0 else "-"
    return f"{sign}{abs(h):02d}:{extra:02d}", timedelta(hours=h, minutes=extra if h >= 0 else -extra)


def _damage(sc: Scene, lines: list[str], times: list[datetime], stream: str) -> list[str]:
    """Copy-paste artefacts seen in real reports."""
    out = list(lines)
    if sc.chance(0.15):
        out = [x.lstrip() for x in out]
    if sc.chance(0.06):
        out = [re.sub(r" (?=\S)", lambda m: "   " if sc.chance(0.2) else " ", x) for x in out]
    roll = sc.rng.random()
    if roll < 0.08:
        tz, delta = _offset(sc)

        def fmt(t: datetime) -> str:
            return (t + delta).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}{tz}"

        lead = sc.chance(0.4)
        out = [
            (f"{fmt(t)} | " if lead and i == 0 else f"| {fmt(t)} | ") + x for i, (x, t) in enumerate(zip(out, times))
        ]
    elif roll < 0.12:
        tag = {"vllm": "vllm  | ", "tgi": "tgi-1  | ", "triton": "triton_1            | "}.get(
            sc.stack, f"algo-1-{sc.hexs(5)}_1  | "
        )
        out = [tag + x for x in out]
    elif roll < 0.14:
        out = [f'{int(t.timestamp() * 1000)},"{x}",{stream}' for x, t in zip(out, times)]
    elif roll < 0.16:
        out = [f"| {int(t.timestamp() * 1000)} | {x} | {stream} |" for x, t in zip(out, times)]
    elif roll < 0.19:
        out = [f"{iso_event(t)}\t{x}" for x, t in zip(out, times)]
    if len(out) > 1 and sc.chance(0.05):
        out = [" ".join(x.strip() for x in out)]
    if out and sc.chance(0.1) and len(out[-1]) > 80:
        cut = sc.ri(int(len(out[-1]) * 0.6), len(out[-1]) - 1)
        out[-1] = out[-1][:cut]
    if out and sc.chance(0.03) and len(out[0]) > 30:
        out[0] = out[0][1:]
    if len(out) == 1 and sc.chance(0.06):
        out = [sc.pick((f"'{out[0]}'", f"{{'error': '{out[0]}'}}", f'"{out[0]}"'))]
    return out


def _client_frames(sc: Scene) -> list[str]:
    """The caller's own traceback that people paste above the ModelError (label-neutral)."""
    py = sc.pick(("3.8", "3.9", "3.10", "3.11"))
    site = sc.pick(
        (
            f"/usr/local/lib/python{py}/site-packages",
            f"/opt/conda/lib/python{py}/site-packages",
            f"/home/ec2-user/anaconda3/envs/python3/lib/python{py}/site-packages",
        )
    )
    head = ["Traceback (most recent call last):"]
    if sc.chance(0.5):
        head += [
            f'  File "{sc.pick(("invoke.py", "test_endpoint.py", "/tmp/ipykernel_1234/3561.py", "app.py"))}", '
            f"line {sc.ri(5, 80)}, in <module>",
            f"    response = {sc.pick(('runtime', 'client', 'smr', 'sm_runtime'))}.invoke_endpoint(EndpointName=endpoint_name, "
            f"ContentType='{sc.pick(('application/json', 'text/csv', 'application/x-image'))}', Body=payload)",
        ]
    else:
        head += [
            f'  File "{sc.pick(("predict.py", "/tmp/ipykernel_4107/2710.py", "main.py"))}", line {sc.ri(3, 60)}, in <module>',
            "    result = predictor.predict(data)",
            f'  File "{site}/sagemaker/base_predictor.py", line {sc.pick((167, 185, 212))}, in predict',
            "    response = self.sagemaker_session.sagemaker_runtime_client.invoke_endpoint(**request_args)",
        ]
    head += [
        f'  File "{site}/botocore/client.py", line {sc.pick((530, 553, 565))}, in _api_call',
        "    return self._make_api_call(operation_name, kwargs)",
        f'  File "{site}/botocore/client.py", line {sc.pick((960, 1009, 1023))}, in _make_api_call',
        "    raise error_class(parsed_response, operation_name)",
    ]
    return head


def _short_image(sc: Scene) -> str:
    repo_tag = sc.image.split("/", 1)[-1]
    repo = repo_tag.split(":")[0]
    return sc.pick((repo_tag, repo, sc.image, f"{repo} (SageMaker DLC)", repo_tag.split("-py")[0]))


def _context(sc: Scene, story: Story, need_reason: bool) -> dict:
    if not need_reason and sc.chance(0.55):
        return {}
    ctx: dict = {}
    if story.paste_only:
        pass  # the API refused the request: there is no endpoint status
    elif story.phase == "startup" and (need_reason or sc.chance(0.6)):
        ctx["status"] = "Failed"
        if story.failure_reason and (need_reason or sc.chance(0.7)):
            ctx["failure_reason"] = story.failure_reason if sc.chance(0.7) else story.failure_reason.split(". ")[0]
    elif story.status and sc.chance(0.3):
        ctx["status"] = story.status
    if sc.chance(0.5):
        ctx["image"] = _short_image(sc)
    if sc.chance(0.3):
        ctx["instance_type"] = sc.inst.name
    return ctx


def snippet(sc: Scene, story: Story) -> tuple[list[dict], dict]:
    """(logs, context) of a pasted snippet of ``story``."""
    t0 = window_start(sc) + timedelta(seconds=sc.uf(0, 3000))
    rows = _rows(sc, story.events, t0)
    if story.again and sc.chance(0.15):
        rows += _rows(sc, story.again, rows[-1].t + timedelta(seconds=sc.uf(1, 20)) if rows else t0)
    # a deploy error ("did not pass the ping health check") says nothing about the cause; a runtime
    # ModelError carries the container's own message
    client_is_evidence = bool(story.client_error) and story.phase == "runtime"
    chosen, add_client = _pick_view(sc, rows, client_is_evidence)
    mode = sc.wpick((("full", 40), ("bare", 35), ("partial", 25)))
    chosen = [r for r in chosen if _strip_prefix(sc, r, mode).strip()]
    times = [r.t for r in chosen]
    stream = f"{sc.variant}/{instance_ids(sc, 1)[0]}"
    lines = _damage(sc, [_strip_prefix(sc, r, mode) for r in chosen], times, stream) if chosen else []
    protect = [r.key for r in chosen] if len(lines) == len(chosen) else [any(r.key for r in chosen)] * len(lines)
    has_key = any(protect)
    if (add_client or (not has_key and client_is_evidence)) and story.client_error:
        client = [story.client_error]
        if story.client_error.startswith("botocore") and sc.chance(0.25):
            client = _client_frames(sc) + client
        flags = [False] * (len(client) - 1) + [client_is_evidence]
        if sc.chance(0.2):
            lines, protect = client + lines, flags + protect
        else:
            lines, protect = lines + client, protect + flags
        has_key = has_key or client_is_evidence
    key_rows = [r for r in rows if r.key]
    if not has_key and key_rows:
        lines.append(key_rows[-1].body)
        protect.append(True)
        has_key = True
    ctx = _context(sc, story, need_reason=not has_key)
    if story.phase == "startup" and story.client_error and not add_client and sc.chance(0.25):
        # people paste the deploy error (after the SDK's progress dots) next to the log lines
        extra = ([sc.pick(("-" * sc.ri(8, 40) + "*", "-" * sc.ri(8, 40) + "!*"))] if sc.chance(0.3) else []) + [
            story.client_error
        ]
        lines, protect = lines + extra, protect + [False] * len(extra)
    kept = [(x, p) for x, p in zip(lines, protect) if x.strip()]
    while len(kept) > 20:  # bug reports quote at most a screenful; keep the evidence
        drop = next((i for i, (_, p) in enumerate(kept) if not p), 0)
        del kept[drop]
    lines = [x for x, _ in kept]
    keep_ts = sc.chance(0.12) and len(times) == len(lines)
    keep_stream = sc.chance(0.08)
    logs = [
        {
            "timestamp": iso_event(times[i]) if keep_ts else None,
            "stream": stream if keep_stream else None,
            "message": msg,
        }
        for i, msg in enumerate(lines)
    ]
    return logs, ctx
