"""Replies built from hostile or huge input still reach the user: valid HTML, under 4,096 characters."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from bot.context import BotApplication
from bot.emulator import BotApiEmulator
from summaries.articles import Article
from tests.conftest import services_of
from tests.conversation.helpers import say


async def test_unsubscribe_from_hundreds_of_unknown_words_gets_an_answer_that_fits(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # 4,000 characters of short words: one "You don't follow" line each used to exceed 4,096 characters.
    words = " ".join(f"w{i}" for i in range(1000))[:4000]
    reply = await say(emulator, "/unsubscribe " + words)
    assert "You don't follow “w0”" in reply.text
    assert "more" in reply.text and "/mysubs" in reply.text
    assert len(reply.text) <= 4096


async def test_subscribe_with_thirty_near_misses_gets_an_answer_that_fits(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # Each near miss of a topic name gets a long "Did you mean" line; 30 of them used to exceed 4,096.
    reply = await say(emulator, "/subscribe " + " ".join(["enterrtainmentz"] * 30))
    assert reply.text.count("Did you mean 🎬 Entertainment?") == 1
    reply = await say(
        emulator, "/subscribe " + " ".join(f"enterrtainment{c}" for c in "abcdefghijklmnopqrstuvwxyz")
    )
    assert "Did you mean 🎬 Entertainment?" in reply.text
    assert len(reply.text) <= 4096


def _article(n: int, **fields: object) -> Article:
    values: dict[str, object] = {
        "url": f"https://hostile.example/{n}",
        "title": f"Story number {n} about the harbour",
        "body": "The harbour reopened on Monday. Ships queued for hours. " * 5,
        "source": "Harbour Wire",
        "published": datetime(2025, 12, 31, 22, tzinfo=UTC),
        "summary": ("The harbour reopened on Monday.",),
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


async def test_a_huge_multi_line_source_name_cannot_break_latest_or_summary(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # A site name (og:site_name, a feed title) with line breaks and thousands of characters: splitting the
    # reply at those line breaks used to leave "<i>" open in one message and "</i>" in the next.
    source = "Harbour & Sons\n" * 400
    services = services_of(running_bot)
    [(stored, _)] = await services.ingest.ingest_articles([_article(1, source=source)])
    for command in ("/latest", f"/summary {stored.id}"):
        reply = await say(emulator, command)
        assert "Story number 1" in reply.text
        assert "Harbour & Sons" in reply.text
        assert "Sorry" not in reply.text


async def test_a_site_answering_with_a_huge_error_phrase_still_gets_a_readable_reason(
    emulator: BotApiEmulator, running_bot: BotApplication
) -> None:
    # The reason phrase of an HTTP status line is the site's own text; it is quoted in the answer to
    # /summary LINK, which used to exceed 4,096 characters and end in "something went wrong".
    async def handle(request: web.Request) -> web.Response:
        return web.Response(status=503, reason="Busy & <down> " * 600)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        port = runner.addresses[0][1]
        reply = await say(emulator, f"/summary http://127.0.0.1:{port}/story")
    finally:
        await runner.cleanup()
    assert reply.text.startswith("⚠️ The site answered with an error (503 Busy & <down>")
    assert len(reply.text) <= 4096
