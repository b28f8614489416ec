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
