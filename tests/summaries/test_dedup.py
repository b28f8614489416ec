"""Duplicates and same-story grouping, on short stories written for these tests."""

from __future__ import annotations

import time

from summaries.dedup import (
    content_fingerprint,
    figures_differ,
    same_story,
    story_bands,
    story_signature,
    story_similarity,
    titles_agree,
)

# One invented event, told twice by two imaginary outlets in their own words.
HARBOUR_A = (
    "Brightwater ferry strike halts harbour crossings",
    "Ferry crews in Brightwater walked out on Monday, halting every crossing between the harbour and Kessel "
    "Island. The Maritime Workers Union said 240 deckhands and engineers joined the strike over a pay offer "
    "of 2.5 percent. Harbourline, which runs the ferries, called the walkout regrettable and said talks "
    "would resume on Thursday. Commuters queued for buses along the coast road, and the island's school "
    "closed early. "
    "Union organiser Dana Pruett said crews had not had a raise in three years while fuel surcharges rose.",
)
HARBOUR_B = (
    "Kessel Island cut off as Harbourline ferry crews strike",
    "No ferries sailed between Brightwater harbour and Kessel Island on Monday after deckhands and engineers "
    "went on strike. About 240 members of the Maritime Workers Union rejected Harbourline's 2.5 percent pay "
    "offer, organiser Dana Pruett said, adding that crews had gone three years without a raise. Harbourline "
    "described the strike as regrettable; talks are due to resume Thursday. The island school shut early and "
    "commuters were left queuing for replacement buses on the coast road.",
)
# The next day's news from HARBOUR_A's source: new facts in the lead, Monday's background repeated below it.
HARBOUR_FOLLOW_UP = (
    "Brightwater ferry strike spreads to freight crossings",
    "Lorry drivers at Brightwater joined the ferry strike on Tuesday, halting the freight crossings that supply "
    "Kessel Island with food and fuel. The Maritime Workers Union said 240 deckhands and engineers walked out "
    "on Monday over a pay offer of 2.5 percent. Harbourline called the walkout regrettable and said talks "
    "would resume on Thursday. Union organiser Dana Pruett said crews had not had a raise in three years while "
    "fuel surcharges rose.",
)
# HARBOUR_A as its source updated it an hour later.
HARBOUR_REVISION = (
    HARBOUR_A[0],
    HARBOUR_A[1].replace("resume on Thursday", "resume on Thursday morning")
    + " Harbourline later said a skeleton service would carry medical staff.",
)
# A different story on a neighbouring subject (transport, labour) to make the test honest.
RAIL = (
    "Northfield rail upgrade opens two months early",
    "The new signalling system on the Northfield line went live on Saturday, two months ahead of schedule. "
    "Network operator Railcore said trains between Northfield and Ashby would now run every ten minutes at "
    "peak times. The 180 million pound project replaced equipment installed in the 1970s. Passenger groups "
    "welcomed the change but asked for more carriages on evening services, which remain crowded.",
)


def test_fingerprint_ignores_case_spacing_and_punctuation() -> None:
    title, body = HARBOUR_A
    messy = "  " + body.upper().replace(". ", " .  ").replace(",", " ,") + "\n"
    assert content_fingerprint(title, body) == content_fingerprint(title.lower(), messy)


def test_fingerprint_ignores_a_headline_repeated_in_the_body() -> None:
    title, body = HARBOUR_A
    assert content_fingerprint(title, body) == content_fingerprint(title, f"{title}\n\n{body}")


def test_fingerprint_keeps_apart_items_that_share_a_long_text_under_their_own_headlines() -> None:
    # A blog series' shared intro, a podcast's blurb: the text alone made the second item a duplicate.
    body = HARBOUR_A[1]
    assert len(body.split()) > 50
    assert content_fingerprint("BondiBlock", body) != content_fingerprint("PhonoBlock", body)


def test_titles_agree_for_a_reworded_headline_not_for_another_items() -> None:
    assert titles_agree("Melzer shocks Agassi", "Melzer shocks Agassi in San Jose")
    assert titles_agree("Tory backing for ID cards", "Conservative backing for ID cards")
    assert titles_agree("", "Anything at all")  # nothing to tell by
    assert not titles_agree("BondiBlock", "PhonoBlock")
    assert not titles_agree("Harbour Hour 12: The lighthouse keepers", "Harbour Hour 13: Night ferries")


def test_fingerprint_differs_for_different_text() -> None:
    assert content_fingerprint(*HARBOUR_A) != content_fingerprint(*HARBOUR_B)
    # Short items: the title is part of the identity.
    assert content_fingerprint("Rain today", "Bring a coat.") != content_fingerprint(
        "Sun today", "Bring a coat."
    )


def test_two_rewrites_of_one_story_are_the_same_story() -> None:
    a, b = story_signature(*HARBOUR_A), story_signature(*HARBOUR_B)
    assert same_story(a, b), story_similarity(a, b)
    assert set(story_bands(a)) & set(story_bands(b))


def test_different_stories_are_not_grouped() -> None:
    rail = story_signature(*RAIL)
    for other in (HARBOUR_A, HARBOUR_B):
        sig = story_signature(*other)
        assert not same_story(rail, sig), story_similarity(rail, sig)
        assert story_similarity(rail, sig) < 0.15


def test_a_follow_up_by_the_same_source_is_not_the_same_story() -> None:
    # Shared people and background make a follow-up as similar as another outlet's rewrite; from one source
    # it is news of its own (grouped, it would never reach readers), and only a revision is the same story.
    first, follow_up = story_signature(*HARBOUR_A), story_signature(*HARBOUR_FOLLOW_UP)
    revision = story_signature(*HARBOUR_REVISION)
    assert story_similarity(first, follow_up) >= 0.5
    assert set(story_bands(first)) & set(story_bands(follow_up))
    assert not same_story(first, follow_up, same_source=True), story_similarity(first, follow_up)
    assert not same_story(first, story_signature(*HARBOUR_B), same_source=True)
    assert same_story(first, revision, same_source=True), story_similarity(first, revision)


def test_a_revision_sharing_exactly_three_quarters_of_its_sketch_is_the_same_story() -> None:
    # "At or above" the threshold: a source's revision agreeing on exactly 48 of 64 positions (0.75) is that
    # story again; taken for a new one, its readers got the same alert twice.
    first = "mh1:" + "".join(f"{n:08x}" for n in range(64)) + ":40"
    revision = "mh1:" + "".join(f"{n if n < 48 else n + 1000:08x}" for n in range(64)) + ":40"
    assert story_similarity(first, revision) == 0.75
    assert same_story(first, revision, same_source=True)


def test_signature_is_stable_text() -> None:
    sig = story_signature(*HARBOUR_A)
    assert sig == story_signature(*HARBOUR_A)
    assert sig.startswith("mh1:") and sig.isascii() and len(sig) == 4 + 8 * 64 + len(":51")
    # Signatures stored before they carried their word count still group with new ones.
    assert same_story(sig.rpartition(":")[0], story_signature(*HARBOUR_B))
    assert story_similarity(sig, sig) == 1.0
    assert len(story_bands(sig)) == 16


def test_empty_or_foreign_signatures_never_match() -> None:
    empty = story_signature("", "")
    assert not same_story(empty, empty)
    assert not same_story("garbage", story_signature(*HARBOUR_A))
    assert story_bands("garbage") == []
    # A stored signature cut short (a damaged row) is no match rather than an error that stops the ingest.
    sig = story_signature(*HARBOUR_A)
    assert story_similarity(sig, sig[:-8]) == 0.0 and story_bands(sig[:-8]) == []


def test_the_lead_decides_the_story_not_the_background_after_it() -> None:
    # Two outlets carry one agency lead, then each adds a long background section of its own.
    lead = " ".join(f"lead{i}" for i in range(300))
    a = story_signature("Harbour strike", lead + " " + " ".join(f"alpha{i}" for i in range(1000)))
    b = story_signature("Harbour strike", lead + " " + " ".join(f"bravo{i}" for i in range(1000)))
    assert same_story(a, b)


# Two unrelated Hindi stories (a cricket match in Mumbai, rain in Delhi) sharing only everyday words, and the
# cricket story as another outlet told it.
CRICKET_HI = (
    "मुंबई में भारत ने इंग्लैंड को हराया",
    "भारतीय क्रिकेट टीम ने रविवार को मुंबई के वानखेड़े स्टेडियम में इंग्लैंड को सात विकेट से हराया। "
    "कप्तान रोहित शर्मा ने शानदार शतक लगाया और टीम को जीत दिलाई। "
    "इंग्लैंड की टीम पहले बल्लेबाज़ी करते हुए केवल दो सौ रन बना सकी। "
    "भारतीय गेंदबाज़ों ने शुरुआत से ही दबाव बनाए रखा।",
)
CRICKET_HI_RETOLD = (
    "वानखेड़े में रोहित शर्मा का शतक, भारत जीता",
    "मुंबई के वानखेड़े स्टेडियम में रविवार को खेले गए मुकाबले में भारत ने इंग्लैंड को सात विकेट से मात दी। "
    "रोहित शर्मा ने शतक जड़ा और भारतीय टीम आसानी से लक्ष्य तक पहुँच गई। "
    "इंग्लैंड ने पहले बल्लेबाज़ी की थी और दो सौ रन बनाए थे।",
)
RAIN_HI = (
    "दिल्ली में भारी बारिश से यातायात ठप",
    "राजधानी दिल्ली में सुबह से हो रही भारी बारिश ने शहर की रफ़्तार रोक दी। "
    "लोग पहले से ही घर से काम करते रहे और सड़कों पर पानी भर गया।",
)


def test_hindi_stories_are_grouped_by_their_words_not_by_pieces_of_them() -> None:
    # Words were cut at every vowel sign and pieces under three letters dropped: the cricket story was known by
    # "करत", "पहल" and "शतक" alone, the rain story by "करत", "पहल" and "शहर", so they were one story and a chat
    # that got the first never heard of the second.
    cricket, rain = story_signature(*CRICKET_HI), story_signature(*RAIN_HI)
    assert not same_story(cricket, rain), story_similarity(cricket, rain)
    retold = story_signature(*CRICKET_HI_RETOLD)
    assert same_story(cricket, retold), story_similarity(cricket, retold)


# Two aggregators' headlines with no text, and two outlets' items from one template (invented company).
FILING_CFO = (
    "Harbourline (NYSE:HBL) CFO Sells $1,204,000 in Stock",
    "Harbourline (NYSE:HBL) CFO Mara Quist sold 52,000 shares of the company's stock in a transaction that "
    "occurred on Tuesday, May 14th. The shares were sold at an average price of $23.15.",
)
FILING_DIRECTOR = (
    "Harbourline (NYSE:HBL) Director Sells $310,500 in Stock",
    "Harbourline (NYSE:HBL) Director Owen Tully sold 13,500 shares of the company's stock in a transaction "
    "that occurred on Tuesday, May 14th. The shares were sold at an average price of $23.00.",
)


def test_short_items_sharing_a_word_or_two_are_not_one_story() -> None:
    # "Apple earnings" and "Apple layoffs" share a third of their words: one story, and a chat following
    # "apple" never heard of the layoffs.
    earnings, layoffs = story_signature("Apple earnings", ""), story_signature("Apple layoffs", "")
    assert story_similarity(earnings, layoffs) >= 0.3
    assert not same_story(earnings, layoffs)
    assert not same_story(story_signature("Item 4", ""), story_signature("The First Item", "This is it."))
    # A headline rewritten by another outlet keeps enough of the story's words.
    recall = story_signature("Voltra recalls 40,000 electric vans over brake fault", "")
    assert same_story(recall, story_signature("Brake fault: Voltra recalls 40,000 vans", ""))


def test_two_headlines_sharing_three_names_are_two_stories() -> None:
    # Three words in common are 44 % of these few: grouped, the timetable news never reached a chat that had
    # the strike's alert, as "also" of a story about something else.
    ends = story_signature("Kessel Island ferry strike ends", "")
    timetable = story_signature("Kessel Island ferry timetable changes", "")
    assert story_similarity(ends, timetable) >= 0.3
    assert not same_story(ends, timetable)


def test_headlines_sharing_only_half_their_words_do_not_agree() -> None:
    # One source's two items with the same stock text: "most" words in common is more than half. At half, the
    # timetable item joined the strike item's story and its readers never heard of it.
    assert not titles_agree("Brightwater ferry strike halts", "Brightwater ferry timetable published")
    assert titles_agree("Brightwater ferry strike halts", "Brightwater ferry strike halts crossings")


def test_templated_items_are_told_apart_by_the_figures_in_their_headlines() -> None:
    # Two filings from one template share most words (same_story), but not the amounts that make them news.
    assert same_story(story_signature(*FILING_CFO), story_signature(*FILING_DIRECTOR))
    assert figures_differ(FILING_CFO[0], FILING_DIRECTOR[0])
    assert figures_differ("Outtakes and Bloopers 2: 2007-2011", "Outtakes and Bloopers 1")
    assert not figures_differ("Voltra recalls 40,000 vans", "Voltra recalls 40000 vans over brake fault")
    assert not figures_differ("Voltra recalls 40,000 vans", "Voltra recalls vans over brake fault")
    # Two outlets' own headlines on one event, with the toll of their hour: still one story.
    assert not figures_differ(
        "Harbour quake kills 12 in Voltra", "Death toll in Voltra earthquake rises to 20"
    )
    # Ordinals, amounts with a unit and names with digits are words, not figures.
    assert not figures_differ("Sales up on May 14th", "Sales up $500M in A320 orders")


def test_a_headline_of_a_long_run_of_digits_ending_in_a_letter_is_judged_at_once() -> None:
    # A figure's digits were given back one by one and the word after them rescanned each time: a hostile
    # headline of 60,000 digits and a letter took about 10 s per known headline it was compared with.
    hostile = "1" * 60_000 + "x"
    started = time.process_time()
    assert not figures_differ(hostile, "Voltra recalls 40,000 vans")
    assert time.process_time() - started < 3.0
