"""The evaluation script's loaders and reference analysis, on a tiny corpus written for this test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summaries.evaluate import (
    halves,
    load_bbc,
    load_cnndm,
    main,
    paired_gap,
    reference_order,
    score_algorithm,
)

ARTICLE = [
    "The harbour council approved a new ferry timetable for the island route on Monday.",
    "Ferries will leave the harbour every hour from May, the council said.",
    "Residents had asked the council for more ferries to the island for years.",
    "One resident said the old timetable made trips to the mainland hospital difficult.",
    "The island route ferries will also carry bicycles free of charge.",
    "A harbour spokesperson said the new ferries would be quieter.",
    "Tickets go on sale next week.",
    "The council will review the timetable after one year.",
    "Local shops welcomed the news.",
    "The mainland terminal will get a new waiting room.",
]


def write_corpus(root: Path) -> None:
    bbc = root / "bbc-news-summary"
    (bbc / "articles" / "business").mkdir(parents=True)
    (bbc / "summaries" / "business").mkdir(parents=True)
    body = "\n\n".join(ARTICLE)
    (bbc / "articles" / "business" / "001.txt").write_text("Ferries every hour\n\n" + body + "\n")
    # An exact duplicate body is dropped by the loader.
    (bbc / "articles" / "business" / "003.txt").write_text("Ferries again\n\n" + body + "\n")
    # BBC references glue their sentences together and list them most central first.
    picked = [ARTICLE[2], ARTICLE[0], ARTICLE[1], ARTICLE[4]]
    for name in ("001.txt", "003.txt"):
        (bbc / "summaries" / "business" / name).write_text("".join(picked))
    cnndm = root / "cnndm"
    cnndm.mkdir()
    line = {
        "id": "a1",
        "article": " ".join(ARTICLE),
        "references": ["Ferries every hour .", "More ferries ."],
    }
    (cnndm / "summeval100.jsonl").write_text(json.dumps(line) + "\n\n")


def write_two_article_corpus(root: Path) -> None:
    """The corpus plus a second, different article in each, so both halves (tune and held-out test) hold one."""
    write_corpus(root)
    other = list(reversed(ARTICLE))
    business = root / "bbc-news-summary" / "articles" / "business"
    (business / "005.txt").write_text("Timetable reviewed\n\n" + "\n\n".join(other) + "\n")
    (root / "bbc-news-summary" / "summaries" / "business" / "005.txt").write_text("".join(other[:4]))
    line = {"id": "a2", "article": " ".join(other), "references": ["The council will review it ."]}
    with (root / "cnndm" / "summeval100.jsonl").open("a") as fh:
        fh.write(json.dumps(line) + "\n")


def test_loaders_read_both_formats(tmp_path: Path) -> None:
    write_corpus(tmp_path)
    bbc = load_bbc(tmp_path)
    assert len(bbc) == 1
    assert bbc[0].title == "Ferries every hour"
    assert bbc[0].references[0][:2] == (ARTICLE[2], ARTICLE[0])
    cnndm = load_cnndm(tmp_path)
    assert [len(doc.references) for doc in cnndm] == [2]
    assert halves([*bbc, *cnndm]) == {"tune": bbc, "test": cnndm}


def test_reference_order_measures_size_and_order(tmp_path: Path) -> None:
    write_corpus(tmp_path)
    found = reference_order(load_bbc(tmp_path))
    # 10 sentences, 4 in the reference: ceil(0.4 x 10) = 4.
    assert found["ceil_40_percent"] == 1.0
    assert found["ordered_articles"] == 1.0
    # Listed 3rd, 1st, 2nd, 5th sentence: the order follows the article only loosely.
    assert round(found["order_vs_position"], 2) == 0.4


def test_the_weight_search_reports_both_targets_and_each_corpus_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_two_article_corpus(tmp_path)

    assert main(["--data", str(tmp_path), "--tune"]) == 0

    out = capsys.readouterr().out
    assert "baselines (R1): {'bbc tune'" in out and "'cnndm test'" in out
    # Every reported setting is scored on both halves of both corpora, with its margin over the target.
    labels = ("both:", "bbc alone:", "cnndm alone:")
    reported = [row for row in out.splitlines() if row.startswith(labels)]
    assert [row.split(":")[0] for row in reported] == ["both"] * 5 + ["bbc alone", "cnndm alone"]
    for row in reported:
        assert all(f"{corpus} {half} " in row for corpus in ("bbc", "cnndm") for half in ("tune", "test"))
        assert row.count("(+") + row.count("(-") == 4
    # Then, within each corpus, how the two single-corpus settings differ and what predicts which one wins.
    within = [row for row in out.splitlines() if row.startswith("within ")]
    assert [row.split(":")[0] for row in within] == ["within bbc", "within cnndm"]
    for row in within:
        assert "bbc-alone minus cnndm-alone R1 " in row
        assert all(f"{name} " in row for name in ("sentences", "words", "first sentence's centrality rank"))
        correlations = [
            float(cell.rsplit(" ", 1)[1]) for cell in row.split("correlation with ")[1].split(", ")
        ]
        assert len(correlations) == 6 and all(-1.0 <= c <= 1.0 for c in correlations)
    # Last, what each corpus's references reward: the BBC extract is long (four whole sentences), the CNN/DM
    # highlight a few words, and the oracle's sentences are longer or shorter than the article's mean to match.
    rewards = {row.split(":")[0]: row for row in out.splitlines() if row.startswith("references of ")}
    assert list(rewards) == ["references of bbc", "references of cnndm"]
    words = {name: float(row.split(": ")[1].split(" words")[0]) for name, row in rewards.items()}
    assert words["references of bbc"] > 40 > words["references of cnndm"]
    lengths = {
        name: float(row.split("their length is ")[1].split(" standard")[0]) for name, row in rewards.items()
    }
    assert lengths["references of bbc"] > 0 > lengths["references of cnndm"]


def test_gaps_bound_the_default_minus_its_target_per_half(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_two_article_corpus(tmp_path)
    docs = load_cnndm(tmp_path)
    # A method against itself: no gap, and every resample ties.
    assert paired_gap(docs, "lead", "lead") == {"gap": 0.0, "low": 0.0, "high": 0.0, "at_least_zero": 1.0}
    # The gap is the difference of the two mean scores, and the interval lies around it.
    found = paired_gap(docs, "default", "lead")
    expected = score_algorithm(docs, "default")["R1"] - score_algorithm(docs, "lead")["R1"]
    assert found["gap"] == pytest.approx(expected) and found["gap"] != 0.0
    assert found["low"] <= found["gap"] <= found["high"] and found["low"] < found["high"]
    assert paired_gap(docs, "default", "lead") == found  # the seed is fixed: the same interval every run

    assert main(["--data", str(tmp_path), "--gaps"]) == 0

    rows = capsys.readouterr().out.splitlines()
    assert [row.split(":")[0] for row in rows] == [
        "bbc tune (1)",
        "bbc test (1)",
        "cnndm tune (1)",
        "cnndm test (1)",
    ]
    assert all("default minus TextRank R1 " in row for row in rows[:2])
    assert all("default minus Lead-3 R1 " in row for row in rows[2:])
    assert all("95% interval [" in row for row in rows)
