"""Feed autodiscovery: the feed URLs an HTML page advertises in its head."""

from __future__ import annotations

import time

from summaries.sources.feeds import advertised_feeds

PAGE = "https://news.example/world/index.html"


def head(*links: str, extra: str = "") -> bytes:
    return f"<!doctype html><html><head><title>News</title>{extra}{''.join(links)}</head><body>x</body></html>".encode()


def link(href: str, type_: str = "application/rss+xml", rel: str = "alternate") -> str:
    return f'<link rel="{rel}" type="{type_}" href="{href}">'


def test_relative_hrefs_are_resolved_against_the_page() -> None:
    page = head(
        link("/rss"),
        link("atom.xml", "application/atom+xml"),
        link("//cdn.example/f.json", "application/feed+json"),
    )
    assert advertised_feeds(page, PAGE) == [
        "https://news.example/rss",
        "https://news.example/world/atom.xml",
        "https://cdn.example/f.json",
    ]


def test_a_base_element_moves_relative_hrefs() -> None:
    page = head(link("feed.xml"), extra='<base href="https://static.example/site/">')
    assert advertised_feeds(page, PAGE) == ["https://static.example/site/feed.xml"]


def test_several_links_keep_page_order_once_each() -> None:
    page = head(
        link("/feed/"),
        link("/comments/feed/"),
        link("/feed/"),
        link("/feed/atom/", "application/atom+xml; charset=utf-8", rel="Alternate nofollow"),
    )
    assert advertised_feeds(page, PAGE) == [
        "https://news.example/feed/",
        "https://news.example/comments/feed/",
        "https://news.example/feed/atom/",
    ]


def test_no_feed_link_means_none() -> None:
    page = head(
        link("/style.css", "text/css", rel="stylesheet"),
        link("/de/", "text/html"),  # another language of the page, not a feed
        link("/feed", rel="canonical"),  # a feed type without rel=alternate
        '<link rel="alternate" type="application/rss+xml">',  # no href
    )
    assert advertised_feeds(page, PAGE) == []
    assert advertised_feeds(b"", PAGE) == []
    assert advertised_feeds(b"Just some text, no markup.", PAGE) == []


def test_only_the_head_counts() -> None:
    body_link = (
        b"<html><head><title>x</title></head><body><p>Comment:</p>" + link("/evil").encode() + b"</body>"
    )
    assert advertised_feeds(body_link, PAGE) == []


def test_xhtml_with_an_xml_declaration_and_another_charset() -> None:
    page = (
        '<?xml version="1.0" encoding="iso-8859-1"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
        '<title>Caf\xe9</title><link rel="alternate" type="application/atom+xml" href="/caf\xe9.atom"/></head></html>'
    ).encode("latin-1")
    assert advertised_feeds(page, PAGE, "iso8859-1") == ["https://news.example/caf\xe9.atom"]


def test_hostile_markup_is_no_crash_and_no_odd_url() -> None:
    hostile = [
        link("javascript:alert(1)"),
        link("data:application/rss+xml,<rss/>"),
        link("file:///etc/passwd"),
        link("http://[::1"),  # a broken IPv6 literal
        link("http://"),  # no host
        link("https://news.example/" + "a" * 5000),  # longer than any address newsbot takes
        link("\x00\x01 /after-controls"),
        link("https://ok.example/feed?a=1&amp;b=2"),
    ]
    assert advertised_feeds(head(*hostile), PAGE) == [
        "https://news.example/after-controls",
        "https://ok.example/feed?a=1&b=2",
    ]
    for junk in (
        b"\x00\xff" * 5000,
        b"<head>" + b"<div>" * 200_000,
        b"<link " * 100_000,
        "<head>\ud800".encode("utf-8", "surrogatepass"),
    ):
        assert advertised_feeds(junk, PAGE) == []


def test_a_page_naming_thousands_of_feeds_is_read_quickly_and_capped() -> None:
    page = head(*(link(f"/feed/{n}") for n in range(50_000)))
    started = time.process_time()
    found = advertised_feeds(page, PAGE)
    assert time.process_time() - started < 5
    assert found[0] == "https://news.example/feed/0" and len(found) == 20
