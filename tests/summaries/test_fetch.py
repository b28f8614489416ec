"""The fetcher against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import gzip
import random
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from summaries.fetch import Fetcher, FetchError, charset_of, retry_after_seconds, sniff_media_type
from summaries.sources.feeds import parse_feed
from tests.delivery.support import wait_until
from tests.support.news_site import NewsSite

PAGE = "<html><head><title>Hello</title></head><body><p>Some news.</p></body></html>"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@asynccontextmanager
async def raw_site(answer: Callable[[asyncio.StreamWriter], Awaitable[None]]) -> AsyncIterator[str]:
    """A socket server on 127.0.0.1 whose answer to any request is written by hand; yields its URL."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            await answer(writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the fetcher hung up, which is what a cap does
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"


async def test_fetches_a_page_and_keeps_bytes(news_site: NewsSite) -> None:
    url = news_site.add("/a.html", PAGE.encode("utf-8"), content_type="text/html; charset=utf-8")
    async with Fetcher(allow_private=True) as fetcher:
        got = await fetcher.fetch(url, accept="page")
    assert got.status == 200
    assert got.body == PAGE.encode("utf-8")
    assert got.media_type == "text/html"
    assert got.text() == PAGE
    assert not got.not_modified
    assert news_site.requests[-1].headers["User-Agent"] == "newsbot/0.1"


@pytest.mark.parametrize("charset", ["punycode", '"Punycode"', "PUNYCODE "])
async def test_a_page_served_as_punycode_is_read_at_once(news_site: NewsSite, charset: str) -> None:
    # The body was decoded by the declared charset, in quadratic time for punycode: this 400 kB page held a
    # thread for about 12 s, a 5 MB one for half an hour. It is read as any page of an unknown charset.
    body = ("<html><body><p>Tram line approved.</p>" + "\u00e9\u4e00" * 200_000).encode("punycode")
    url = news_site.add("/p.html", body, content_type=f"text/html; charset={charset}")
    async with Fetcher(allow_private=True) as fetcher:
        got = await fetcher.fetch(url, accept="page")
    started = time.process_time()
    assert got.text().startswith("<html><body><p>Tram line approved.</p>")
    assert time.process_time() - started < 2


async def test_private_address_refused_unless_allowed(news_site: NewsSite) -> None:
    url = news_site.add("/a.html", PAGE)
    async with Fetcher() as fetcher:
        with pytest.raises(FetchError) as err:
            await fetcher.fetch(url)
    assert "private network" in err.value.reason
    assert news_site.requests == []  # refused before connecting
    async with Fetcher(allow_private=True) as fetcher:
        assert (await fetcher.fetch(url)).status == 200


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
    ],
)
async def test_internal_addresses_refused(url: str) -> None:
    async with Fetcher(timeout=2) as fetcher:
        with pytest.raises(FetchError, match="private network"):
            await fetcher.fetch(url)


async def test_redirect_to_private_host_refused(news_site: NewsSite) -> None:
    # The site itself is trusted explicitly; its redirect to the cloud metadata address is not.
    url = news_site.add_redirect("/go", "http://169.254.169.254/latest/meta-data/")
    async with Fetcher(allowed_networks=["127.0.0.1/32"]) as fetcher:
        with pytest.raises(FetchError, match="private network"):
            await fetcher.fetch(url)


async def test_redirects_followed_and_final_url_reported(news_site: NewsSite) -> None:
    news_site.add("/final.html", PAGE)
    news_site.add_redirect("/one", "/two", status=301)
    url = news_site.add_redirect("/two", news_site.url("/final.html"), status=307)
    async with Fetcher(allow_private=True) as fetcher:
        got = await fetcher.fetch(news_site.url("/one"))
    assert got.url == news_site.url("/final.html")
    assert got.body == PAGE.encode()  # the final page's content, not a redirect's
    assert news_site.hits("/two") == 1 and url.endswith("/two")


async def test_redirect_loop_stops(news_site: NewsSite) -> None:
    url = news_site.add_redirect("/loop", "/loop")
    async with Fetcher(allow_private=True, max_redirects=3) as fetcher:
        with pytest.raises(FetchError, match="redirects more than 3 times"):
            await fetcher.fetch(url)
    assert news_site.hits("/loop") == 4


@pytest.mark.parametrize("target", ["ftp://example.com/file", "FILE:///etc/hostname", "gopher://a/1"])
async def test_redirect_to_other_scheme_refused(news_site: NewsSite, target: str) -> None:
    # It said "Only http and https links can be fetched", to someone who had sent an http(s) link.
    url = news_site.add_redirect("/ftp", target)
    async with Fetcher(allow_private=True) as fetcher:
        with pytest.raises(FetchError, match=r"^The site redirected to an address newsbot cannot fetch"):
            await fetcher.fetch(url)


@pytest.mark.parametrize(
    "target", ["mailto:desk@example.com", "data:text/html,hi", "javascript:go()", "http://[bad"]
)
async def test_a_redirect_to_an_address_without_a_host_is_refused_with_a_reason(
    news_site: NewsSite, target: str
) -> None:
    # httpx reads a Location even when not following it and raised InvalidURL (no HTTPError) for these, as
    # urljoin raised ValueError for the broken IPv6 literal: /summary answered "something went wrong", and a
    # feed item whose teaser page did this was dropped at every poll.
    url = news_site.add_redirect("/odd", target)
    async with Fetcher(allow_private=True) as fetcher:
        with pytest.raises(FetchError, match="redirected to an address newsbot cannot fetch"):
            await fetcher.fetch(url)


@pytest.mark.parametrize("path", ["/a\x7fb", "/?q=\x00", "/" + "a" * 70_000])
async def test_an_address_httpx_cannot_send_is_refused_with_a_reason(news_site: NewsSite, path: str) -> None:
    # A control character (a feed item's link may hold DEL) or a URL over 64 kB raised httpx.InvalidURL.
    news_site.add("/a.html", PAGE)
    async with Fetcher(allow_private=True) as fetcher:
        with pytest.raises(FetchError, match="not a valid web address"):
            await fetcher.fetch(news_site.base_url + path)
    assert news_site.requests == []


async def test_a_port_of_zero_is_refused_not_read_as_the_default_port(news_site: NewsSite) -> None:
    # "http://host:0/" was fetched from the host's port 80: a page the address did not name, or "Could not
    # connect" where the address itself was wrong. Typed or redirected to, it is refused before any lookup.
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    redirect = news_site.add_redirect("/go", "http://news.example:0/a.html")
    async with Fetcher(allow_private=True, resolver=resolver) as fetcher:
        with pytest.raises(FetchError, match=r"^That is not a valid web address"):
            await fetcher.fetch("http://news.example:0/a.html")
        # Redirected to, it is the site's doing, not the user's link.
        with pytest.raises(FetchError, match=r"^The site redirected to an address newsbot cannot fetch"):
            await fetcher.fetch(redirect)
    assert asked == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x", "javascript:alert(1)", "gopher://a/"]
)
async def test_non_http_scheme_refused(url: str) -> None:
    async with Fetcher(allow_private=True) as fetcher:
        with pytest.raises(FetchError, match="Only http and https"):
            await fetcher.fetch(url)


async def test_a_server_that_hangs_up_or_answers_without_valid_http_is_not_called_unreachable() -> None:
    # The connection was made and the request sent, yet the reply (and the feed's "last error") read "Could not
    # connect to 127.0.0.1.", which sends an operator to check the network instead of the site.
    async def hang_up(writer: asyncio.StreamWriter) -> None:
        pass

    async def garbled(writer: asyncio.StreamWriter) -> None:
        writer.write(b"\x00\xff not a status line\r\n\r\n")
        await writer.drain()

    async def huge_headers(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Pad: " + b"a" * 300_000 + b"\r\n\r\n")
        await writer.drain()

    for answer in (hang_up, garbled, huge_headers):
        async with raw_site(answer) as url, Fetcher(allow_private=True) as fetcher:
            with pytest.raises(FetchError) as err:
                await fetcher.fetch(url, accept="page")
        assert err.value.reason == "127.0.0.1 did not send a valid answer.", answer.__name__


async def test_server_that_never_answers_fails_within_timeout(news_site: NewsSite) -> None:
    url = news_site.add_never_answering("/hang")
    started = time.monotonic()
    async with Fetcher(allow_private=True, timeout=0.5) as fetcher:
        with pytest.raises(FetchError, match="did not answer"):
            await fetcher.fetch(url)
    assert time.monotonic() - started < 5.0


async def test_a_one_second_timeout_is_said_in_the_singular(news_site: NewsSite) -> None:
    # NEWSBOT_FETCH_TIMEOUT_SECONDS=1: /summary and `newsbot ingest` said "did not answer within 1 seconds".
    url = news_site.add_never_answering("/hang")
    async with Fetcher(allow_private=True, timeout=1) as fetcher:
        with pytest.raises(FetchError) as err:
            await fetcher.fetch(url)
    assert err.value.reason == "127.0.0.1 did not answer within 1 second."


async def test_trickling_body_hits_overall_deadline(news_site: NewsSite) -> None:
    url = news_site.add_dripping("/drip", b"<html>" + b"x" * 100, interval=0.2)
    started = time.monotonic()
    async with Fetcher(allow_private=True, timeout=0.8) as fetcher:
        with pytest.raises(FetchError):
            await fetcher.fetch(url)
    assert time.monotonic() - started < 5.0


@pytest.mark.parametrize("declare_length", [False, True])
async def test_twenty_megabytes_cut_with_reason(news_site: NewsSite, declare_length: bool) -> None:
    url = news_site.add_huge("/huge", 20_000_000, declare_length=declare_length)
    async with Fetcher(allow_private=True, max_bytes=1_000_000) as fetcher:
        with pytest.raises(FetchError) as err:
            await fetcher.fetch(url)
    assert "larger than 1 MB" in err.value.reason


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (PNG, "image/png", "an image"),
        (PDF, "application/pdf", "a PDF document"),
        (bytes(range(256)) * 8, "application/octet-stream", "binary data"),
        (PDF, None, "a PDF document"),
        (PNG, "text/html", "an image"),  # lying header: the bytes win
    ],
)
async def test_binary_content_refused(
    news_site: NewsSite, body: bytes, content_type: str | None, words: str
) -> None:
    url = news_site.add("/file", body, content_type=content_type)
    async with Fetcher(allow_private=True) as fetcher:
        with pytest.raises(FetchError) as err:
            await fetcher.fetch(url, accept="page")
    assert words in err.value.reason
    assert "not a web page" in err.value.reason


# A page written for these tests: 2 kB of ordinary HTML, the part the sniffer reads.
_PAGE_START = (
    "<html><head><title>Bus plan</title></head><body><article><h1>Bus plan</h1>"
    + "<p>The council voted on Tuesday to run more buses across three districts, officials said.</p>\n" * 22
).encode()


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", None])
@pytest.mark.parametrize("accept", ["page", "any"])
async def test_binary_data_after_a_start_of_html_is_refused(
    news_site: NewsSite, content_type: str | None, accept: Any
) -> None:
    # Only the first 2 kB were sniffed: HTML followed by 3 MB of random bytes was taken for a page, and the
    # stored "article" held about 260 kB of mojibake.
    assert len(_PAGE_START) > 2048
    body = _PAGE_START + random.Random(7).randbytes(3_000_000) + b"</article></body></html>"
    url = news_site.add("/bus.html", body, content_type=content_type)
    async with Fetcher(allow_private=True, max_bytes=5_000_000) as fetcher:
        with pytest.raises(FetchError) as err:
            await fetcher.fetch(url, accept=accept)
    assert err.value.reason.startswith(
        "That link leads to binary data (only part of it looks like text), not a "
    )


async def test_a_feed_that_turns_into_binary_data_is_refused(news_site: NewsSite) -> None:
    items = "".join(
        f"<item><title>Bus {n}</title><link>https://bus.example/{n}</link></item>" for n in range(40)
    )
    feed = f"<?xml version='1.0'?><rss version='2.0'><channel><title>Buses</title>{items}".encode()
    url = news_site.add(
        "/rss.xml", feed + random.Random(8).randbytes(50_000), content_type="application/rss+xml"
    )
    async with Fetcher(allow_private=True) as fetcher:
        with pytest.raises(
            FetchError, match=r"binary data \(only part of it looks like text\), not a news feed"
        ):
            await fetcher.fetch(url, accept="feed")


async def test_a_page_with_a_few_stray_control_bytes_or_bad_bytes_is_still_a_page(
    news_site: NewsSite,
) -> None:
    # Text pasted from a word processor keeps its line breaks (\v) and the odd stray control byte or byte that is
    # no UTF-8: a page, not binary data.
    line = "<p>Лінія\vметро 地铁线路 خط المترو मेट्रो लाइन opens on Tuesday.</p>\n".encode()
    body = _PAGE_START + line * 400 + b"<p>A stray\x07 bell, a\x00 NUL and a\xff bad byte.</p>" * 6
    url = news_site.add("/metro.html", body, content_type="text/html; charset=utf-8")
    async with Fetcher(allow_private=True) as fetcher:
        assert (await fetcher.fetch(url, accept="page")).body == body


async def test_a_japanese_page_in_iso_2022_jp_is_a_page(news_site: NewsSite) -> None:
    # ISO-2022-JP opens each switch between Latin and Japanese script with ESC, a control byte: hundreds of them in
    # each 4 kB, which the check for binary data past the start must not count.
    text = "<p>東京都は3日、新しいバス路線の計画を発表した。2026年に運行を始める。</p>\n" * 120
    body = _PAGE_START + text.encode("iso-2022-jp") + b"</article></body></html>"
    assert body.count(b"\x1b") > 500
    url = news_site.add("/tokyo.html", body, content_type="text/html; charset=iso-2022-jp")
    async with Fetcher(allow_private=True) as fetcher:
        assert (await fetcher.fetch(url, accept="page")).body == body


async def test_text_that_begins_like_a_magic_number_is_text_and_the_file_with_it_is_not(
    news_site: NewsSite,
) -> None:
    # "ID3 tags ..." served as text/plain was refused as "an audio file", "MZ ..." as "a program".
    text = b"ID3 tags get a new version.\nThe standards body said so on Monday.\n"
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256))
    async with Fetcher(allow_private=True) as fetcher:
        got = await fetcher.fetch(news_site.add("/tags.txt", text, content_type="text/plain"), accept="page")
        assert got.body == text
        for content_type in ("text/plain", None):
            with pytest.raises(FetchError, match="a program, not a web page"):
                await fetcher.fetch(news_site.add("/run", program, content_type=content_type), accept="page")


async def test_missing_content_type_is_sniffed(news_site: NewsSite) -> None:
    url = news_site.add(
        "/nohdr", b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>", content_type=None
    )
    async with Fetcher(allow_private=True) as fetcher:
        got = await fetcher.fetch(url, accept="feed")
    assert got.media_type == "application/xml"


async def test_json_refused_as_page_but_accepted_as_feed(news_site: NewsSite) -> None:
    url = news_site.add(
        "/feed.json",
        b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
        content_type="application/feed+json",
    )
    async with Fetcher(allow_private=True) as fetcher:
        assert (await fetcher.fetch(url, accept="feed")).status == 200
        with pytest.raises(FetchError, match="JSON data, not a web page"):
            await fetcher.fetch(url, accept="page")


async def test_conditional_get_with_etag_returns_not_modified(news_site: NewsSite) -> None:
    url = news_site.add(
        "/feed.xml", b"<rss version='2.0'><channel/></rss>", content_type="application/rss+xml", etag='"v1"'
    )
    async with Fetcher(allow_private=True) as fetcher:
        first = await fetcher.fetch(url, accept="feed")
        second = await fetcher.fetch(url, accept="feed", etag=first.etag)
    assert first.etag == '"v1"' and not first.not_modified
    assert second.not_modified and second.status == 304 and second.body == b""
    assert news_site.requests[-1].headers["If-None-Match"] == '"v1"'


async def test_conditional_get_with_last_modified(news_site: NewsSite) -> None:
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    url = news_site.add(
        "/feed.xml", b"<rss version='2.0'><channel/></rss>", content_type="text/xml", last_modified=when
    )
    async with Fetcher(allow_private=True) as fetcher:
        first = await fetcher.fetch(url, accept="feed")
        assert first.last_modified == "Wed, 01 May 2024 12:00:00 GMT"
        second = await fetcher.fetch(url, accept="feed", last_modified=first.last_modified)
    assert second.not_modified


async def test_http_errors_have_readable_reasons(news_site: NewsSite) -> None:
    gone = news_site.url("/missing")
    url = news_site.add("/boom", "oops", status=503, content_type="text/plain")
    async with Fetcher(allow_private=True) as fetcher:
        with pytest.raises(FetchError, match="does not exist"):
            await fetcher.fetch(gone)
        with pytest.raises(FetchError, match="503"):
            await fetcher.fetch(url)


async def test_a_multiple_choices_page_is_refused_with_its_status_not_read_as_the_article(
    news_site: NewsSite,
) -> None:
    # A 300 is no redirect newsbot follows and no article: its page lists the versions to choose from.
    url = news_site.add(
        "/choose", "<html><body><p>Pick a language: English, Deutsch.</p></body></html>", status=300
    )
    async with Fetcher(allow_private=True) as fetcher:
        with pytest.raises(FetchError, match=r"unexpected status \(300\)"):
            await fetcher.fetch(url)


async def test_unknown_host_and_refused_connection() -> None:
    async with Fetcher(allow_private=True, timeout=3) as fetcher:
        with pytest.raises(FetchError, match="could not be found"):
            await fetcher.fetch("http://no-such-host.invalid/")
        with pytest.raises(FetchError, match="Could not connect"):
            await fetcher.fetch("http://127.0.0.1:9/")


def test_sniffing() -> None:
    assert sniff_media_type(b"\xef\xbb\xbf<!DOCTYPE html><html>") == "text/html"
    assert (
        sniff_media_type(b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">')
        == "application/xml"
    )
    assert sniff_media_type(b"Just a line of text.\n") == "text/plain"
    assert sniff_media_type(PNG) is None
    assert sniff_media_type(b"\x00\x01\x02garbage") is None


async def test_injected_client_cannot_skip_redirect_checks(news_site: NewsSite) -> None:
    url = news_site.add_redirect("/go", "http://10.0.0.1/admin")
    async with httpx.AsyncClient(follow_redirects=True) as client:
        fetcher = Fetcher(allowed_networks=["127.0.0.1/32"], client=client)
        with pytest.raises(FetchError, match="private network"):
            await fetcher.fetch(url)
        await fetcher.aclose()  # does not close a client it was given
        assert not client.is_closed


async def test_gzip_and_deflate_bodies_are_decoded(news_site: NewsSite) -> None:
    import zlib

    gz = zlib.compressobj(9, zlib.DEFLATED, 31)
    gzipped = gz.compress(PAGE.encode()) + gz.flush()
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw_deflate = raw.compress(PAGE.encode()) + raw.flush()
    urls = [
        news_site.add("/gz.html", gzipped, content_type="text/html", headers={"Content-Encoding": "gzip"}),
        news_site.add("/z.html", zlib.compress(PAGE.encode()), headers={"Content-Encoding": "deflate"}),
        news_site.add("/raw.html", raw_deflate, headers={"Content-Encoding": "deflate"}),
    ]
    async with Fetcher(allow_private=True) as fetcher:
        for url in urls:
            assert (await fetcher.fetch(url, accept="page")).body == PAGE.encode()


async def test_gzip_bomb_is_refused_without_inflating_it(news_site: NewsSite) -> None:
    import tracemalloc
    import zlib

    gz = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"<html>" + bytes(1_000_000)
    bomb = b"".join(gz.compress(block) for _ in range(60)) + gz.flush()  # 60 MB in about 60 kB
    url = news_site.add("/bomb.html", bomb, content_type="text/html", headers={"Content-Encoding": "gzip"})
    async with Fetcher(allow_private=True, max_bytes=1_000_000) as fetcher:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match="larger than"):
                await fetcher.fetch(url, accept="page")
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # httpx inflates each network chunk whole (tens of MB here); the bounded decoder stops at the cap.
    assert peak < 20_000_000


async def test_stacked_content_encodings_are_refused(news_site: NewsSite) -> None:
    import zlib

    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    once = inner.compress(PAGE.encode()) + inner.flush()
    outer = zlib.compressobj(9, zlib.DEFLATED, 31)
    twice = outer.compress(once) + outer.flush()
    url = news_site.add(
        "/two.html", twice, content_type="text/html", headers={"Content-Encoding": "gzip, gzip"}
    )
    async with Fetcher(allow_private=True) as fetcher:
        with pytest.raises(FetchError, match="compression"):
            await fetcher.fetch(url, accept="page")


async def test_a_charset_named_as_the_content_encoding_is_read_as_it_is(news_site: NewsSite) -> None:
    # "Content-Encoding: UTF-8", a charset in the wrong header, names no compression: browsers show the page,
    # newsbot answered "The site sent the page in a compression newsbot does not read." at every fetch.
    url = news_site.add("/utf8.html", PAGE.encode(), headers={"Content-Encoding": "UTF-8"})
    brotli = news_site.add("/br.html", PAGE.encode(), headers={"Content-Encoding": "br"})
    async with Fetcher(allow_private=True) as fetcher:
        assert (await fetcher.fetch(url, accept="page")).body == PAGE.encode()
        # A real compression it cannot undo stays refused.
        with pytest.raises(FetchError, match="compression"):
            await fetcher.fetch(brotli, accept="page")


@pytest.mark.parametrize("encoding", ["utf-32", "utf-16"])
async def test_wide_unicode_feeds_are_not_taken_for_binary(news_site: NewsSite, encoding: str) -> None:
    # UTF-32's NUL bytes made the binary sniffer refuse the feed ("That link leads to binary data").
    rss = (
        f"<?xml version='1.0' encoding='{encoding}'?><rss version='2.0'><channel><title>Été</title>"
        "<item><title>Plage</title><link>https://a.example/1</link></item></channel></rss>"
    )
    url = news_site.add("/wide.xml", rss.encode(encoding), content_type="application/rss+xml")
    async with Fetcher(allow_private=True) as fetcher:
        got = await fetcher.fetch(url, accept="feed")
    assert parse_feed(got.body, got.url).title == "Été"


async def test_unicode_host_names_are_fetched_by_their_idna_spelling(news_site: NewsSite) -> None:
    # httpx refuses a non-ASCII Host header: /summary of an IDN link answered "something went wrong".
    news_site.add("/a.html", PAGE)
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    async with Fetcher(allow_private=True, resolver=resolver) as fetcher:
        got = await fetcher.fetch(f"http://Bücher.example:{news_site.port}/a.html", accept="page")
    assert got.body == PAGE.encode()
    assert asked == ["xn--bcher-kva.example"]
    assert news_site.requests[-1].headers["Host"] == f"xn--bcher-kva.example:{news_site.port}"


@pytest.mark.parametrize("address", ["2002:7f00:1::", "2002:a9fe:a9fe::", "fec0::1", "3fff::1"])
async def test_ipv6_ranges_python_calls_global_are_refused(news_site: NewsSite, address: str) -> None:
    # 6to4 embeds an IPv4 address (127.0.0.1, 169.254.169.254 here), fec0::/10 is site-local and 3fff::/20
    # documentation; Python 3.11 calls them all global. The trusted 127.0.0.1 answer keeps the test offline.
    url = news_site.add("/a.html", PAGE)

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1", address]

    async with Fetcher(allowed_networks=["127.0.0.1/32"], resolver=resolver) as fetcher:
        with pytest.raises(FetchError, match="private network"):
            await fetcher.fetch(url.replace("127.0.0.1", "news.example"))
        with pytest.raises(FetchError, match="private network"):
            await fetcher.fetch(f"http://[{address}]/")
    assert news_site.requests == []


async def test_nat64_addresses_are_judged_by_the_ipv4_address_they_carry(news_site: NewsSite) -> None:
    # On an IPv6-only server DNS64 answers an IPv4-only site with 64:ff9b::<its IPv4 address>. 8.8.8.8 there is
    # public, so the fetch goes ahead (to the trusted 127.0.0.1 answer first, which keeps the test offline);
    # 127.0.0.1 or 169.254.169.254 there is still refused.
    url = news_site.add("/a.html", PAGE).replace("127.0.0.1", "news.example")
    embedded = {"64:ff9b::808:808": None, "64:ff9b::7f00:1": "private", "64:ff9b::a9fe:a9fe": "private"}
    for address, refused in embedded.items():

        async def resolver(host: str, port: int, address: str = address) -> list[str]:
            return ["127.0.0.1", address]

        async with Fetcher(allowed_networks=["127.0.0.1/32"], resolver=resolver) as fetcher:
            if refused:
                with pytest.raises(FetchError, match="private network"):
                    await fetcher.fetch(url)
            else:
                assert (await fetcher.fetch(url)).body == PAGE.encode()
    assert len(news_site.requests) == 1


async def test_bytes_after_the_end_of_a_gzip_stream_count_towards_the_cap() -> None:
    # zlib keeps what follows a finished gzip stream in unused_data; only inflated bytes were counted, so a
    # small page trailed by endless bytes was read (and held in memory) until the deadline, past any cap.
    import zlib

    gz = zlib.compressobj(9, zlib.DEFLATED, 31)
    page = gz.compress(PAGE.encode()) + gz.flush()

    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n" + page)
        for _ in range(30):
            writer.write(bytes(1_000_000))
            await writer.drain()

    async with raw_site(answer) as url, Fetcher(allow_private=True, max_bytes=1_000_000) as fetcher:
        with pytest.raises(FetchError, match="larger than 1 MB"):
            await fetcher.fetch(url, accept="page")


async def test_an_https_connection_is_not_reused_for_another_host_name() -> None:
    # Connections are pooled by the checked IP, so one verified for a.test carried b.test's request too, and
    # b.test's certificate was never checked: whoever answers for one name at an address answered for all.
    tls = Path(__file__).parents[1] / "support" / "tls"
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(tls / "a.test.pem", tls / "a.test.key")

    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    async with NewsSite(ssl_context=served) as site:
        site.add("/a.html", PAGE)
        trusted = ssl.create_default_context(cafile=tls / "ca.pem")
        async with httpx.AsyncClient(verify=trusted, trust_env=False) as client:
            fetcher = Fetcher(allow_private=True, resolver=resolver, client=client)
            got = await fetcher.fetch(f"https://a.test:{site.port}/a.html", accept="page")
            assert got.body == PAGE.encode()
            with pytest.raises(FetchError, match=r"Could not connect to b\.test"):
                await fetcher.fetch(f"https://b.test:{site.port}/a.html", accept="page")
    assert [r.headers["Host"] for r in site.requests] == [f"a.test:{site.port}"]


async def test_text_survives_a_charset_whose_codec_always_fails(news_site: NewsSite) -> None:
    # Python's "undefined" codec raises a bare UnicodeError, which decode_bytes let through.
    url = news_site.add("/a.html", PAGE, content_type="text/html; charset=undefined")
    async with Fetcher(allow_private=True) as fetcher:
        got = await fetcher.fetch(url, accept="page")
    assert got.text() == PAGE


async def test_a_host_whose_first_address_is_dead_is_reached_on_the_next(news_site: NewsSite) -> None:
    news_site.add("/a.html", PAGE)
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        # As a host with a broken IPv6 looks from here: the first address refuses, the next one serves.
        asked.append(host)
        return ["127.0.0.2", "127.0.0.1"]

    async with Fetcher(allow_private=True, resolver=resolver) as fetcher:
        got = await fetcher.fetch(f"http://news.example:{news_site.port}/a.html", accept="page")
    assert got.body == PAGE.encode() and asked == ["news.example"]
    assert news_site.requests[-1].headers["Host"] == f"news.example:{news_site.port}"

    async def dead(host: str, port: int) -> list[str]:
        return ["127.0.0.2", "127.0.0.3"]

    async with Fetcher(allow_private=True, resolver=dead) as fetcher:
        with pytest.raises(FetchError, match=r"Could not connect to news\.example"):
            await fetcher.fetch(f"http://news.example:{news_site.port}/a.html")


async def test_a_fetch_is_not_held_up_by_lookups_of_names_whose_dns_server_never_answers(
    news_site: NewsSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lookups ran in asyncio's default thread pool (6 threads on a 2-core server), and a lookup outlives the
    # fetch that gave up on it: links to a few names whose DNS server never answers filled the pool, and every
    # later fetch (summary, and the bot's own lookup of Telegram's address) waited until the resolver gave up.
    news_site.add("/a.html", PAGE)
    release = threading.Event()
    hanging: list[str] = []
    system_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".dead-dns.test"):
            hanging.append(host)
            release.wait(60)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return system_getaddrinfo("127.0.0.1" if host == "news.example" else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(6))  # as on a 2-core server
    try:
        async with Fetcher(allow_private=True, timeout=60) as fetcher:
            names = [f"site{i}.dead-dns.test" for i in range(8)] + ["site0.dead-dns.test"] * 3
            stuck = [asyncio.create_task(fetcher.fetch(f"http://{name}/a.html")) for name in names]
            await wait_until(lambda: len(hanging) >= 6)
            page = fetcher.fetch(f"http://news.example:{news_site.port}/a.html", accept="page")
            assert (await asyncio.wait_for(page, 30)).body == PAGE.encode()
            assert not any(task.done() for task in stuck)  # their lookups still hang
            # One lookup per name: the same name asked for again joins the lookup in progress.
            assert sorted(hanging) == sorted(set(names))
            release.set()
            for task in stuck:
                with pytest.raises(FetchError, match=r"site\d\.dead-dns\.test could not be found"):
                    await task
    finally:
        release.set()


def test_charset_of_a_malformed_content_type_is_none_not_an_error() -> None:
    # codecs.lookup raised ValueError on a NUL, and email's parser UnicodeEncodeError on a lone surrogate.
    assert charset_of("text/html; charset=utf\x00-8") is None
    assert charset_of("text/html\ud800; charset=utf-8") is None
    assert charset_of("text/html; charset=UTF-8") == "utf-8"


def test_retry_after_takes_seconds_or_a_date_and_nothing_else() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC).timestamp()
    assert retry_after_seconds(" 120 ", now) == 120.0
    assert retry_after_seconds("9" * 40, now) == 1e9  # huge: bounded here, capped at a day by the poller
    assert retry_after_seconds("Thu, 26 Nov 2026 00:10:00 GMT", now) == 600.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now) == 0.0  # a date gone by: no wait
    for junk in ("-1", "1.5", "\u0663", "\u00b2", "soon", "", None, "Wed, 21 Oct 2015 25:61:99 GMT"):
        assert retry_after_seconds(junk, now) is None


def test_only_one_unannounced_gzip_layer_of_text_is_unwrapped() -> None:
    fetcher = Fetcher(max_bytes=10_000)
    feed = b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title></channel></rss>"
    assert fetcher._unwrap_gzip(gzip.compress(feed), "http://x/") == feed
    twice = gzip.compress(gzip.compress(feed))
    assert fetcher._unwrap_gzip(twice, "http://x/") == twice  # refused later as a compressed archive
    binary = gzip.compress(bytes(range(256)) * 10)
    assert fetcher._unwrap_gzip(binary, "http://x/") == binary
    with pytest.raises(FetchError, match="larger than"):
        fetcher._unwrap_gzip(gzip.compress(b"<html>" + b" " * 50_000), "http://x/")


async def test_credentials_in_a_feed_address_are_sent_as_basic_auth_but_never_to_another_host(
    news_site: NewsSite,
) -> None:
    # A feed behind HTTP Basic auth is added as https://user:pw@host/rss; the address was pinned to the
    # checked IP without its user info, so the site answered 401 at every poll.
    news_site.add("/members.xml", PAGE)
    news_site.add_redirect("/moved.xml", "/members.xml", status=301)
    other_host = news_site.url("/members.xml").replace("127.0.0.1", "localhost")
    news_site.add_redirect("/elsewhere.xml", other_host, status=302)
    with_login = news_site.url("/x").replace("http://", "http://reader:s%3Ecret@").removesuffix("/x")
    expected = "Basic " + base64.b64encode(b"reader:s>cret").decode()
    async with Fetcher(allow_private=True, resolver=_loopback) as fetcher:
        await fetcher.fetch(with_login + "/moved.xml")
        await fetcher.fetch(with_login + "/elsewhere.xml")
    auth = [(r.path, r.headers.get("Authorization")) for r in news_site.requests]
    assert auth == [
        ("/moved.xml", expected),
        ("/members.xml", expected),  # the same site: the login still holds
        ("/elsewhere.xml", expected),
        ("/members.xml", None),  # another host never sees it
    ]


async def test_cookies_one_site_sets_never_reach_another_site_on_its_address(news_site: NewsSite) -> None:
    # The client's jar kept cookies by the IP each request went to and for as long as the bot ran: a page of
    # one site (on a CDN, say) set cookies that went to every other site on that address, at every later fetch.
    # A cookie a redirect sets still comes back on the next hop of the same fetch.
    news_site.add(
        "/consent", b"", status=302, headers={"Location": "/a.html", "Set-Cookie": "seen=1; Path=/"}
    )
    news_site.add("/a.html", PAGE, headers={"Set-Cookie": "session=reader-1; Path=/"})
    port = news_site.port
    async with Fetcher(allow_private=True, resolver=_loopback) as fetcher:
        assert (await fetcher.fetch(f"http://one.example:{port}/consent")).body == PAGE.encode()
        await fetcher.fetch(f"http://two.example:{port}/a.html")
        await fetcher.fetch(f"http://one.example:{port}/a.html")
    sent = [(r.headers["Host"].split(":")[0], r.path, r.headers.get("Cookie")) for r in news_site.requests]
    assert sent == [
        ("one.example", "/consent", None),
        ("one.example", "/a.html", "seen=1"),
        ("two.example", "/a.html", None),
        ("one.example", "/a.html", None),
    ]


async def _loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]
