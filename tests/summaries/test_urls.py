"""Canonical URLs: one spelling per article."""

from __future__ import annotations

import pytest

from summaries.urls import address_problem, canonical_url, is_tracking_param, without_login


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTPS://News.Example.COM/World/Story", "https://news.example.com/World/Story"),
        ("https://news.example.com:443/a", "https://news.example.com/a"),
        ("http://news.example.com:80/a", "http://news.example.com/a"),
        ("http://news.example.com:8080/a", "http://news.example.com:8080/a"),
        ("https://news.example.com/a#comments", "https://news.example.com/a"),
        ("https://news.example.com/a/", "https://news.example.com/a"),
        ("https://news.example.com", "https://news.example.com/"),
        ("https://news.example.com/?", "https://news.example.com/"),
        ("https://news.example.com/a/./b/../c", "https://news.example.com/a/c"),
        ("  https://news.example.com/a  ", "https://news.example.com/a"),
        ("https://news.example.com/a%20b", "https://news.example.com/a%20b"),
        ("https://news.example.com./a", "https://news.example.com/a"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        # An IPv6 host keeps its brackets, or the port would read as part of the address and fetching fails.
        ("http://[2001:DB8::1]:8080/a", "http://[2001:db8::1]:8080/a"),
        # "+" in a parameter name is a space, as in its value: both spellings are one page.
        ("https://news.example.com/s?the+q=1", "https://news.example.com/s?the%20q=1"),
    ],
)
def test_canonical_spelling(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


def test_tracking_parameters_dropped_and_others_sorted() -> None:
    url = (
        "https://news.example.com/story?utm_source=twitter&b=2&fbclid=XYZ&a=1&gclid=abc&mc_cid=1&mc_eid=2"
        "&utm_campaign=spring&UTM_Medium=x&id=7"
    )
    assert canonical_url(url) == "https://news.example.com/story?a=1&b=2&id=7"


def test_same_article_two_ways_is_one_url() -> None:
    a = "https://News.example.com:443/business/carmaker-plans/?utm_source=rss&utm_medium=feed#top"
    b = "https://news.example.com/business/carmaker-plans"
    assert canonical_url(a) == canonical_url(b)


def test_meaningful_query_kept() -> None:
    assert canonical_url("https://example.com/watch?v=abc123") == "https://example.com/watch?v=abc123"
    assert canonical_url("https://example.com/search?q=a+b") == "https://example.com/search?q=a%20b"


def test_non_web_addresses_kept_as_they_are() -> None:
    assert canonical_url("urn:newsbot:abc") == "urn:newsbot:abc"
    assert canonical_url("file:///tmp/story.txt") == "file:///tmp/story.txt"


def test_tracking_param_names() -> None:
    assert all(is_tracking_param(n) for n in ("utm_source", "utm_content", "fbclid", "gclid", "mc_cid"))
    assert not any(is_tracking_param(n) for n in ("id", "page", "q", "v"))


def test_broken_ipv6_literal_is_kept_not_raised() -> None:
    assert canonical_url(" http://[abc/x ") == "http://[abc/x"


def test_escapes_that_are_no_utf8_stay_distinct() -> None:
    # Decoding %E9 as UTF-8 gave U+FFFD, so every Latin-1 address collapsed into one spelling and the second
    # article was skipped as a "duplicate" of the first.
    assert canonical_url("https://a.example/caf%E9") == "https://a.example/caf%E9"
    assert canonical_url("https://a.example/caf%E8") != canonical_url("https://a.example/caf%E9")
    assert canonical_url("https://a.example/s?q=%FF") != canonical_url("https://a.example/s?q=%FE")
    assert canonical_url("https://a.example/s?q=%fe") == "https://a.example/s?q=%FE"


def test_escapes_with_meaning_are_kept() -> None:
    # An escaped slash, percent sign or plus is data, not structure.
    assert canonical_url("https://a.example/a%2Fb") == "https://a.example/a%2Fb"
    assert canonical_url("https://a.example/a%2Fb") != canonical_url("https://a.example/a/b")
    assert canonical_url("https://a.example/100%25") == "https://a.example/100%25"
    assert canonical_url("https://a.example/100%") == "https://a.example/100%25"
    assert canonical_url("https://a.example/s?q=%2B1") != canonical_url("https://a.example/s?q=+1")


def test_one_character_many_spellings_is_one_url() -> None:
    spellings = ["https://a.example/café", "https://a.example/caf%c3%a9", "https://a.example/caf%C3%A9"]
    assert {canonical_url(u) for u in spellings} == {"https://a.example/caf%C3%A9"}
    assert canonical_url("https://a.example/%7Euser") == "https://a.example/~user"
    assert canonical_url("https://a.example/s?b=2&a&utm_source=x") == "https://a.example/s?a=&b=2"


def test_lone_surrogate_is_replaced_not_raised() -> None:
    # quote() encodes to UTF-8, which a lone surrogate (a JSON "\ud800" escape) cannot be: UnicodeEncodeError.
    assert canonical_url("https://a.example/x\ud800") == "https://a.example/x%EF%BF%BD"
    assert canonical_url("https://a.example/s?q=\udfff") == "https://a.example/s?q=%EF%BF%BD"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://a.example/rss", None),
        ("https://a.example:8080/@someone/feed", None),  # "@" in a path is no user name
        ("https://a.example:99999/@someone/feed", "a port that is not a number"),
        ("https://a.example:http/rss", "a port that is not a number"),
        # "/", "?" or "#" in a password ends the host early: "pa" is no port, the password is wrong.
        ("https://reader:pa/ss@a.example/rss", "a user name or password with"),
        ("https://reader:pa#ss@a.example/rss", "a user name or password with"),
        ("https://reader:pa?ss@a.example/rss", "a user name or password with"),
    ],
)
def test_address_problem_names_the_part_to_fix(url: str, problem: str | None) -> None:
    found = address_problem(url)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem), found


@pytest.mark.parametrize(
    ("url", "bare"),
    [
        ("https://reader:s3cret@news.example/x", "https://news.example/x"),
        ("http://key@news.example:8080", "http://news.example:8080"),
        ("http://a@b@news.example/x?q=1", "http://news.example/x?q=1"),
        ("https://news.example/x?mail=a@b#c@d", "https://news.example/x?mail=a@b#c@d"),  # no login: unchanged
        ("mailto:a@b.example", "mailto:a@b.example"),
    ],
)
def test_without_login_drops_only_the_user_name_and_password(url: str, bare: str) -> None:
    assert without_login(url) == bare
