"""Edges of the dateline, stamp and prose-opening rules that no earlier test held (hand mutations, review-mut7)."""

from summaries.text import clean_text

STORY = "The farm opened on Tuesday."


def test_a_posted_by_author_on_date_line_is_cut_as_a_dateline() -> None:
    # Blogs head a post with its author and date; read as a sentence it opened the summary.
    for header in (
        "Posted by Jo Marsh on November 19, 2019, 6:21 AM EST",
        "Posted by Jo Marsh on 19 November 2019",
    ):
        assert clean_text(f"{header}\n\n{STORY}") == STORY
        assert clean_text(f"{header} {STORY}") == STORY
    # Prose that opens the same way stays whole.
    sentence = "Posted by the council in 2019, the notice warned that 40 homes were at risk of flooding."
    assert clean_text(sentence) == sentence


def test_a_dateline_with_a_second_stamp_after_a_comma_leaves_no_fragment() -> None:
    # The date followed by a comma refused the cut, and the pattern went on to a later place to cut at:
    # 'T, updated on ...' or 'at 10:00 GMT.' reached the text; the whole line is a dateline.
    for header in (
        "Published on 12 March 2025, 09:30 GMT, updated on 13 March 2025, 10:00 GMT",
        "Published on 12 March 2025, updated on 13 March 2025 at 10:00 GMT.",
        "PUBLISHED: 12 March 2025, updated on 13 March 2025 at 10:00 GMT.",
    ):
        assert clean_text(f"{header}\n\n{STORY}") == STORY
