"""(1) Featurization throughput, one core: the product's featurizer vs Drain3, HashingVectorizer, grep, a bare loop.

All rows read the same 1,000,000 realistic lines (benchmarks/_data/lines_1000000.log,
built from the training generator's failure and healthy windows so that ~10% of
lines carry a failure signal). The product row groups them into 1,000 CloudWatch
windows of 1,000 lines (`Incident(logs=[LogEvent(line, ts, stream), ...])`) and
times the shipped model's featurizer `transform(incidents)`: grouping the lines
into kinds, scoring every kind with the learned line scorer and cause model,
every dense block and the hashed words, up to the CSR feature matrix.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import shutil
import subprocess
import sys

from .common import DATA, Table, best_of, pin_one_core, rate, repeat, save, say
from .data import incidents_from_lines, lines_file, read_lines

DRAIN3_TARGET = 5.0  # product at least 5x Drain3's lines/s
HASHING_TARGET = 10.0  # and 10x HashingVectorizer's
GREP_TARGET = 5.0  # and within 5x grep's time
REGEX_LINES = 100_000


def main() -> None:
    cpu = pin_one_core()
    path, meta = lines_file()
    n = meta["lines"]
    lines = read_lines(path)
    assert len(lines) == n, (len(lines), n)
    say(f"{n:,} lines, {meta['bytes'] / 1e6:.0f} MB; pinned to CPU {cpu}")

    from classifier.model import default_model_dir, load
    from classifier.text.signals import SIGNALS

    featurizer = load(default_model_dir()).featurizer

    # --- the floor: a bare Python loop over the file
    def bare_loop() -> int:
        k = 0
        with open(path, encoding="utf-8", errors="surrogatepass", newline="\n") as f:
            for _ in f:
                pass
        return k

    t_loop, _ = best_of(bare_loop, repeat(5), warmup=1)
    say(f"bare loop {t_loop.min:.2f}s")

    # --- the ceiling: grep -c -E -i -f with the product's own patterns (C locale: bytes, the fastest grep)
    from .grep_patterns import write_patterns

    pats = DATA / "signal_patterns.ere"
    n_pats = write_patterns(pats)
    taskset = ["taskset", "-c", str(cpu)] if cpu is not None and shutil.which("taskset") else []

    def grep(locale: str):
        def run() -> int:
            out = subprocess.run(
                [*taskset, "grep", "-c", "-E", "-i", "-f", str(pats), str(path)],
                capture_output=True,
                text=True,
                env={**os.environ, "LC_ALL": locale},
            )
            return int(out.stdout.strip() or 0)

        return run

    t_grep, grep_count = best_of(grep("C"), repeat(5), warmup=1)
    t_grep_utf8, _ = best_of(grep("C.UTF-8"), repeat(2))
    say(f"grep {t_grep.min:.2f}s ({grep_count:,} matching lines); UTF-8 locale {t_grep_utf8.min:.2f}s")

    # --- one Python regex alternation of every signal pattern, searched line by line
    # (on the first 100,000 lines only: at ~7k lines/s the whole file would take minutes per run)
    big = re.compile(
        "|".join(f"(?:{getattr(s, 'pattern', None) or '|'.join(map(re.escape, s.literals))})" for s in SIGNALS)
    )
    head = lines[:REGEX_LINES]

    def regex_per_line() -> int:
        search = big.search
        return sum(1 for line in head if search(line.lower()))

    t_regex, regex_count = best_of(regex_per_line, repeat(3))
    say(f"regex alternation {t_regex.min:.2f}s ({regex_count:,})")

    # --- Drain3, default config
    logging.disable(logging.WARNING)  # Drain3 warns that it found no drain3.ini (so: the default config)
    from drain3 import TemplateMiner

    def drain3() -> int:
        tm = TemplateMiner()
        add = tm.add_log_message
        for line in lines:
            add(line)
        return len(tm.drain.clusters)

    t_drain, clusters = best_of(drain3, repeat(3))
    say(f"drain3 {t_drain.min:.2f}s ({clusters} clusters)")

    # --- scikit-learn HashingVectorizer on the raw lines
    from sklearn.feature_extraction.text import HashingVectorizer

    def hashing() -> tuple[int, int]:
        X = HashingVectorizer(n_features=2**18, ngram_range=(1, 2), alternate_sign=False).transform(lines)
        return X.shape

    t_hash, _ = best_of(hashing, repeat(3))
    say(f"HashingVectorizer {t_hash.min:.2f}s")

    # --- the product: lines -> 1,000 windows of 1,000 lines -> feature matrix
    def build() -> list:
        return incidents_from_lines(lines, per=1000)

    t_build, incidents = best_of(build, repeat(3))
    gc.collect()
    say(f"built {len(incidents):,} incidents in {t_build.min:.2f}s")

    def featurize():
        return featurizer.transform(incidents)

    gc.disable()  # 1M LogEvents: keep the cyclic GC's full passes out of the timing (the product's own code is what we time)
    try:
        t_prod, X = best_of(featurize, repeat(3))
    finally:
        gc.enable()
    say(f"product {t_prod.min:.2f}s -> {X.shape} nnz {X.nnz:,}")

    prod_rate = rate(n, t_prod.min)
    t = Table(
        f"(1) Featurization, 1,000,000 lines, one core (CPU {cpu})",
        ["measurement", "lines/s", "min s", "median s", "product speed / this", "target", "met"],
    )
    t.add(
        "smtriage featurizer.transform() (shipped model) — 1,000 windows x 1,000 lines",
        prod_rate,
        t_prod.min,
        t_prod.median,
        "1x",
        "~1,000,000 lines/s",
        "yes" if prod_rate >= 1e6 else "NO",
    )
    t.add(
        "  (info) building the 1,000 Incidents / 1M LogEvents from the lines",
        rate(n, t_build.min),
        t_build.min,
        t_build.median,
        "",
        "",
        "",
    )
    sp_drain = t_drain.min / t_prod.min
    sp_hash = t_hash.min / t_prod.min
    grep_ratio = t_prod.min / t_grep.min
    t.add(
        "Drain3 TemplateMiner.add_log_message, default config",
        rate(n, t_drain.min),
        t_drain.min,
        t_drain.median,
        f"{sp_drain:.2f}x",
        f">= {DRAIN3_TARGET:.0f}x",
        "yes" if sp_drain >= DRAIN3_TARGET else "NO",
    )
    t.add(
        "HashingVectorizer(2**18, ngram (1,2), alternate_sign=False)",
        rate(n, t_hash.min),
        t_hash.min,
        t_hash.median,
        f"{sp_hash:.2f}x",
        f">= {HASHING_TARGET:.0f}x",
        "yes" if sp_hash >= HASHING_TARGET else "NO",
    )
    regex_rate = rate(len(head), t_regex.min)
    t.add(
        f"  (info) one Python regex alternation of all {len(SIGNALS)} signals ({n_pats} patterns), line by line "
        f"(first {len(head):,} lines)",
        regex_rate,
        t_regex.min,
        t_regex.median,
        f"{regex_rate and prod_rate / regex_rate:.2f}x",
        "",
        "",
    )
    t.add(
        f"grep -c -E -i -f ({n_pats} EREs), LC_ALL=C — ceiling",
        rate(n, t_grep.min),
        t_grep.min,
        t_grep.median,
        f"time {grep_ratio:.1f}x grep's",
        f"time <= {GREP_TARGET:.0f}x grep's",
        "yes" if grep_ratio <= GREP_TARGET else "NO",
    )
    t.add(
        "  (info) same grep, LC_ALL=C.UTF-8",
        rate(n, t_grep_utf8.min),
        t_grep_utf8.min,
        t_grep_utf8.median,
        f"time {t_prod.min / t_grep_utf8.min:.1f}x its",
        "",
        "",
    )
    t.add(
        "bare `for line in f: pass` — floor of Python",
        rate(n, t_loop.min),
        t_loop.min,
        t_loop.median,
        f"time {t_prod.min / t_loop.min:.1f}x its",
        "",
        "",
    )
    t.notes += [
        f"data: {n:,} lines, {meta['bytes'] / 1e6:.0f} MB, from {meta['failure_windows']:,} failure and "
        f"{meta['healthy_windows']:,} healthy generator windows (seed {meta['seed']}); by the product's own scan "
        f"{meta['lines_failure_signal'] / n:.1%} of lines carry a likely-failure signal (LIKELY_FAILURE), "
        f"{meta['lines_salient_signal'] / n:.1%} a non-traffic signal (the lines eligible for hashing), "
        f"{meta['lines_any_signal'] / n:.1%} any signal",
        f"grep counted {grep_count:,} lines matching a pattern (the product's own scan: {meta['lines_any_signal']:,} "
        f"lines with a signal on the event; phrases of counted-only signals, if any, count for grep but sit on no "
        f"event); the per-line Python alternation {regex_count:,} of the first {len(head):,}",
        "the grep patterns are the product's, translated to ERE (benchmarks/grep_patterns.py: phrases escaped, "
        "regexes' (?: -> (, \\d -> [0-9], a start-of-line lookbehind or leading \\n -> ^); none dropped",
        f"Drain3 ended with {clusters:,} clusters; product matrix {X.shape[0]:,} x {X.shape[1]:,}, {X.nnz:,} non-zeros",
        "min/median over best-of-N runs with time.perf_counter; ratios use the min times",
        "product timing with the cyclic GC disabled during the call (1M live LogEvents would otherwise trigger full "
        "collections that are not the featurizer's work)",
    ]
    save(
        "featurize",
        t,
        {
            "lines": n,
            "meta": meta,
            "seconds": {
                "product": t_prod.runs,
                "build": t_build.runs,
                "drain3": t_drain.runs,
                "hashing": t_hash.runs,
                "regex": t_regex.runs,
                "grep": t_grep.runs,
                "grep_utf8": t_grep_utf8.runs,
                "loop": t_loop.runs,
            },
        },
    )


if __name__ == "__main__":
    sys.exit(main())
