"""Local files: plain text, HTML and feed files told apart by content, with clear errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from summaries.sources.files import SourceFileError, read_source_file

FIXTURES = Path(__file__).parent / "fixtures"


def test_plain_text_first_line_is_title(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(
        "Council approves harbour bridge\n\nThe town council voted 7-2 on Tuesday.\n\nWork starts in May.\n",
        encoding="utf-8",
    )
    [article] = read_source_file(path)
    assert article.title == "Council approves harbour bridge"
    assert article.body == "The town council voted 7-2 on Tuesday.\n\nWork starts in May."
    assert article.source == "story.txt"
    assert article.url == path.resolve().as_uri()


def test_single_paragraph_text(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("A short note. It has two sentences.", encoding="utf-8")
    [article] = read_source_file(path)
    assert article.title == "A short note."
    assert article.body == "A short note. It has two sentences."


def test_html_file_extracted(tmp_path: Path) -> None:
    path = tmp_path / "saved-page.dat"  # the extension says nothing; the content decides
    shutil.copy(FIXTURES / "article.html", path)
    [article] = read_source_file(path)
    assert article.title == "Carmaker plans to double sales in Asia"
    assert "Read next" not in article.body
    assert article.source == "Motor Ledger"


@pytest.mark.parametrize(
    ("fixture", "count"), [("rss2.xml", 4), ("atom.xml", 2), ("feed.json", 3), ("rss1.rdf", 1)]
)
def test_feed_files_by_content(tmp_path: Path, fixture: str, count: int) -> None:
    path = tmp_path / "feed.txt"  # a misleading extension on purpose
    shutil.copy(FIXTURES / fixture, path)
    articles = read_source_file(path)
    assert len(articles) == count
    assert all(a.title for a in articles)


def test_text_that_looks_like_html_but_is_prose(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("Prices rise 3%\nInflation < 5% still, economists say.", encoding="utf-8")
    [article] = read_source_file(path)
    assert article.title == "Prices rise 3%"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "is empty"),
        (b"  \n\n ", "is empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "a PDF document, not text"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "an image"),
        (bytes(range(256)) * 4, "binary data"),
        (b"<html><body><form><input type='password'></form></body></html>", "login page"),
    ],
)
def test_unreadable_files_have_reasons(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    with pytest.raises(SourceFileError) as err:
        read_source_file(path)
    assert words in err.value.reason


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError, match="no file"):
        read_source_file(tmp_path / "nope.txt")
    with pytest.raises(SourceFileError, match="folder"):
        read_source_file(tmp_path)
    assert issubclass(SourceFileError, ValueError)
