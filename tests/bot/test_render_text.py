"""Splitting long replies: every message within Telegram's limit, nothing lost, tags never cut."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from bot.emulator.html_check import parse_html
from bot.render.text import (
    MAX_MESSAGE_CHARS,
    esc,
    format_age,
    format_published,
    split_message,
    truncate,
    visible_length,
)


def test_escape_and_visible_length() -> None:
    assert esc('<b>"x" & y</b>') == "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;"
    assert visible_length("<b>a &amp; b</b>") == 5


def test_blocks_are_packed_and_never_exceed_the_limit() -> None:
    blocks = [f"<b>Story {i}</b>\n" + esc("Sentence & more. " * 20) for i in range(60)]
    messages = split_message(blocks)
    assert len(messages) > 1
    assert all(len(m) <= MAX_MESSAGE_CHARS for m in messages)
    joined = "\n\n".join(messages)
    assert all(f"<b>Story {i}</b>" in joined for i in range(60))


def test_every_message_holds_at_most_100_entities_so_each_link_can_be_tapped() -> None:
    # Telegram keeps a message's first 100 entities: 150 short linked lines fit 4,096 characters, but the
    # links past the 100th came as plain text. A block of 150 such lines is split between lines too.
    lines = [f'<a href="https://e.x/{i}">S{i}</a>' for i in range(150)]
    for messages in (split_message(lines), split_message(["\n".join(lines)])):
        assert len(messages) == 2
        entities = [parse_html(m).entities for m in messages]
        assert [len(e) for e in entities] == [100, 50]
        assert [e["url"] for part in entities for e in part] == [f"https://e.x/{i}" for i in range(150)]
    # Under the limit, nothing changes.
    assert split_message(lines[:100]) == ["\n\n".join(lines[:100])]


def test_one_huge_block_is_split_at_sentences_without_breaking_entities() -> None:
    text = esc("An ampersand & a <tag> in a long sentence. " * 400)
    messages = split_message([text])
    assert all(len(m) <= MAX_MESSAGE_CHARS for m in messages)
    for message in messages:
        assert not re.search(r"&[a-z]*$", message)  # no entity cut in half
        assert html.unescape(message).count("&") == message.count("&amp;")


def test_a_tagged_line_too_long_falls_back_to_plain_text() -> None:
    block = "<b>" + "word " * 2000 + "</b>"
    messages = split_message([block])
    assert all(len(m) <= MAX_MESSAGE_CHARS for m in messages)
    assert all("<b>" not in m and "</b>" not in m for m in messages)


def test_no_spaces_at_all_still_fits() -> None:
    messages = split_message(["x" * 10_000])
    assert [len(m) for m in messages] == [4096, 4096, 1808]


def test_age_and_truncate() -> None:
    assert format_age(5) == "just now"
    assert format_age(300) == "5 min ago"
    assert format_age(7200) == "2 h ago"
    assert format_age(3 * 86400) == "3 d ago"
    assert truncate("one two three four five", 12) == "one two…"
    assert truncate("short", 12) == "short"
    assert truncate("exactly twelve", 14) == "exactly twelve"  # fits to the character: nothing cut


def test_a_tag_spanning_lines_is_never_left_open_across_messages() -> None:
    # Split at line breaks, "<i>" could end one message and "</i>" start the next: Telegram refuses both.
    from bot.emulator.html_check import parse_html

    block = (
        "<b>Heading</b>\n<i>"
        + "\n".join(["A line of an italic source name &amp; more."] * 150)
        + "</i>\nTail."
    )
    messages = split_message([block])
    assert len(messages) > 1
    for message in messages:
        assert len(message) <= MAX_MESSAGE_CHARS
        parse_html(message)
    assert "<b>Heading</b>" in messages[0]
    assert "italic source name &amp; more." in messages[0]


def test_a_block_of_exactly_the_limit_is_one_message() -> None:
    block = "<b>" + "y" * (MAX_MESSAGE_CHARS - 7) + "</b>"
    assert split_message([block]) == [block]
    assert split_message(["a" * MAX_MESSAGE_CHARS, "b"]) == ["a" * MAX_MESSAGE_CHARS, "b"]


def test_truncate_never_splits_an_emoji_sequence_or_a_letter_from_its_accent() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji made of three joined by ZWJ
    flags = "\U0001f1e9\U0001f1ea\U0001f1eb\U0001f1f7"  # two flags, each a pair of regional indicators
    accent = "e\u0301"  # e + combining acute
    for text, whole in ((family * 20, family), (flags * 20, flags[:2]), (accent * 40, accent)):
        for limit in range(len(whole) + 1, 40):
            cut = truncate(text, limit).removesuffix("…")
            assert len(cut) <= limit - 1 and cut
            assert len(cut) % len(whole) == 0, (limit, cut)
    # Text with spaces is still cut at a word boundary, within the limit.
    assert truncate("Harbour " + family * 30, 12) == "Harbour…"


def test_a_date_of_this_year_leaves_the_year_out_and_a_week_old_story_still_has_an_age() -> None:
    now = datetime(2026, 6, 15, 12, tzinfo=UTC).timestamp()
    assert format_published(datetime(2026, 3, 4, 9, tzinfo=UTC), now) == "4 Mar"
    assert format_published(datetime(2026, 6, 8, 13, tzinfo=UTC), now) == "6 d ago"
    assert format_published(datetime(2026, 6, 8, 11, tzinfo=UTC), now) == "8 Jun"


def test_a_date_at_the_start_of_the_calendar_is_shown_in_utc_where_the_zone_cannot_hold_it() -> None:
    # 1 Jan 0001 00:30 UTC is still year 0 in New York, which datetime cannot hold: OverflowError broke the
    # alert, digest or list that showed such a (bogus but storable) date.
    now = datetime(2026, 6, 14, 12, tzinfo=UTC).timestamp()
    assert format_published(datetime(1, 1, 1, 0, 30, tzinfo=UTC), now, "America/New_York") == "1 Jan 1"


def test_blocks_that_together_fill_exactly_the_limit_go_out_as_one_message() -> None:
    # 2,000 + the blank line + 2,094 is 4,096: Telegram takes it, so the chat gets one message, not two.
    first, second = "a" * 2000, "b" * (MAX_MESSAGE_CHARS - 2002)
    assert split_message([first, second]) == [f"{first}\n\n{second}"]


def test_a_word_longer_than_a_message_is_never_cut_inside_an_entity() -> None:
    # With no space to cut at, the hard cut at 4,096 would fall inside "&amp;": Telegram rejects "&am".
    text = "x" * (MAX_MESSAGE_CHARS - 3) + "&amp;" + "y" * 100
    messages = split_message([text])
    assert messages == ["x" * (MAX_MESSAGE_CHARS - 3), "&amp;" + "y" * 100]


def test_an_hour_and_a_half_is_an_hour_and_a_cut_line_keeps_its_words_and_emoji_whole() -> None:
    assert format_age(5400) == "1 h ago"
    # No comma is left hanging before the "…".
    assert truncate("Alpha beta, gamma delta", 13) == "Alpha beta…"
    # A title with its only space near its start is cut in its long word, not down to one letter.
    assert truncate("A " + "x" * 30, 20) == "A " + "x" * 17 + "…"
    # A skin tone stays with its hand: the cut drops both.
    assert truncate("x" * 9 + "👍🏽" + "y" * 10, 11) == "x" * 9 + "…"


def test_one_block_with_over_100_links_is_split_so_each_link_can_be_tapped() -> None:
    block = "\n".join(f'<a href="https://n.e/{i}">{i}</a>' for i in range(110))
    assert len(block) < MAX_MESSAGE_CHARS  # one message by length; too many links for one
    messages = split_message([block])
    assert len(messages) == 2
    assert all(m.count("<a ") <= 100 for m in messages)


def test_a_tagged_line_too_long_for_a_message_is_sent_as_escaped_plain_text() -> None:
    from bot.emulator.html_check import parse_html

    line = "<b>" + esc("Profits <up> & away. ") * 300 + "</b>"
    messages = split_message([line])
    assert len(messages) > 1
    for message in messages:
        assert len(message) <= MAX_MESSAGE_CHARS
        assert "Profits <up> & away." in parse_html(message).text


def test_a_line_too_long_for_a_message_is_cut_after_an_exclamation_or_question_mark() -> None:
    line = " ".join(
        f"Goal number {i} for the home side!" if i % 2 else f"Was it offside {i}?" for i in range(300)
    )
    messages = split_message([line])
    assert len(messages) > 1
    assert all(m.endswith(("!", "?")) for m in messages)
