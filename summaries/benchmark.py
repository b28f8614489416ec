"""Speed benchmark of the summarizer, and the sentence-splitter comparison behind its choice of splitter.

    python -m summaries.benchmark --data /work/shared/data [--algorithm default] [--sentences 3] [--limit N]
    python -m summaries.benchmark --data /work/shared/data --splitters

The speed run summarizes every (de-duplicated) BBC article with cleaning, splitting and selection included,
and reports articles per second of wall time and of process CPU time (CPU time counts every thread, so it is
the honest one-core figure even if numpy's BLAS starts threads).

The splitter run scores each offline splitter by the share of BBC reference-summary sentences it reproduces
exactly from the article paragraphs (the references are sentences of the article, so they are ground truth
for where sentences end; surrounding quote marks are ignored because the references' own splitting moves
them), and by its speed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from summaries.evaluate import Document, load_bbc
from summaries.summarizer import ALGORITHMS, summarize
from summaries.text import split_sentences

_QUOTES = "\"'“”‘’ "


def benchmark_speed(docs: Sequence[Document], algorithm: str, sentences: int) -> dict[str, float]:
    """Articles per second (wall and CPU) and per-article latency percentiles."""
    for doc in docs[:20]:  # warm caches (stop words, stemmers, the Punkt model) outside the timed loop
        summarize(doc.body, sentences, title=doc.title, algorithm=algorithm)
    latencies: list[float] = []
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    for doc in docs:
        start = time.perf_counter()
        summarize(doc.body, sentences, title=doc.title, algorithm=algorithm)
        latencies.append(time.perf_counter() - start)
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    latencies.sort()
    words = statistics.mean(len(doc.body.split()) for doc in docs)
    return {
        "articles": len(docs),
        "mean_words": words,
        "per_s_wall": len(docs) / wall,
        "per_s_cpu": len(docs) / cpu if cpu else float("inf"),
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
    }


def _splitters() -> dict[str, Callable[[str], list[str]]]:
    import nupunkt
    import pysbd
    import sentencex
    import syntok.segmenter as syntok_segmenter

    pysbd_segmenter = pysbd.Segmenter(language="en", clean=False)

    def syntok_split(paragraph: str) -> list[str]:
        return [
            "".join(str(t) for t in sent) for para in syntok_segmenter.process(paragraph) for sent in para
        ]

    return {
        "newsbot (nupunkt + missed ends)": lambda p: split_sentences(p, "english"),
        "nupunkt": nupunkt.sent_tokenize,
        "sentencex": lambda p: list(sentencex.segment("en", p)),
        "syntok": syntok_split,
        "pysbd": pysbd_segmenter.segment,
    }


def compare_splitters(docs: Sequence[Document]) -> list[tuple[str, float, int, float]]:
    """(splitter, share of reference sentences reproduced, misses, articles/s) for each splitter."""
    rows = []
    for name, split in _splitters().items():
        start = time.perf_counter()
        produced = [
            {s.strip(_QUOTES) for para in doc.body.split("\n\n") if para.strip() for s in split(para)}
            for doc in docs
        ]
        elapsed = time.perf_counter() - start
        total = hits = 0
        for doc, got in zip(docs, produced, strict=True):
            for ref in doc.references[0]:
                total += 1
                hits += ref.strip(_QUOTES) in got
        rows.append((name, hits / max(1, total), total - hits, len(docs) / elapsed))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the speed benchmark or the splitter comparison and print the figures."""
    parser = argparse.ArgumentParser(
        prog="python -m summaries.benchmark", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--data", type=Path, required=True, help="the shared data folder (with its README.md)"
    )
    parser.add_argument("--algorithm", default="default", choices=ALGORITHMS)
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="use only the first N articles")
    parser.add_argument("--splitters", action="store_true", help="compare sentence splitters instead")
    args = parser.parse_args(argv)
    if not (args.data / "bbc-news-summary").is_dir():
        print(f"error: {args.data} has no bbc-news-summary/ folder (see the data README)", file=sys.stderr)
        return 2
    docs = load_bbc(args.data)
    if args.limit:
        docs = docs[: args.limit]

    if args.splitters:
        try:
            import pysbd  # noqa: F401
            import syntok  # noqa: F401
        except ImportError as exc:  # not newsbot's dependencies: only this comparison needs them
            print(f"error: --splitters needs {exc.name}: .venv/bin/pip install pysbd syntok", file=sys.stderr)
            return 2
        print(f"{len(docs)} BBC articles; reference sentences reproduced exactly by each splitter")
        print("| splitter | reference sentences found | missed | articles/s |")
        print("|---|---|---|---|")
        for name, share, missed, rate in compare_splitters(docs):
            print(f"| {name} | {share * 100:.1f}% | {missed} | {rate:,.0f} |")
        return 0

    r = benchmark_speed(docs, args.algorithm, args.sentences)
    print(
        f"{args.algorithm}, {args.sentences} sentences, {r['articles']:.0f} BBC articles "
        f"(mean {r['mean_words']:.0f} words): {r['per_s_cpu']:.0f} articles/s per CPU second, "
        f"{r['per_s_wall']:.0f} articles/s wall; p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
