"""Article pages: main text extracted, boilerplate dropped, no-article pages explained."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from summaries.sources.pages import ExtractedPage, ExtractionError, extract_page, page_to_article

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE = (FIXTURES / "article.html").read_bytes()


def test_article_text_without_boilerplate() -> None:
    page = extract_page(ARTICLE, "https://motor.example/asia-plans")
    assert page.title == "Carmaker plans to double sales in Asia"
    assert page.text.startswith("Northwind Motors, the mid-sized carmaker")
    assert "Rival carmakers have announced" in page.text
    for boilerplate in ("Read next", "Ten cars we loved", "All rights reserved", "Log in", "Privacy"):
        assert boilerplate not in page.text
    assert page.text.count("\n\n") >= 3  # paragraphs kept apart
    assert page.published == datetime(2025, 3, 5, tzinfo=UTC)
    assert page.language == "en"
    assert page.site_name == "Motor Ledger"


def test_str_and_bytes_in_other_encodings() -> None:
    text = ARTICLE.decode("utf-8").replace("utf-8", "windows-1252").replace("Velde", "Vélde")
    from_str = extract_page(text)
    from_bytes = extract_page(text.encode("cp1252"))
    assert "Mara Vélde" in from_str.text and "Mara Vélde" in from_bytes.text


def test_login_page_has_no_article() -> None:
    with pytest.raises(ExtractionError) as err:
        extract_page((FIXTURES / "login.html").read_bytes(), "https://members.example/login")
    assert err.value.reason == "That page has no article text (it looks like a login page)."


@pytest.mark.parametrize(
    ("html", "words"),
    [
        (b"", "empty"),
        (b"<html><body></body></html>", "no article text"),
        (
            b"<html><body><ul>"
            + b"".join(b"<li><a href='/%d'>Link %d</a></li>" % (i, i) for i in range(60))
            + b"</ul></body></html>",
            "list of links",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00garbage", "no article text"),
    ],
)
def test_pages_without_articles_give_reasons(html: bytes, words: str) -> None:
    with pytest.raises(ExtractionError) as err:
        extract_page(html)
    assert words in err.value.reason


def test_page_to_article() -> None:
    page = extract_page(ARTICLE, "https://motor.example/asia-plans")
    article = page_to_article(page, "https://Motor.example/asia-plans/?utm_source=x")
    assert article.url == "https://motor.example/asia-plans"
    assert article.source == "Motor Ledger"
    assert {"automotive", "business"} <= set(article.topics)


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Harbour farm opens – Motor Ledger", "Motor Ledger", "Harbour farm opens"),
        ("Harbour farm opens | MOTOR-LEDGER", "Motor Ledger", "Harbour farm opens"),
        ("Harbour farm opens - Ledger - Cars and Money", "Ledger - Cars and Money", "Harbour farm opens"),
        ("Ledger | Cars and Money: Harbour farm opens", "Ledger | Cars and Money", "Harbour farm opens"),
        ("Harbour farm opens - motor", None, "Harbour farm opens"),  # the host's name, when the site has none
        ("Opinion | Harbour farm opens - a view", "Motor Ledger", "Opinion | Harbour farm opens - a view"),
        ("Motor Ledger", "Motor Ledger", "Motor Ledger"),
    ],
)
def test_the_site_name_around_a_page_title_is_dropped(title: str, site: str | None, expected: str) -> None:
    # The source line under the title names the site already.
    page = ExtractedPage(title=title, text="The farm opened on Tuesday. " * 5, site_name=site)
    assert page_to_article(page, "https://www.motor.example/harbour").title == expected
