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


def test_datelines_in_each_keyword_are_dropped() -> None:
    # A keyword dropped from the list left its datelines at the top of the text (and of short summaries).
    for dateline, story in (
        ("Posted 2 hours ago", STORY),
        ("Published 12 March 2025, updated 13 March, 10:00.", STORY),
        ("Actualizado: 3 de mayo de 2024", "La granja abrió el martes."),
        ("Publicado em 3 de maio de 2024", "A fazenda abriu na terça."),
        ("Atualizado em 3 de maio de 2024", "A fazenda abriu na terça."),
        ("Publié le 3 mars 2024, mis à jour le 4 mars 2024 à 11h00.", "La ferme a ouvert mardi."),
    ):
        assert clean_text(f"{dateline}\n\n{story}") == story


def test_a_short_lower_case_clause_after_a_dated_comma_is_still_a_dateline() -> None:
    # WordPress: "Posted on <date>, in <categories>": four words, or more without a full stop, are no sentence.
    for dateline in (
        "Posted on May 3, 2024, in news and politics.",
        "Posted on May 3, 2024, in world news and local politics",
    ):
        assert clean_text(f"{dateline}\n\n{STORY}") == STORY


def test_sentences_that_open_like_a_dateline_stay_whole() -> None:
    for sentence in (
        # Five words after the comma make a clause, the first of them a single letter or accented.
        "Published in May 2016, the study found deaths fell.",
        "Published in May 2016, a review found deaths fell.",
        "Publié le 3 mars 2016, étudié par deux chercheurs du CNRS pendant dix ans.",
        # "Stand" is a dateline only before a colon.
        "Stand 2019 lebten 3.000 Menschen im Tal, sagte der Bürgermeister.",
        # A lower-case word is no date: the prefix is not cut off ("the report found ..." was left).
        "Published in 2016 the report found that 1,500 homes in the valley were at risk of flooding within a decade or two.",
        "Last updated in 2016 the rules say that every farm in the valley must report its water use to the council every spring.",
        # A comma after a stamp's date opens a clause ("Last updated 12 March 2025" was cut, leaving ", the ...").
        "Last updated 12 March 2025, the rules say farms must report their water use.",
    ):
        assert clean_text(f"{STORY}\n\n{sentence}") == f"{STORY}\n{sentence}"


def test_related_links_headers_in_title_case_are_still_furniture() -> None:
    # Prose goes on in lower case; a header in title case is a list of links however long.
    for header in (
        "More From Our Partners In The Region Today.",
        "Related Charges Were Filed Against Two Other Men On Friday.",
    ):
        assert clean_text(f"{STORY}\n\n{header}") == STORY
