"""Alert and digest rendering: escaped HTML, Telegram's limits, a short callback for the summary button."""

from __future__ import annotations

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
    assert button.callback_data == "sum:123456789"
    assert len(str(button.callback_data).encode()) <= 64


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
    messages, shown = render_digest(items, now=NOW, catalogue=CATALOGUE, max_per_group=2)
    assert sorted(shown) == [2, 3, 4, 5]
    [message] = messages
    text = parse_html(message).text
    assert text.index("High") < text.index("Mid")
    assert "Low" not in text and "…and 1 more" in text
    assert text.index("Business") < text.index("Sport") < text.index("my keyword")


def test_empty_digest_is_nothing() -> None:
    assert render_digest([], now=NOW, catalogue=CATALOGUE, max_per_group=5) == ([], [])
