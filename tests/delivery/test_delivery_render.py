"""Alert and digest rendering: escaped HTML, Telegram's limits, a short callback for the summary button."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from bot.emulator.html_check import parse_html
from bot.render.delivery import DigestItem, render_alert, render_digest
from summaries.articles import Article
from summaries.topics import TopicCatalogue

CATALOGUE = TopicCatalogue.load(None)
NOW = datetime(2026, 1, 1, 12, tzinfo=UTC).timestamp()


def art(aid: int = 123456789, **kw: object) -> Article:
    values: dict[str, object] = {
        "url": "https://news.example/a?x=1&y=<2>",
        "title": 'Profits <up> & "away"',
        "body": "Body & more <b>not bold</b>.",
        "source": "Wire & Co",
        "published": datetime(2026, 1, 1, 10, tzinfo=UTC),
        "topics": ("business",),
        "summary": ("One <1>.", "Two & two.", "Three."),
        "id": aid,
        "story_id": aid,
    }
    values.update(kw)
    return Article(**values)  # type: ignore[arg-type]


def test_alert_is_escaped_html_with_source_age_and_button() -> None:
    text, keyboard = render_alert(art(), sentences=2, now=NOW, catalogue=CATALOGUE, also=["Other Wire"])
    parsed = parse_html(text)  # the emulator's Telegram HTML check: raises on bad markup
    assert 'Profits <up> & "away"' in parsed.text
    assert "Wire & Co · 2 h ago" in parsed.text
    assert "One <1>. Two & two." in parsed.text and "Three." not in parsed.text
    assert "also: Other Wire" in parsed.text
    assert CATALOGUE.get("business").emoji in parsed.text  # type: ignore[union-attr]
    assert keyboard is not None
    [[button]] = keyboard.inline_keyboard
    # Two sentences shown: the button offers five, not the same two again.
    assert (button.text, button.callback_data) == ("📄 Longer summary", "sum:123456789:5")
    assert len(str(button.callback_data).encode()) <= 64


def test_an_alert_that_shows_all_an_article_has_offers_no_button_to_repeat_it() -> None:
    # The button under an alert gave the summary at the chat's length: the very sentences the alert shows.
    whole = art(summary=("One <1>.", "Two & two."))  # all the article has: fewer than asked for
    assert render_alert(whole, sentences=3, now=NOW, catalogue=CATALOGUE)[1] is None
    # The sender knows when the stored summary (at the default length) came out short: nothing more to give.
    assert render_alert(whole, sentences=2, now=NOW, catalogue=CATALOGUE, more=False)[1] is None
    # At the longest length there is no longer summary to offer.
    ten = art(summary=tuple(f"Sentence {n}." for n in range(10)))
    assert render_alert(ten, sentences=10, now=NOW, catalogue=CATALOGUE)[1] is None


def test_an_alert_a_keyword_brought_names_the_keyword() -> None:
    # Alerts showed a topic emoji or 📰 only: a reader following "tesla", "lidar" and "solid-state battery"
    # could not tell which of them an alert was for.
    text, _ = render_alert(art(), sentences=2, now=NOW, catalogue=CATALOGUE, matched="solid-state battery")
    assert "Wire & Co · 2 h ago · 🔎 solid-state battery" in parse_html(text).text
    # A topic is told by its emoji, as before.
    text, _ = render_alert(art(), sentences=2, now=NOW, catalogue=CATALOGUE, matched="business")
    assert "🔎" not in text and "Wire & Co · 2 h ago\n" in parse_html(text).text
    # A keyword in a right-to-left script stays after the age, not pulled in front of it.
    text, _ = render_alert(art(), sentences=2, now=NOW, catalogue=CATALOGUE, matched="<تسلا>")
    assert "2 h ago · 🔎 \u200e<تسلا>\u200e" in parse_html(text).text


def test_alert_without_summary_uses_the_start_of_the_body_and_fits_4096() -> None:
    huge = art(summary=(), body="Word & word " * 2000, title="T" * 500)
    text, _ = render_alert(huge, sentences=3, now=NOW, catalogue=CATALOGUE)
    assert len(text) <= 4096
    assert "Word &amp; word" in text
    long_summary = art(summary=("& " * 3000,))
    text, _ = render_alert(long_summary, sentences=3, now=NOW, catalogue=CATALOGUE)
    assert len(text) <= 4096
    parse_html(text)


def test_digest_groups_by_topic_best_first_and_caps() -> None:
    items = [
        DigestItem(art(1, title="Low"), "business", 1.0, key=1),
        DigestItem(art(2, title="High"), "business", 3.0, key=2),
        DigestItem(art(3, title="Mid"), "business", 2.0, key=3),
        DigestItem(art(4, title="Goal", topics=("sport",)), "sport", 1.0, key=4),
        DigestItem(art(5, title="Found it"), "my keyword", 1.0, key=5),
    ]
    [part] = render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=2)
    assert sorted(part.keys) == [2, 3, 4, 5]
    text = parse_html(part.text).text
    assert text.index("High") < text.index("Mid")
    assert "Low" not in text and "…and 1 more" in text
    assert text.index("Business") < text.index("Sport") < text.index("my keyword")


def test_digest_names_the_command_that_lists_what_the_cap_left_out() -> None:
    items = [DigestItem(art(i, topics=("sport",)), "sport", 1.0, key=i) for i in range(1, 4)]
    items += [DigestItem(art(i), 'r&d <"labs">', 1.0, key=i) for i in range(4, 7)]
    items += [DigestItem(art(i), "tesla", 1.0, key=i) for i in range(7, 10)]
    items += [DigestItem(art(i), "x" * 120, 1.0, key=i) for i in range(10, 13)]
    items += [DigestItem(art(i), "electric cars", 1.0, key=i) for i in range(13, 16)]
    [part] = render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=1)
    parsed = parse_html(part.text)
    utf16 = parsed.text.encode("utf-16-le")  # entity offsets count UTF-16 units
    hints = [
        utf16[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in parsed.entities
        if e["type"] == "code"
    ]
    # A phrase is quoted, as keyword subscriptions match it (unless it holds a quote); a word is not; a topic
    # is its id.
    assert hints[:4] == ["/latest sport", '/search "electric cars"', '/search r&d <"labs">', "/search tesla"]
    assert parsed.text.count("…and 2 more:") == 4
    assert "…and 2 more\n" in parsed.text + "\n"  # a keyword too long for /search: no command


def test_empty_digest_is_nothing() -> None:
    assert render_digest([], now=NOW, catalogue=CATALOGUE, max_per_group=5) == []


def test_long_digest_parts_are_valid_html_and_each_item_is_in_exactly_one_part() -> None:
    hostile = art(
        99,
        title='"&<>' * 2000,
        url="https://news.example/?" + "&" * 3000,
        source="&" * 500,
        summary=("<&>" * 1000,),
    )
    items = [DigestItem(hostile, "business", 9.0, also=("&" * 400, "Other"), key=99)]
    items += [
        DigestItem(art(i, title=f"Story {i} " + "y" * 180), "business" if i % 2 else "sport", 1.0, key=i)
        for i in range(1, 60)
    ]
    parts = render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=50)
    assert len(parts) >= 3
    keys = [key for part in parts for key in part.keys]
    assert sorted(keys) == [*range(1, 60), 99]
    for index, part in enumerate(parts):
        assert len(part.text) <= 4096
        text = parse_html(part.text).text  # no tag or entity is ever cut between two messages
        # A later part starts with the heading of the group it continues (under the digest's own heading)...
        group = "Business" if part.keys[0] % 2 or part.keys[0] == 99 else "Sport"
        lines = text.split("\n")
        assert lines[0].startswith("🗞 Your news digest")
        assert lines[2 if index else 0].endswith(group if index else f"part 1 of {len(parts)}")
        # ...and holds exactly the stories its keys name.
        assert {int(n) for n in re.findall(r"Story (\d+) ", text)} == set(part.keys) - {99}


def test_only_web_addresses_become_links_in_alerts_and_digests() -> None:
    # A feed decides each item's link: tg:// links change proxy settings or join chats when tapped, and
    # javascript: or file paths are no place to send a reader. Such titles are shown without a link.
    for url in (
        "tg://proxy?server=proxy.invalid&port=443&secret=00",
        "javascript:alert(1)",
        "/srv/news/story.html",
        "urn:uuid:1b4e28ba-2fa1-11d2-883f",
    ):
        article = art(url=url, title="Harbour reopens")
        text, _ = render_alert(article, sentences=1, now=NOW, catalogue=CATALOGUE)
        parts = render_digest(
            [DigestItem(article, "business", 1.0, key=1)], now=NOW, catalogue=CATALOGUE, max_per_group=5
        )
        for markup in (text, *(p.text for p in parts)):
            parsed = parse_html(markup)
            assert "Harbour reopens" in parsed.text
            assert [e for e in parsed.entities if e["type"] == "text_link"] == [], url
    text, _ = render_alert(art(url="HTTPS://news.example/a"), sentences=1, now=NOW, catalogue=CATALOGUE)
    assert [e["url"] for e in parse_html(text).entities if e["type"] == "text_link"] == [
        "HTTPS://news.example/a"
    ]


def test_direction_overrides_in_a_title_cannot_reverse_the_rest_of_a_digest_line() -> None:
    # U+202E (right-to-left override) left open in a feed's title would show "Wire A · 2 h ago [5]" and
    # everything after it on that line mirrored; the isolates and embeddings (U+2066-U+2069) likewise.
    title = "Harbour \u202ereopens\u2067 today\u202a"
    article = art(5, title=title, source="Wire\u202e A")
    [part] = render_digest(
        [DigestItem(article, "business", 1.0, also=("Other\u2066 Wire",), key=5)],
        now=NOW,
        catalogue=CATALOGUE,
        max_per_group=5,
    )
    alert, _ = render_alert(article, sentences=1, now=NOW, catalogue=CATALOGUE, also=["Other\u2066 Wire"])
    for markup in (part.text, alert):
        text = parse_html(markup).text
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", text)
        assert "Harbour reopens today" in text and "Wire A · 2 h ago" in text and "Other Wire" in text
    # Right-to-left scripts need no overrides and are kept as they are.
    assert (
        "שלום"
        in parse_html(render_alert(art(title="שלום עולם"), sentences=1, now=NOW, catalogue=CATALOGUE)[0]).text
    )


def test_an_untitled_item_still_has_a_title_to_tap() -> None:
    # A feed item with a link but no title (or only blanks and control marks) used to render an empty link.
    for blank in ("", "   \n\t", "\u202e\u2069"):
        article = art(6, title=blank)
        alert, _ = render_alert(article, sentences=1, now=NOW, catalogue=CATALOGUE)
        [part] = render_digest(
            [DigestItem(article, "business", 1.0, key=6)], now=NOW, catalogue=CATALOGUE, max_per_group=5
        )
        for markup in (alert, part.text):
            parsed = parse_html(markup)
            [link] = [e for e in parsed.entities if e["type"] == "text_link"]
            units = parsed.text.encode("utf-16-le")  # entity offsets count UTF-16 code units
            start, end = 2 * link["offset"], 2 * (link["offset"] + link["length"])
            assert units[start:end].decode("utf-16-le") == "(untitled)"


def test_an_article_whose_text_is_all_feed_furniture_gets_no_summary_line() -> None:
    # A link-only item (Hacker News, reddit): its whole description is a comments link, nothing to summarize.
    for body in ("Comments", "submitted by /u/harbourfan to /r/brackwater\n\n[link] [42 comments]"):
        bare = art(summary=(), body=body, title="Harbour city opens floating solar farm")
        text, _ = render_alert(bare, sentences=3, now=NOW, catalogue=CATALOGUE)
        assert "omments" not in text and "submitted" not in text
        assert parse_html(text).text.rstrip().endswith("2 h ago")


def test_an_alert_with_no_text_offers_no_full_summary_button() -> None:
    # A title and a link, or a description that is all feed furniture: a tap on "Full summary" only ever
    # answered "(This article has no text I could summarize.)", in a group for every member to read.
    for body in ("", "Comments", "submitted by /u/harbourfan to /r/brackwater\n\n[link] [42 comments]"):
        bare = art(summary=(), body=body, title="Harbour city opens floating solar farm")
        text, keyboard = render_alert(bare, sentences=3, now=NOW, catalogue=CATALOGUE)
        assert "Harbour city opens floating solar farm" in parse_html(text).text
        assert keyboard is None
    # The start of the text, shown without a stored summary, still offers the summary.
    teaser = art(summary=(), body="The harbour city opened a floating solar farm on Monday.")
    _, keyboard = render_alert(teaser, sentences=3, now=NOW, catalogue=CATALOGUE)
    assert keyboard is not None


def test_a_summary_sentence_without_a_full_stop_does_not_run_into_the_next() -> None:
    # Feeds often open with a standfirst that has no full stop; the alert joins summary sentences on one line.
    standfirst = art(summary=("Harbour city switches on its floating farm", "It has 12,000 panels."))
    text, _ = render_alert(standfirst, sentences=3, now=NOW, catalogue=CATALOGUE)
    assert "Harbour city switches on its floating farm. It has 12,000 panels." in parse_html(text).text
    finished = art(summary=("Is it worth it?", "The mayor said: “Yes.”", "Panels: 12,000;"))
    text, _ = render_alert(finished, sentences=3, now=NOW, catalogue=CATALOGUE)
    assert "Is it worth it? The mayor said: “Yes.” Panels: 12,000;" in parse_html(text).text


def test_a_digest_item_without_a_stored_summary_still_has_its_one_line() -> None:
    # Alerts and /latest fall back to the start of the text; the digest used to show the bare title.
    plain = art(
        7, summary=(), body="Harbour city switched on a floating solar farm on Monday. It has panels."
    )
    furniture = art(8, summary=(), body="Comments", title="Harbour city opens floating solar farm")
    [part] = render_digest(
        [DigestItem(plain, "business", 2.0, key=7), DigestItem(furniture, "business", 1.0, key=8)],
        now=NOW,
        catalogue=CATALOGUE,
        max_per_group=5,
    )
    text = parse_html(part.text).text
    assert "\n  Harbour city switched on a floating solar farm on Monday." in text
    assert "omments" not in text


def test_german_and_french_quotes_that_end_a_sentence_get_no_extra_full_stop() -> None:
    quoted = art(summary=("Die Ministerin sagte: „Wir schaffen das.“", "Le maire a dit : « C’est fini. »"))
    text, _ = render_alert(quoted, sentences=3, now=NOW, catalogue=CATALOGUE)
    # They used to read „Wir schaffen das.“. and « C’est fini. ». in alerts.
    assert "„Wir schaffen das.“ Le maire a dit : « C’est fini. »" in parse_html(text).text


def test_sentences_in_chinese_japanese_hindi_or_arabic_get_no_extra_full_stop_nor_cut_mark() -> None:
    # Their sentence ends were not known: every one got ". " ("開かれた。. 参加者は…"), and a summary that
    # ended the article was marked "…" as if the feed had cut it ("年内に完成する。…").
    body = "東京で新しい会議が開かれた。参加者は百人を超えた。会場は年内に完成する。"
    japanese = art(body=body, summary=("東京で新しい会議が開かれた。", "会場は年内に完成する。"))
    text, _ = render_alert(japanese, sentences=3, now=NOW, catalogue=CATALOGUE)
    assert parse_html(text).text.endswith("\n東京で新しい会議が開かれた。会場は年内に完成する。")
    others = art(summary=("दिल्ली में बैठक हुई।", "هل سيحضر الوزير؟", "「会議は終わった。」"))
    text, _ = render_alert(others, sentences=3, now=NOW, catalogue=CATALOGUE)
    assert "दिल्ली में बैठक हुई। هل سيحضر الوزير؟ 「会議は終わった。」" in parse_html(text).text


def test_chinese_and_japanese_summary_sentences_are_joined_without_a_space() -> None:
    # Neither language puts a space after "。": the alert read "北京今天举行了会议。 参会者超过一百人！ …".
    chinese = art(summary=("北京今天举行了会议。", "参会者超过一百人！", "「下一次会议明年举行。」", "More."))
    text, _ = render_alert(chinese, sentences=4, now=NOW, catalogue=CATALOGUE)
    assert "\n北京今天举行了会议。参会者超过一百人！「下一次会议明年举行。」More." in parse_html(text).text


def test_teaser_cut_mid_word_by_the_feed_is_marked_not_given_a_full_stop() -> None:
    # A podcast feed cuts its descriptions at a fixed length, mid-word; a "." would pass the cut off as the end.
    cut = "This week we talk boats, trains and the demoli"
    teaser = art(body=f"Our guests are back. {cut}", summary=("Our guests are back.", cut))
    text, _ = render_alert(teaser, sentences=3, now=NOW, catalogue=CATALOGUE)
    assert parse_html(text).text.endswith(
        "Our guests are back. This week we talk boats, trains and the demoli…"
    )
    [part] = render_digest(
        [DigestItem(art(summary=(cut,), body=cut), "business", 1.0)],
        now=NOW,
        catalogue=CATALOGUE,
        max_per_group=5,
    )
    assert "the demoli…\n" in parse_html(part.text).text
    # A standfirst without a stop, followed by more text, still reads as a sentence.
    standfirst = art(
        body="Markets fell sharply\n\nThen they rose.", summary=("Markets fell sharply", "Then they rose.")
    )
    text, _ = render_alert(standfirst, sentences=3, now=NOW, catalogue=CATALOGUE)
    assert "Markets fell sharply. Then they rose." in parse_html(text).text


def test_an_old_story_shows_its_date_in_the_chats_timezone_not_thousands_of_days() -> None:
    # 23:30 UTC on 20 December is already 21 December in Tokyo; a date not of this year names its year.
    old = art(7, published=datetime(2025, 12, 20, 23, 30, tzinfo=UTC))
    older = art(8, published=datetime(2018, 9, 24, 12, tzinfo=UTC), topics=("sport",))
    recent = art(9, published=datetime(2025, 12, 29, 12, tzinfo=UTC))
    items = [DigestItem(a, a.topics[0], 1.0, key=a.id or 0) for a in (old, older, recent)]
    [part] = render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=5, zone="Asia/Tokyo")
    text = parse_html(part.text).text
    assert "Wire & Co · 21 Dec 2025 · #7" in text
    assert "Wire & Co · 24 Sep 2018 · #8" in text
    assert "Wire & Co · 3 d ago · #9" in text
    assert " d ago" not in text.replace("3 d ago", "")
    alert, _ = render_alert(older, sentences=1, now=NOW, catalogue=CATALOGUE, zone="Asia/Tokyo")
    assert "Wire & Co · 24 Sep 2018" in parse_html(alert).text
    # A chat with a timezone the tz database no longer knows still gets a date (in UTC).
    alert, _ = render_alert(old, sentences=1, now=NOW, catalogue=CATALOGUE, zone="Mars/Olympus")
    assert "Wire & Co · 20 Dec 2025" in parse_html(alert).text


def test_each_message_of_a_long_digest_says_it_is_the_digest_and_which_part() -> None:
    topics = ("business", "technology", "science", "politics", "world", "sport")
    items = [
        DigestItem(
            art(
                i,
                title=f"Story {i}: officials confirm the plan after a long week of talks",
                summary=("The first sentence of the story runs to about a line and a half of text. " * 2,),
                topics=(topics[i % 6],),
            ),
            topics[i % 6],
            float(i),
            key=i,
        )
        for i in range(1, 61)
    ]
    parts = render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=10)
    assert len(parts) >= 3
    for index, part in enumerate(parts, 1):
        assert len(part.text) <= 4096
        first = parse_html(part.text).text.split("\n")[0]
        # A reader opening the chat at the third message knows what it is without scrolling up.
        expected = "🗞 Your news digest — 60 stories" if index == 1 else "🗞 Your news digest"
        assert first == f"{expected} · part {index} of {len(parts)}"
    [single] = render_digest(items[:3], now=NOW, catalogue=CATALOGUE, max_per_group=10)
    assert parse_html(single.text).text.split("\n")[0] == "🗞 Your news digest — 3 stories"


def test_a_digest_that_must_split_keeps_each_topic_in_one_message_when_that_costs_no_extra_message() -> None:
    def story(i: int, topic: str) -> DigestItem:
        summary = (f"Sentence {i} of the story, long enough to fill a good part of a phone screen. " * 4,)
        return DigestItem(art(i, title=f"Story {i}", summary=summary, topics=(topic,)), topic, 1.0, key=i)

    # Business and Sport each fill most of a message; World (between them in catalogue order) is short.
    items = [story(i, "business") for i in range(1, 8)]
    items += [story(i, "sport") for i in range(8, 15)] + [story(i, "world") for i in range(15, 17)]
    parts = render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=10)
    texts = [parse_html(part.text).text for part in parts]
    assert len(parts) == 2  # no more messages than the story lines need
    # It read "⚽ Sport" at the end of the first message and again at the top of the second.
    assert [sum("⚽ Sport" in text for text in texts), sum("💼 Business" in text for text in texts)] == [1, 1]
    assert set(parts[0].keys) == {*range(1, 8), 15, 16} and set(parts[1].keys) == set(range(8, 15))


def test_a_digest_ends_by_saying_how_to_get_a_storys_full_summary() -> None:
    # A digest has no buttons: "#12" after each story meant nothing to a reader who never used /summary.
    items = [DigestItem(art(i, title=f"Story {i}"), "business", float(i), key=i) for i in (12, 30)]
    [part] = render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=5)
    lines = parse_html(part.text).text.split("\n")
    assert lines[-1] == "📄 A story's full summary: /summary 30 (its #number)"  # the first story shown
    assert "<code>/summary 30</code>" in part.text  # a tap copies it whole, number and all
    many = [DigestItem(art(i, title=f"Story {i} " + "y" * 180), "sport", 1.0, key=i) for i in range(1, 60)]
    parts = render_digest(many, now=NOW, catalogue=CATALOGUE, max_per_group=60)
    assert len(parts) > 1 and all(len(p.text) <= 4096 for p in parts)
    assert "full summary" not in " ".join(parse_html(p.text).text for p in parts[:-1])
    assert parse_html(parts[-1].text).text.endswith("/summary 1 (its #number)")


def _first_strong(line: str) -> str:
    """The direction a client lays a line out in (the Unicode bidi rule: its first strong letter)."""
    return next((d for d in map(unicodedata.bidirectional, line) if d in ("L", "R", "AL")), "L")


def test_a_right_to_left_title_keeps_a_digest_line_left_to_right_with_its_source_after_it() -> None:
    # "مصر … 🚗 — Al Jazeera · 3 h ago · #5 (also: BBC)" was a right-to-left line: bullet on the right, the
    # source before the title and the closing bracket of "(also: BBC)" thrown to the far left.
    arabic = art(5, title="مصر: ارتفاع أسعار الوقود 🚗", source="Al Jazeera", topics=("world",))
    hebrew = art(6, title="שביתה בנמל חיפה", source="Haaretz", topics=("world",))
    items = [DigestItem(a, "world", 1.0, also=("BBC",), key=a.id or 0) for a in (arabic, hebrew)]
    [part] = render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=5)
    lines = [
        line for line in parse_html(part.text).text.split("\n") if "Al Jazeera" in line or "Haaretz" in line
    ]
    assert len(lines) == 2
    for line in lines:
        assert _first_strong(line) == "L"
        # The title's own trailing emoji or punctuation stays with it, not with the source.
        title_end = line.index(" — ")
        assert unicodedata.bidirectional(line[title_end - 1]) == "R"
    # A left-to-right title needs no marks.
    [plain] = render_digest(
        [DigestItem(art(7), "business", 1.0, key=7)], now=NOW, catalogue=CATALOGUE, max_per_group=5
    )
    assert "\u200e" not in plain.text and "\u200f" not in plain.text


def test_a_hebrew_title_ending_in_a_latin_word_stays_whole_in_a_digest_line() -> None:
    # Between a left-to-right mark and a right-to-left one, "עלייה של 3.5% במניות Apple" was two runs in the
    # digest's left-to-right line: "Apple" went to the right of the Hebrew words, next to the source, instead
    # of at the title's end (its left). An isolate lays the title out in its own direction.
    hebrew = art(14, title="עלייה של 3.5% במניות Apple", source="Haaretz", url="https://news.example/14")
    [part] = render_digest(
        [DigestItem(hebrew, "business", 1.0, key=14)], now=NOW, catalogue=CATALOGUE, max_per_group=5
    )
    assert (
        "\u200e• \u2068עלייה של 3.5% במניות Apple\u2069\u200f — Haaretz · 2 h ago · #14"
        in parse_html(part.text).text
    )
    # The link is the title, and opens the article.
    [link] = [e for e in parse_html(part.text).entities if e["type"] == "text_link"]
    assert link["url"] == "https://news.example/14"
    # A left-to-right title is not isolated.
    [plain] = render_digest(
        [DigestItem(art(7), "business", 1.0, key=7)], now=NOW, catalogue=CATALOGUE, max_per_group=5
    )
    assert "\u2068" not in plain.text and "\u2069" not in plain.text


def test_an_alert_whose_summary_only_grows_past_4096_when_escaped_still_fits() -> None:
    # 2,400 characters fit the budget as plain text, but every "&" becomes "&amp;": 7,200 once escaped.
    # Counted unescaped, the alert would be refused by Telegram as too long and the reader gets nothing.
    text, _ = render_alert(art(summary=("R&D " * 600,)), sentences=1, now=NOW, catalogue=CATALOGUE)
    assert len(text) <= 4096
    assert "R&amp;D R&amp;D" in text
    parse_html(text)


def test_an_alert_of_a_walled_page_says_only_its_start_was_read_and_still_fits_4096() -> None:
    note = "Only the start of the article could be read: the rest is behind a paywall or a sign-in."
    text, keyboard = render_alert(
        art(partial=True), sentences=2, now=NOW, catalogue=CATALOGUE, also=["Other Wire"]
    )
    plain = parse_html(text).text
    assert f"One <1>. Two & two.\n{note}\nalso: Other Wire" in plain and keyboard is not None
    # A summary and head at their longest leave room for it; an article with no text has no summary to qualify.
    longest = art(partial=True, summary=("R&D " * 1000,), title="T" * 500, source="S" * 500)
    text, _ = render_alert(longest, sentences=1, now=NOW, catalogue=CATALOGUE, also=["A" * 500])
    assert len(text) <= 4096 and note in parse_html(text).text
    assert "Only the start" not in render_alert(art(), sentences=2, now=NOW, catalogue=CATALOGUE)[0]
    empty = art(partial=True, summary=(), body="")
    assert "Only the start" not in render_alert(empty, sentences=2, now=NOW, catalogue=CATALOGUE)[0]


def test_an_alert_does_not_name_its_own_source_under_also() -> None:
    text, _ = render_alert(art(), sentences=1, now=NOW, catalogue=CATALOGUE, also=["Wire & Co", "Other Wire"])
    assert "also: Other Wire" in parse_html(text).text
    assert "Wire & Co" not in parse_html(text).text.split("also:")[1]


def test_alert_and_digest_links_open_exactly_the_article_address_whatever_it_holds() -> None:
    # A quote in a feed's link, left unescaped, ends the href early: the tap opens a truncated address and
    # the rest of the URL spills into the markup.
    url = 'https://news.example/a?q="x"&y=<2>'
    alert, _ = render_alert(art(url=url), sentences=1, now=NOW, catalogue=CATALOGUE)
    [digest] = render_digest(
        [DigestItem(art(url=url), "business", 1.0, key=1)], now=NOW, catalogue=CATALOGUE, max_per_group=5
    )
    for markup in (alert, digest.text):
        links = [e["url"] for e in parse_html(markup).entities if e["type"] == "text_link"]
        assert links == [url]


def test_keeping_topics_whole_never_costs_the_digest_an_extra_message() -> None:
    # Three topics of about 60% of a message each fit two messages only if one of them runs on; starting each
    # topic afresh would send three. Fewer messages win: the reader's phone buzzes once less.
    items = [
        DigestItem(
            art(aid=100 * t + i, title=f"Story {t}-{i} " + "w" * 150, summary=("Said " + "x " * 100 + ".",)),
            group,
            1.0,
            key=100 * t + i,
        )
        for t, group in enumerate(("business", "technology", "science"), start=1)
        for i in range(5)
    ]
    parts = render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=10)
    assert len(parts) == 2
    assert sorted(k for p in parts for k in p.keys) == sorted(it.key for it in items)


def _direction_after(line: str, start: int) -> str:
    """The direction of the first strong letter (or mark) at or after ``start``."""
    return _first_strong(line[start:])


def test_an_arabic_source_name_keeps_the_age_after_it_in_alerts_and_digests() -> None:
    # "الجزيرة · 2 h ago": after an Arabic letter the "2" is an Arabic number, so the name, the dot and the
    # number made one right-to-left run and a reader saw "2 · الجزيرة h ago"; an alert's source line, opening
    # with the name, was laid out right to left as a whole.
    story = art(5, title="Fuel prices rise", source="الجزيرة", topics=("world",))
    alert, _ = render_alert(story, sentences=1, now=NOW, catalogue=CATALOGUE, also=["قناة 12", "BBC"])
    [part] = render_digest(
        [DigestItem(story, "world", 1.0, also=("قناة 12", "BBC"), key=5)],
        now=NOW,
        catalogue=CATALOGUE,
        max_per_group=5,
    )
    [source_line] = [line for line in parse_html(alert).text.split("\n") if "ago" in line]
    assert _first_strong(source_line) == "L"
    for line in (source_line, next(x for x in parse_html(part.text).text.split("\n") if "ago" in x)):
        name_end = line.index("الجزيرة") + len("الجزيرة")
        assert _direction_after(line, name_end) == "L", line  # before " · 2 h ago"
        assert line.index("2 h ago") > name_end
    for text in (parse_html(alert).text, parse_html(part.text).text):
        also = text[text.index("also: ") :]
        assert _direction_after(also, also.index("12") + 2) == "L"  # ", BBC" is not drawn into it


def test_the_more_line_of_a_topic_stays_with_its_stories_when_a_digest_splits() -> None:
    # Where "…and 3 more" just missed the room left in a message, it opened the next one on its own: the
    # last message of a digest held no story, only "⚽ Sport / …and 3 more: /latest sport" and the footer.
    def story(i: int, title: str) -> DigestItem:
        return DigestItem(art(i, title=title, summary=("Said.",), topics=("sport",)), "sport", 1.0, key=i)

    # Each length of the last story's title ends the first message elsewhere; some end it just before the line.
    for pad in range(200):
        items = [story(i, f"Story {i} " + "w" * 150) for i in range(1, 15)]
        items += [story(15, "Story 15 " + "w" * pad), *(story(i, f"Story {i}") for i in (16, 17, 18))]
        parts = render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=15)
        texts = [parse_html(part.text).text for part in parts]
        assert all(part.keys for part in parts), pad  # every message shows a story
        [(part, text)] = [(p, t) for p, t in zip(parts, texts, strict=True) if "…and 3 more" in t]
        # The line follows the group's last story shown, in the same message, and tells of the three.
        assert 15 in part.keys and text.index("#15") < text.index("…and 3 more"), pad
        assert part.over == (16, 17, 18), pad


def test_an_alert_ends_a_sentence_the_text_goes_on_after_and_keeps_a_colon() -> None:
    # Only a teaser the feed cut gets "…": a heading followed by more text is a finished sentence.
    heading = art(
        summary=("Breaking news headline",), body="Breaking news headline\n\nMore text follows here."
    )
    text, _ = render_alert(heading, sentences=1, now=NOW, catalogue=CATALOGUE)
    assert parse_html(text).text.endswith("\n\nBreaking news headline.")
    # A lead-in to a quote reads as whole: no full stop after its colon.
    quote = art(summary=("The minister said:", "We will build it."))
    text, _ = render_alert(quote, sentences=2, now=NOW, catalogue=CATALOGUE)
    assert "The minister said: We will build it." in parse_html(text).text


def test_an_alert_offers_twice_its_length_and_shows_the_emoji_of_the_topic_that_matched() -> None:
    ten = art(summary=tuple(f"Sentence {n}." for n in range(10)), topics=("business", "automotive"))
    text, keyboard = render_alert(ten, sentences=4, now=NOW, catalogue=CATALOGUE, matched="automotive")
    assert keyboard is not None and keyboard.inline_keyboard[0][0].callback_data == "sum:123456789:8"
    assert text.startswith(CATALOGUE.get("automotive").emoji)  # type: ignore[union-attr]


def test_an_alert_of_a_walled_page_with_no_text_has_no_partial_note_and_a_huge_link_is_left_out() -> None:
    empty = art(summary=(), body="", partial=True)
    text, _ = render_alert(empty, sentences=3, now=NOW, catalogue=CATALOGUE)
    assert "start" not in parse_html(text).text.split("\n", 2)[-1]
    assert text.count("\n") == 1  # title and source line only
    huge = art(url="https://news.example/" + "a" * 2100)
    text, _ = render_alert(huge, sentences=2, now=NOW, catalogue=CATALOGUE)
    assert "<a href" not in text and len(text) <= 4096


def test_a_digest_of_one_story_says_one_story_and_a_line_too_long_for_a_message_is_shortened() -> None:
    [part] = render_digest(
        [DigestItem(art(1), "business", 1.0, key=1)], now=NOW, catalogue=CATALOGUE, max_per_group=5
    )
    assert parse_html(part.text).text.startswith("🗞 Your news digest — 1 story\n")
    hostile = art(
        2,
        title='"' * 300,
        url="https://news.example/" + "a" * 970,
        source='"' * 200,
        summary=('"' * 400,),
    )
    items = [DigestItem(hostile, "business", 1.0, also=('"' * 200,), key=2)]
    items += [DigestItem(art(i, title=f"Story {i}"), "business", 0.5, key=i) for i in range(3, 6)]
    parts = render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=10)
    assert sorted(key for p in parts for key in p.keys) == [2, 3, 4, 5]
    for p in parts:
        assert len(p.text) <= 4096
        parse_html(p.text)
    # Escaped, that story is longer than a message: its title and id remain.
    assert "#2" in parse_html(parts[0].text).text


def test_the_last_part_of_a_digest_keeps_room_for_its_footer_in_characters_and_entities() -> None:
    # The footer ("A story's full summary: /summary 12") comes after packing: a last message packed full
    # went past 4,096 characters or 100 entities with it (the 101st link is not tappable).
    for n in range(40, 100):
        with_summary = [
            DigestItem(art(i, title=f"Story {i} " + "y" * 20, url=f"https://n.e/{i}"), "business", 1.0, key=i)
            for i in range(1, n + 1)
        ]
        links_only = [
            DigestItem(
                art(i, title=f"S{i}", url=f"https://n.e/{i}", source="W", summary=(), body=""),
                "sport",
                1.0,
                key=i,
            )
            for i in range(1, n + 1)
        ]
        for items in (with_summary, links_only):
            for part in render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=500):
                assert len(part.text) <= 4096, n
                assert len(re.findall(r"<[a-z]", part.text)) <= 100, n


def test_a_page_long_address_is_not_made_a_link_in_a_digest() -> None:
    items = [
        DigestItem(art(1, url="https://news.example/" + "a" * 1000), "business", 2.0, key=1),
        DigestItem(art(2, url="https://news.example/2"), "business", 1.0, key=2),
    ]
    [part] = render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=5)
    assert "a" * 1000 not in part.text and '<a href="https://news.example/2">' in part.text
