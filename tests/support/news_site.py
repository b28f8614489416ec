"""A real HTTP news site on 127.0.0.1 for tests: pages, feeds, redirects, slow and huge answers.

Use it as an async pytest fixture. Either import the fixture into a test module or a conftest::

    from tests.support.news_site import news_site_fixture  # noqa: F401  (registers fixture "news_site")

    async def test_poll(news_site: NewsSite) -> None:
        url = news_site.add("/feed.xml", RSS_BYTES, content_type="application/rss+xml")
        await news_site.publish("business", "Carmaker plans", "Body text ...")   # /feeds/business.xml grows
        ...
        assert news_site.hits("/feed.xml") == 1

or ``pytest_plugins = ["tests.support.news_site"]`` in the top-level ``tests/conftest.py``. Outside pytest,
``async with NewsSite() as site: ...``. Everything registered is served at ``site.url(path)``; every request
is recorded in ``site.requests``. Fetch it with ``Fetcher(allow_private=True)`` (it lives on loopback).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

import pytest_asyncio
from aiohttp import web

from bot.clock import Clock, FakeClock


@dataclass
class RecordedRequest:
    """One request the site received: method, path (with query) and headers."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class _Resource:
    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    redirect_to: str | None = None
    never_answer: bool = False
    huge_bytes: int = 0
    declare_length: bool = False
    drip_interval: float = 0.0
    login: str | None = None  # "user:password" that Basic auth must carry, else 401


@dataclass
class PublishedArticle:
    """An article published with :meth:`NewsSite.publish`: its page URL, title, body and topic feed."""

    topic: str
    title: str
    body: str
    url: str
    published: datetime


class NewsSite:
    """An aiohttp server on 127.0.0.1 serving whatever a test registers."""

    def __init__(self, clock: Clock | None = None, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._clock = clock
        self._ssl_context = ssl_context
        self._resources: dict[str, _Resource] = {}
        self._articles: list[PublishedArticle] = []
        self.requests: list[RecordedRequest] = []
        self._closing = asyncio.Event()
        self._gates: dict[str, asyncio.Event] = {}  # path -> answered once set (see hold)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------------------------
    async def start(self) -> NewsSite:
        """Start listening on an ephemeral port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self._ssl_context)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        """Release any request held open and stop the server."""
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> NewsSite:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- registering content ---------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (``https://`` with an ``ssl_context``)."""
        scheme = "https" if self._ssl_context else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of a path on this site."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def add(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str | None = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: datetime | str | None = None,
        auto_etag: bool = False,
        login: str | None = None,
    ) -> str:
        """Serve ``body`` at ``path``; ``content_type=None`` sends no Content-Type. Returns the URL.

        With ``etag``/``last_modified`` (or ``auto_etag``) conditional requests get a 304. With ``login``
        ("user:password") a request without that HTTP Basic auth gets a 401.
        """
        data = body.encode("utf-8") if isinstance(body, str) else body
        if auto_etag and etag is None:
            etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        lm = (
            format_datetime(last_modified, usegmt=True)
            if isinstance(last_modified, datetime)
            else last_modified
        )
        self._resources[path] = _Resource(
            body=data,
            status=status,
            content_type=content_type,
            headers=dict(headers or {}),
            etag=etag,
            last_modified=lm,
            login=login,
        )
        return self.url(path)

    def add_redirect(self, path: str, target: str, *, status: int = 302) -> str:
        """Answer ``path`` with a redirect to ``target`` (absolute or relative). Returns the URL."""
        self._resources[path] = _Resource(status=status, redirect_to=target, content_type=None)
        return self.url(path)

    def add_never_answering(self, path: str) -> str:
        """Accept the request at ``path`` and never answer it (until the site closes). Returns the URL."""
        self._resources[path] = _Resource(never_answer=True)
        return self.url(path)

    def add_huge(
        self,
        path: str,
        size: int = 20_000_000,
        *,
        content_type: str = "text/html",
        declare_length: bool = False,
    ) -> str:
        """Stream ``size`` bytes of at ``path`` (chunked unless ``declare_length``); returns the URL."""
        self._resources[path] = _Resource(
            content_type=content_type, huge_bytes=size, declare_length=declare_length
        )
        return self.url(path)

    def add_dripping(
        self, path: str, body: bytes, *, interval: float = 1.0, content_type: str = "text/html"
    ) -> str:
        """Send headers at once, then one byte of ``body`` every ``interval`` seconds. Returns the URL."""
        self._resources[path] = _Resource(body=body, content_type=content_type, drip_interval=interval)
        return self.url(path)

    def hold(self, path: str) -> None:
        """Requests for ``path`` are received (and counted) but answered only after release(path)."""
        self._gates.setdefault(path, asyncio.Event())

    def release(self, path: str) -> None:
        """Answer the requests hold(path) kept waiting, and every later one at once."""
        gate = self._gates.pop(path, None)
        if gate is not None:
            gate.set()

    def remove(self, path: str) -> None:
        """Stop serving ``path`` (it answers 404 again)."""
        self._resources.pop(path, None)

    async def publish(
        self,
        topic: str,
        title: str,
        body: str,
        *,
        published: datetime | None = None,
        feed_last_modified: datetime | None = None,
    ) -> PublishedArticle:
        """Publish an article page and add it to the RSS feed at ``/feeds/<topic>.xml`` (newest first).

        The item is dated ``published``, or the site's clock's time (the wall clock when it has none). The feed
        answers conditional requests by its ETag, or, given ``feed_last_modified``, by that Last-Modified only
        (no ETag), as many servers of static feed files do.
        """
        n = len(self._articles) + 1
        path = f"/articles/{n}.html"
        self.add(path, self._page(topic, title, body), auto_etag=True)
        if published is None:
            published = (
                datetime.fromtimestamp(self._clock.now(), UTC) if self._clock else datetime.now(UTC)
            ).replace(microsecond=0)
        article = PublishedArticle(topic, title, body, self.url(path), published)
        self._articles.append(article)
        self.add(
            f"/feeds/{topic}.xml",
            self.feed_xml(topic),
            content_type="application/rss+xml",
            auto_etag=feed_last_modified is None,
            last_modified=feed_last_modified,
        )
        return article

    def revise(self, article: PublishedArticle, *, title: str | None = None, body: str | None = None) -> None:
        """Edit a published article in place (a corrected headline, a live blog's growing text): its page and
        its item in the feed change (and the feed's ETag), its address, guid and date stay."""
        article.title = title if title is not None else article.title
        article.body = body if body is not None else article.body
        path = article.url.removeprefix(self.base_url)
        self.add(path, self._page(article.topic, article.title, article.body), auto_etag=True)
        self.add(
            f"/feeds/{article.topic}.xml",
            self.feed_xml(article.topic),
            content_type="application/rss+xml",
            auto_etag=True,
        )

    @staticmethod
    def _page(topic: str, title: str, body: str) -> str:
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n") if p.strip())
        return (
            f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"</head><body><nav><a href='/'>Home</a> <a href='/feeds/{topic}.xml'>{topic}</a></nav>"
            f"<article><h1>{html.escape(title)}</h1>{paragraphs}</article>"
            f"<footer>© Test News Site</footer></body></html>"
        )

    def add_home_page(self, path: str = "/", topics: tuple[str, ...] = ("business",)) -> str:
        """Serve a front page whose head advertises each topic's feed (relative hrefs, in ``topics`` order).

        Its body is navigation only, no article text. Returns the URL.
        """
        links = "".join(
            f'<link rel="alternate" type="application/rss+xml" title="{html.escape(t)}" href="/feeds/{t}.xml">'
            for t in topics
        )
        sections = " ".join(f"<a href='/{html.escape(t)}/'>{html.escape(t)}</a>" for t in topics)
        page = (
            f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Test News</title>{links}</head>"
            f"<body><nav><a href='/'>Home</a> {sections}</nav><footer>© Test News Site</footer></body></html>"
        )
        return self.add(path, page)

    def feed_url(self, topic: str) -> str:
        """The URL of the RSS feed that :meth:`publish` maintains for ``topic``."""
        return self.url(f"/feeds/{topic}.xml")

    def feed_xml(self, topic: str) -> str:
        """The RSS 2.0 document for ``topic``'s published articles, newest first."""
        items = []
        for a in reversed([a for a in self._articles if a.topic == topic]):
            items.append(
                f"<item><title>{html.escape(a.title)}</title><link>{html.escape(a.url)}</link>"
                f"<guid>{html.escape(a.url)}</guid>"
                f"<pubDate>{format_datetime(a.published, usegmt=True)}</pubDate>"
                f"<category>{html.escape(topic)}</category>"
                f"<description>{html.escape(a.body)}</description></item>"
            )
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Test News: {html.escape(topic)}</title><link>{self.base_url}/</link>"
            f"<description>Test feed</description>{''.join(items)}</channel></rss>"
        )

    # -- inspection ------------------------------------------------------------------------------------------
    def hits(self, path: str) -> int:
        """How many requests asked for ``path`` (query ignored)."""
        return sum(1 for r in self.requests if r.path.split("?", 1)[0] == path)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        """The requests that asked for ``path`` (query ignored), oldest first."""
        return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    # -- serving ---------------------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(RecordedRequest(request.method, request.path_qs, dict(request.headers)))
        gate = self._gates.get(request.path)
        if gate is not None:
            await gate.wait()
        res = self._resources.get(request.path)
        if res is None:
            return web.Response(status=404, text="not found")
        if res.never_answer:
            await self._closing.wait()
            return web.Response(status=503)
        if res.redirect_to is not None:
            return web.Response(status=res.status, headers={"Location": res.redirect_to})
        if res.login is not None:
            expected = "Basic " + base64.b64encode(res.login.encode()).decode()
            if request.headers.get("Authorization") != expected:
                return web.Response(
                    status=401, text="sign in", headers={"WWW-Authenticate": 'Basic realm="x"'}
                )
        if res.huge_bytes:
            return await self._stream_huge(request, res)
        if res.drip_interval:
            return await self._drip(request, res)
        headers = dict(res.headers)
        if res.content_type is not None:
            headers["Content-Type"] = res.content_type
        if res.etag:
            headers["ETag"] = res.etag
        if res.last_modified:
            headers["Last-Modified"] = res.last_modified
        if res.status == 200 and self._not_modified(request, res):
            return web.Response(status=304, headers={k: v for k, v in headers.items() if k != "Content-Type"})
        response = web.Response(status=res.status, body=res.body, headers=headers)
        if res.content_type is None:
            # aiohttp adds application/octet-stream by default; a test asked for no header at all.
            response.headers.popall("Content-Type", None)
        return response

    @staticmethod
    def _not_modified(request: web.Request, res: _Resource) -> bool:
        inm = request.headers.get("If-None-Match")
        if inm is not None and res.etag:
            return res.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = request.headers.get("If-Modified-Since")
        if ims and res.last_modified:
            try:
                return parsedate_to_datetime(res.last_modified) <= parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
        return False

    async def _stream_huge(self, request: web.Request, res: _Resource) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": res.content_type or "text/html"})
        if res.declare_length:
            response.content_length = res.huge_bytes
        else:
            response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"<p>" + b"news " * 13_000 + b"</p>\n"
        sent = 0
        try:
            while sent < res.huge_bytes:
                part = chunk[: res.huge_bytes - sent]
                await response.write(part)
                sent += len(part)
            await response.write_eof()
        except (ConnectionResetError, asyncio.CancelledError):
            pass  # the client stopped reading, which is what a size cap does
        return response

    async def _drip(self, request: web.Request, res: _Resource) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": res.content_type or "text/html"})
        await response.prepare(request)
        try:
            for i in range(len(res.body)):
                await response.write(res.body[i : i + 1])
                await asyncio.sleep(res.drip_interval)
            await response.write_eof()
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return response


@pytest_asyncio.fixture(name="news_site")
async def news_site_fixture(clock: FakeClock) -> AsyncIterator[NewsSite]:
    """A running :class:`NewsSite` on 127.0.0.1 that dates its articles by the test's clock."""
    async with NewsSite(clock=clock) as site:
        yield site
