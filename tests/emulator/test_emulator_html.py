"""Telegram HTML validation: what Telegram accepts, what it refuses, and what the user sees."""

import html

import pytest

from bot.emulator.html_check import EntityParseError, parse_html


def test_plain_text_passes_through() -> None:
    assert parse_html("Hello, world > all").text == "Hello, world > all"


def test_tags_are_stripped_and_entities_decoded() -> None:
    parsed = parse_html(
        '<b>Bold</b> &lt;tag&gt; &amp; &quot;q&quot; &#65;&#x42; <a href="https://e.x/?a=1&amp;b=2">link</a>'
    )
    assert parsed.text == 'Bold <tag> & "q" AB link'
    kinds = {e["type"] for e in parsed.entities}
    assert kinds == {"bold", "text_link"}
    link = next(e for e in parsed.entities if e["type"] == "text_link")
    assert link["url"] == "https://e.x/?a=1&b=2"
    assert parsed.text[link["offset"] : link["offset"] + link["length"]] == "link"


@pytest.mark.parametrize(
    "markup",
    [
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>i</ins><s>s</s><strike>s</strike><del>d</del>",
        '<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>',
        '<pre><code class="language-python">print(1)</code></pre><code>x</code><pre>p</pre>',
        "<blockquote>q</blockquote><blockquote expandable>long</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "<B>upper case tags</B>",
        "<b><i>nested</i> ok</b>",
    ],
)
def test_allowed_markup(markup: str) -> None:
    assert parse_html(markup).text


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<p>para</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("a <b", "Unclosed start tag at byte offset 2"),
        ("Ünïcode <x>", 'Unsupported start tag "x" at byte offset 10'),
        ('<span class="other">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("AT&T", 'Unescaped "&" at byte offset 2'),
    ],
)
def test_refused_markup(markup: str, message: str) -> None:
    with pytest.raises(EntityParseError) as err:
        parse_html(markup)
    assert message in str(err.value)


def test_bare_ampersand_is_literal_when_not_strict() -> None:
    assert parse_html("AT&T &nbsp;", strict_ampersand=False).text == "AT&T &nbsp;"


def test_escaped_user_input_always_parses() -> None:
    hostile = "<script>alert('x')</script> & <b> \"quotes\" </i> &amp;"
    assert parse_html(f"<b>{html.escape(hostile)}</b>").text == hostile


def test_entity_offsets_are_utf16() -> None:
    parsed = parse_html("😀 <b>bold</b>")
    assert parsed.entities == [{"type": "bold", "offset": 3, "length": 4}]


def test_pre_with_language_becomes_one_entity() -> None:
    parsed = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert parsed.entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]
