"""Telegram HTML validation: what Telegram accepts, what it refuses, and what the user sees."""

import html

import pytest
from telegram import Bot
from telegram.constants import ParseMode

from bot.emulator import BotApiEmulator, RateLimits
from bot.emulator.html_check import MAX_ENTITIES, EntityParseError, link_accepted, parse_html


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


BOLD, ITAL, UNDER, STRIKE = "bold", "italic", "underline", "strikethrough"


@pytest.mark.parametrize(
    ("markup", "text", "entities"),
    [
        (
            "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>i</ins><s>s</s><strike>s</strike><del>d</del>",
            "bsieuissd",
            [
                (BOLD, 0, 1),
                (BOLD, 1, 1),
                (ITAL, 2, 1),
                (ITAL, 3, 1),
                (UNDER, 4, 1),
                (UNDER, 5, 1),
                (STRIKE, 6, 1),
                (STRIKE, 7, 1),
                (STRIKE, 8, 1),
            ],
        ),
        (
            '<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>',
            "xy",
            [("spoiler", 0, 1), ("spoiler", 1, 1)],
        ),
        (
            '<pre><code class="language-python">print(1)</code></pre><code>x</code><pre>p</pre>',
            "print(1)xp",
            [("pre", 0, 8), ("code", 8, 1), ("pre", 9, 1)],
        ),
        (
            "<blockquote>q</blockquote><blockquote expandable>long</blockquote>",
            "qlong",
            [("blockquote", 0, 1), ("expandable_blockquote", 1, 4)],
        ),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍", [("custom_emoji", 0, 2)]),
        ("<B>upper case tags</B>", "upper case tags", [(BOLD, 0, 15)]),
        ("<b><i>nested</i> ok</b>", "nested ok", [(BOLD, 0, 9), (ITAL, 0, 6)]),
    ],
)
def test_allowed_markup(markup: str, text: str, entities: list[tuple[str, int, int]]) -> None:
    # What the reader sees: the text without tags, each tag a formatting entity over the right characters.
    parsed = parse_html(markup)
    assert parsed.text == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == entities


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
        # TDLib's own cases (td/test/message_entities.cpp), which Telegram refuses just so.
        ("&#xDFDF;", "Text contains invalid Unicode characters after decoding HTML entities"),
        ("&#xD83D;&#xDE00;", "check for unmatched surrogate code units"),
        ("x <i   =aba>y</i>", 'Empty attribute name in the tag "i" at byte offset 2'),
        ('<a "https://e.x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<i    aba  =  ", 'Unclosed start tag "i" at byte offset 0'),
        ("<a href", 'Unclosed start tag "a" at byte offset 0'),
        ('<a href="x"', "Unclosed start tag at byte offset 0"),
        ("<a href=é>y</a>", "Unexpected end of name token at byte offset 8"),
        ('<tg-emoji emoji-id="x">y</tg-emoji>', "Invalid custom emoji identifier specified"),
        ("&#X41;", 'Unescaped "&" at byte offset 0'),  # only "&#x" is hexadecimal: Telegram shows it as is
    ],
)
def test_refused_markup(markup: str, message: str) -> None:
    with pytest.raises(EntityParseError) as err:
        parse_html(markup)
    assert message in str(err.value)


def test_bare_ampersand_is_literal_when_not_strict() -> None:
    assert parse_html("AT&T &nbsp;", strict_ampersand=False).text == "AT&T &nbsp;"


def test_upper_case_hex_reference_is_literal_and_a_surrogate_is_refused_when_not_strict() -> None:
    # What a reader sees: Telegram decodes "&#x41;" but shows "&#X41;" as typed, and refuses a lone surrogate.
    assert parse_html("&#x41; &#X41;", strict_ampersand=False).text == "A &#X41;"
    with pytest.raises(EntityParseError, match="unmatched surrogate"):
        parse_html("<b>x</b> &#55357;", strict_ampersand=False)


def test_attributes_without_values_are_ignored_on_any_tag() -> None:
    parsed = parse_html('<b foo>x</b> <a title href="https://e.x">y</a>')
    assert parsed.text == "x y"
    assert [(e["type"], e.get("url")) for e in parsed.entities] == [
        ("bold", None),
        ("text_link", "https://e.x"),
    ]


def test_escaped_user_input_always_parses() -> None:
    hostile = "<script>alert('x')</script> & <b> \"quotes\" </i> &amp;"
    assert parse_html(f"<b>{html.escape(hostile)}</b>").text == hostile


def test_entity_offsets_are_utf16() -> None:
    parsed = parse_html("😀 <b>bold</b>")
    assert parsed.entities == [{"type": "bold", "offset": 3, "length": 4}]


def test_pre_with_language_becomes_one_entity() -> None:
    parsed = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert parsed.entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]


async def test_the_emulator_keeps_only_the_first_100_entities_of_a_message_as_telegram_does() -> None:
    # Telegram sends a message of 110 links but keeps 100 entities: the last 10 show as plain, untappable text.
    markup = "\n".join(f'<a href="https://e.x/{n}">story {n}</a>' for n in range(110))
    assert len(parse_html(markup).entities) == 110  # the parser reports them all, for the renderers' tests
    async with BotApiEmulator(rate_limits=RateLimits(enabled=False)) as emu:
        await emu.add_chat(42)
        async with Bot("123456:TEST-token", base_url=emu.base_url) as bot:
            sent = await bot.send_message(42, markup, parse_mode=ParseMode.HTML)
        got = await emu.next_message(42, timeout=1)
    assert sent.text == got.text == "\n".join(f"story {n}" for n in range(110))
    assert [e.url for e in sent.entities] == [f"https://e.x/{n}" for n in range(MAX_ENTITIES)]
    assert [e["url"] for e in got.entities] == [f"https://e.x/{n}" for n in range(MAX_ENTITIES)]


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://e.x/a?b=1#c", True),
        ("HTTP://e.x", True),
        ("e.x/story", True),  # no scheme: read as http
        ("http://127.0.0.1:8080/a", True),
        ("http://[2001:db8::1]:8443/", True),
        ("https://例え.jp/記事", True),
        ("tg://resolve?domain=citynews", True),
        ("http://localhost:8080/a", False),  # an http host needs a dot
        ("https://intranet/news", False),
        ("https://.", False),
        ("sftp://e.x/file", False),
        ("javascript:alert(1)", False),
        ("mailto:desk@e.x", False),
        ("https://bank.example@e.x/", False),
        ("https://e.x:0/", False),
        ("https://e.x:65536/", False),
        ("tg:e.x", False),
    ],
)
def test_links_telegram_keeps_and_drops(url: str, accepted: bool) -> None:
    assert link_accepted(url) is accepted


async def test_a_link_telegram_refuses_is_sent_as_plain_text_without_a_link() -> None:
    # Telegram sends the message but keeps no link it cannot open: the reader sees the title and cannot tap it.
    markup = '<a href="http://localhost/a">Local story</a> · <a href="https://e.x/b">Web story</a>'
    async with BotApiEmulator(rate_limits=RateLimits(enabled=False)) as emu:
        await emu.add_chat(42)
        async with Bot("123456:TEST-token", base_url=emu.base_url) as bot:
            sent = await bot.send_message(42, markup, parse_mode=ParseMode.HTML)
        got = await emu.next_message(42, timeout=1)
    assert sent.text == got.text == "Local story · Web story"
    assert [(e.type, e.offset, e.url) for e in sent.entities] == [("text_link", 14, "https://e.x/b")]
    assert [e["url"] for e in got.entities] == ["https://e.x/b"]
