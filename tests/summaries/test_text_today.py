"""Edges of the dateline, list-item and missed-sentence-end rules of 2026-11-26 the first tests left open."""

from __future__ import annotations

from summaries.summarizer import summarize
from summaries.text import clean_text, split_sentences

OPENING = "The harbour's floating solar farm opened on Tuesday."
LATER = "Its builder — a local firm from Port Ellis — says the panels work as planned."


def test_a_dateline_is_cut_although_a_later_sentence_has_a_pair_of_dashes() -> None:
    # The pair-of-dashes check looks only to the end of the dateline's own sentence: a name set off by dashes
    # further on must not keep "PORT ELLIS — " at the head of every alert of the feed.
    text = f"PORT ELLIS — {OPENING} {LATER}"
    assert summarize(text, 1, algorithm="lead") == [OPENING]


def test_a_name_set_off_by_a_pair_of_hyphens_is_not_a_dateline() -> None:
    # Writers without a dash key type " - ": the name in capitals must stay, not be cut as "KLBC - ".
    sentence = "KLBC - Brackwater's biggest lender - said its profit rose by a tenth on Tuesday."
    assert summarize(sentence, 1) == [sentence]


def test_each_list_item_stays_its_own_line_when_it_fills_the_width() -> None:
    # An unpunctuated item as wide as the block looked like a hard-wrapped line, and the next item was glued to
    # it: "... to the harbour front - Ferries now run ...".
    first = "The council moved the summer market from the old square to the harbour front"
    second = "Ferries now run every hour from the pier until late August"
    assert clean_text(f"- {first}\n- {second}") == f"{first}\n{second}"


def test_a_title_abbreviation_in_capitals_does_not_end_a_sentence() -> None:
    # "Mrs." and "Gov." end in lower-case letters: only the whole word, never its tail "rs", is looked at.
    for sentence in (
        "The award went to Mrs. Ortiz of the harbour board on Tuesday.",
        "Gov. Ortiz of Wessex opened the floating solar farm on Tuesday.",
    ):
        assert split_sentences(sentence) == [sentence]


def test_a_missed_end_inside_quotes_still_ends_the_sentence() -> None:
    # A quote may close after the full stop, or open the next sentence: the pair still came as one "sentence".
    first = "A warm coat might not always lead to better rest."
    second = "A 43-year-old ferryman found that out in May."
    for one, two in ((first.replace("better rest.", '"better rest."'), second), (first, f'"{second}"')):
        assert split_sentences(f"{one} {two}") == [one, two]


def test_lower_case_abbreviations_before_a_capital_keep_the_sentence_whole() -> None:
    # Irish counties and prices name these before a capital: each split a sentence in two.
    for sentence in (
        "The farm was built by a firm from Listowel, co. Kerry on the west coast.",
        "Tickets cost 12 euros incl. VAT on the harbour ferry this summer.",
    ):
        assert split_sentences(sentence) == [sentence]
