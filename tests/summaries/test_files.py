"""Local files: plain text, HTML and feed files told apart by content, with clear errors."""

from __future__ import annotations

import concurrent.futures
import io
import json
import os
import shutil
import tarfile
import time
from pathlib import Path

import pytest

from summaries.sources.files import (
    SourceFileError,
    UnreadableSource,
    read_file_text,
    read_source_file,
    read_standard_input,
)

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


def test_a_text_that_opens_with_a_paragraph_keeps_it_in_the_body(tmp_path: Path) -> None:
    # No title line, one paragraph a line: the whole first paragraph was the title, and missing from the body
    # (so from the stored article and its summary).
    lead = "The harbour board met on Monday. It approved the new quay."
    path = tmp_path / "story.txt"
    path.write_text(f"{lead}\n\nDredging starts in May. The towns share the cost.\n", encoding="utf-8")
    [article] = read_source_file(path)
    assert article.title == "The harbour board met on Monday."
    assert article.body.startswith(lead + "\n\nDredging starts in May.")


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


def test_a_saved_fragment_of_html_is_read_as_html_not_as_words(tmp_path: Path) -> None:
    # A feed item's content saved to a file: no <html> or <body>, it opens with the item's picture.
    paragraphs = "".join(
        f"<p>The harbour board met on day {n} to weigh the <a href='https://example.org/plan'>new plan</a> for "
        f"the quay, and members asked how the costs of dredging would be shared among the towns.</p>"
        for n in range(1, 6)
    )
    path = tmp_path / "item.xml"
    path.write_text("<img src='https://example.org/quay.jpg' alt='quay' />" + paragraphs, encoding="utf-8")
    [article] = read_source_file(path)
    assert "<" not in article.body and "href" not in article.body
    assert "the new plan for the quay" in article.body


def test_an_xhtml_page_saved_with_its_xml_declaration_is_read_as_html(tmp_path: Path) -> None:
    # An XHTML page opens with "<?xml ...?>" before its doctype: it was read as plain text, so the article was
    # titled '<?xml version="1.0" encoding="utf-8"?>' and its summary quoted the page's tags.
    paragraphs = "".join(
        f"<p>The harbour board met on day {n} to weigh the new plan for the quay, and members asked how the "
        f"costs of dredging would be shared among the towns.</p>"
        for n in range(1, 6)
    )
    path = tmp_path / "page.xhtml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Harbour board weighs quay plan</title></head>'
        f"<body><article><h1>Harbour board weighs quay plan</h1>{paragraphs}</article></body></html>",
        encoding="utf-8",
    )
    [article] = read_source_file(path)
    assert article.title == "Harbour board weighs quay plan"
    assert "<" not in article.body and "xml" not in article.body
    assert "the new plan for the quay" in article.body


def test_a_text_file_opening_with_many_comments_is_read_at_once(tmp_path: Path) -> None:
    # Each "<!-- -->" before the text could be read as ending at any later "-->": a file opening with 24 of
    # them took seconds to be told HTML or not, 30 about a minute, and a few more hung the ingest for good.
    path = tmp_path / "notes.txt"
    path.write_text(
        "<!-- draft -->\n" * 24
        + "Council approves harbour bridge\n\nThe town council voted 7-2 on Tuesday.\n",
        encoding="utf-8",
    )
    started = time.process_time()
    [article] = read_source_file(path)
    assert time.process_time() - started < 1.5
    assert "The town council voted 7-2 on Tuesday." in article.body


def test_a_utf8_file_with_a_line_in_windows_1252_keeps_its_letters(tmp_path: Path) -> None:
    # The one line an old Windows editor added made the whole file a guess: "Café" came out "Cafรฉ" (Thai).
    path = tmp_path / "story.txt"
    utf8 = "Café terraces face new limits\n\nCafé owners say the rules hurt trade. The council voted on Tuesday.\n"
    path.write_bytes(utf8.encode() + "Residents’ groups welcomed the vote.\n".encode("cp1252"))
    [article] = read_source_file(path)
    assert article.title == "Café terraces face new limits"
    assert article.body == "Café owners say the rules hurt trade. The council voted on Tuesday.\n" + (
        "Residents’ groups welcomed the vote."
    )


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        # Guessed by charset_normalizer: "Z³rich", "Săo Paulo", "El nińo", "The ďyesĒ side".
        (
            "Zürich bank reports profit\n\nThe bank in Zürich said profit rose. Analysts expected less.",
            "latin-1",
        ),
        (
            "São Paulo grows\n\nA economia de São Paulo cresceu. O governo disse que a inflação caiu.",
            "latin-1",
        ),
        ("El niño returns\n\nEl niño llegará mañana, dijo la señora. España se prepara.", "latin-1"),
        ("Council votes\n\nThe “yes” side won – narrowly. Residents’ groups welcomed it.", "cp1252"),
        # Only quotes and an ellipsis beside ASCII: chardet read them as Japanese ("哲o!賠").
        ("No\n\n“No!”…", "cp1252"),
        # chardet weighs DOS, Mac and mainframe code pages too: "no ·ltimo trimestre" (cp437), "Straşe" (MacTurkish).
        (
            "Economia\n\nA economia cresceu 2% no último trimestre. O governo comemorou o resultado.",
            "latin-1",
        ),
        ("Road works\n\nDie Straße ist gesperrt.", "latin-1"),
        # Lone accented letters taken for Greek or Cyrillic ones: "Jα comeηou", "Il titolo и caduto".
        ("Já começou\n\nJá começou a festa.", "latin-1"),
        ("Mercato\n\nIl titolo è caduto", "latin-1"),
        # Two such letters in one Latin word are no word of that script: "Cafй dйjа fermй".
        ("Café\n\nCafé déjà fermé.", "latin-1"),
        # Guessed ISO-8859-4, whose 0x8a is a control code: "\x8akoda".
        ("Škoda sales rise\n\nŠkoda sales rise in May.", "cp1252"),
        ("Sales\n\nŠkoda sales rise", "cp1252"),
        # Other scripts beside more Latin names: one word of the script shows it is no misread Latin, and
        # Japanese, written without spaces, glues Latin names to its words.
        ("Apple выпустила iPhone 16\n\nApple выпустила iPhone.", "cp1251"),
        ("Python 3.13\n\nPython 3.13 вышел", "koi8-r"),
        ("Η Apple ανακοίνωσε το νέο iPhone\n\nΗ Apple ανακοίνωσε το νέο iPhone.", "iso-8859-7"),
        ("Samsung Galaxy S24 Ultra\n\nSamsung Galaxy S24 Ultra: סקירה", "cp1255"),
        ("Samsung Galaxy S24 Ultra\n\nSamsung Galaxy S24 Ultra: مراجعة", "cp1256"),
        ("iPhone16発売\n\nAppleが新型iPhoneを発表", "cp932"),
    ],
)
def test_a_short_file_that_names_no_charset_keeps_its_letters(
    tmp_path: Path, text: str, encoding: str
) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(text.encode(encoding))
    [article] = read_source_file(path)
    assert f"{article.title}\n\n{article.body}" == text


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
    with pytest.raises(SourceFileError, match="no such file"):
        read_source_file(tmp_path / "nope.txt")
    with pytest.raises(SourceFileError, match="folder"):
        read_source_file(tmp_path)
    assert issubclass(SourceFileError, ValueError)


def test_a_symbolic_link_loop_has_a_reason_not_an_errno(tmp_path: Path) -> None:
    # `newsbot ingest loop` printed "[Errno 40] Too many levels of symbolic links: '/path/loop'".
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(SourceFileError) as err:
        read_source_file(tmp_path / "a")
    assert err.value.reason == "It is a symbolic link that leads round in a loop, to no file."


def _read_with_deadline(path: Path, *, unblock: Path | None = None) -> SourceFileError:
    """read_source_file(path) in a thread, failing (not hanging the suite) if it has not returned in 5 s."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(read_source_file, path)
        try:
            future.result(timeout=5)
        except SourceFileError as exc:
            return exc
        except concurrent.futures.TimeoutError:
            if unblock is not None:
                os.close(os.open(unblock, os.O_WRONLY | os.O_NONBLOCK))  # a writer that leaves: EOF
            pytest.fail(f"reading {path} hung")
    pytest.fail(f"reading {path} gave articles")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    # `newsbot ingest some.fifo` used to block forever on open() waiting for a writer.
    fifo = tmp_path / "news.fifo"
    os.mkfifo(fifo)
    err = _read_with_deadline(fifo, unblock=fifo)
    assert "not a regular file" in err.reason


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused_not_read_without_end() -> None:
    # /dev/zero reports size 0 and never ends: read_bytes() filled memory until the machine gave out.
    err = _read_with_deadline(Path("/dev/zero"))
    assert "not a regular file" in err.reason


def test_a_sparse_file_over_the_cap_is_refused_unread(tmp_path: Path) -> None:
    # A 2 GB sparse file costs no disk; it must be refused by its size, not read.
    path = tmp_path / "log.txt"
    path.write_bytes(b"word " * 10)
    with path.open("ab") as f:
        f.truncate(2_000_000_000)  # sparse: no disk used
    with pytest.raises(SourceFileError) as err:
        read_source_file(path)
    assert err.value.reason == "It is larger than 20 MB; newsbot reads less."


def test_control_characters_in_a_text_file_are_dropped(tmp_path: Path) -> None:
    # Only the first 2 kB are sniffed for binary data; a NUL further on reached SQLite and Telegram.
    path = tmp_path / "story.txt"
    body = "The council met on Tuesday. " * 100 + "It voted\x00 for the\x07 bridge."
    path.write_text("Council votes\n\n" + body, encoding="utf-8")
    [article] = read_source_file(path)
    assert "\x00" not in article.body and "\x07" not in article.body
    assert article.body.endswith("It voted for the bridge.")


def test_json_feed_file_with_version_last(tmp_path: Path) -> None:
    items = [
        {"id": str(i), "url": f"https://a.example/{i}", "title": f"Ferry news {i}", "content_text": "x " * 40}
        for i in range(40)
    ]
    path = tmp_path / "export.json"
    path.write_text(
        json.dumps({"title": "Ferries", "items": items, "version": "https://jsonfeed.org/version/1"})
    )
    articles = read_source_file(path)
    assert [a.title for a in articles] == [f"Ferry news {i}" for i in range(40)]


def test_a_feed_file_is_read_to_its_last_item(tmp_path: Path) -> None:
    # The per-poll item cap guards against hostile remote feeds; a file the operator ingests is read in full
    # (the file size cap bounds it), or items past the cap would vanish without a line of output.
    items = "".join(
        f"<item><title>Item {n}</title><link>https://news.example/{n}</link><description>Text {n}.</description></item>"
        for n in range(1500)
    )
    path = tmp_path / "big.xml"
    path.write_text(
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{items}</channel></rss>"
    )
    articles = read_source_file(path)
    assert len(articles) == 1500 and articles[-1].title == "Item 1499"


def test_json_that_is_no_json_feed_is_refused_not_stored_as_prose(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text('{"feeds": ["https://a.example/rss"], "interval": 600}')
    # It used to become an "article" titled {"feeds": ...
    with pytest.raises(SourceFileError, match="JSON, but not a JSON Feed"):
        read_source_file(path)
    path.write_text('[{"url": "https://a.example/1"}, {"url": "https://a.example/2"}]')  # a list of records
    with pytest.raises(SourceFileError, match="JSON, but not a JSON Feed"):
        read_source_file(path)
    deep = tmp_path / "deep.txt"
    deep.write_text("[" * 100_000 + "] is how the note starts.\n\nThen it goes on in prose for a while.")
    assert read_source_file(deep)[0].title.startswith("[[[")


def test_a_tar_archive_of_text_files_is_refused_as_binary(tmp_path: Path) -> None:
    # A tar archive opens with the name of its first file: only its first bytes looked like text.
    (tmp_path / "story.txt").write_text("Council approves harbour bridge\n\nThe council voted on Tuesday.\n")
    with tarfile.open(tmp_path / "news.tar", "w") as archive:
        archive.add(tmp_path / "story.txt", arcname="story.txt")
    with pytest.raises(SourceFileError) as err:
        read_source_file(tmp_path / "news.tar")
    assert err.value.reason == "It is binary data, not text, HTML or a news feed."


def test_a_file_name_too_long_has_a_reason_not_an_errno(tmp_path: Path) -> None:
    with pytest.raises(SourceFileError) as err:
        read_source_file(tmp_path / ("n" * 300 + ".txt"))
    assert err.value.reason == "It cannot be read (File name too long)."


def test_a_feed_file_without_items_says_so(tmp_path: Path) -> None:
    path = tmp_path / "quiet.xml"
    path.write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Quiet news</title>"
        "<link>https://quiet.example/</link></channel></rss>"
    )
    with pytest.raises(SourceFileError) as err:
        read_source_file(path)
    assert err.value.reason == "It is a feed without items."


def test_a_text_file_with_old_mac_line_endings_keeps_its_title_line(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(
        b"Ferry returns to the harbour\r\rThe ferry runs again from Monday.\rTickets are on sale.\r"
    )
    [article] = read_source_file(path)
    assert article.title == "Ferry returns to the harbour"
    assert article.body == "The ferry runs again from Monday.\nTickets are on sale."


def test_blank_lines_in_a_text_file_are_one_paragraph_break(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Ferry returns\n\nThe ferry runs again.\n\n\n\n\nTickets are on sale.\n")
    assert read_source_file(path)[0].body == "The ferry runs again.\n\nTickets are on sale."


def test_a_title_line_ending_in_an_ellipsis_stays_the_title(tmp_path: Path) -> None:
    # An ellipsis trails off a headline; only a full stop ends a sentence of a paragraph with no title line.
    path = tmp_path / "story.txt"
    path.write_text("Ferry returns to the harbour...\nThe ferry runs again from Monday.\n")
    [article] = read_source_file(path)
    assert article.title == "Ferry returns to the harbour..."
    assert article.body == "The ferry runs again from Monday."


def test_an_untitled_text_is_titled_with_its_first_sentence_whatever_ends_it(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Will the ferry return? The board decides today after a long wait.")
    assert read_source_file(path)[0].title == "Will the ferry return?"
    long_sentence = (
        "The harbour board, meeting for the third time this month in the old customs house by the quay, approved "
        "the new ferry timetable and the fare rise that goes with it on Tuesday."
    )
    path.write_text(long_sentence + " Tickets go on sale on Monday.")
    # Cut at a word, not inside one, when too long for a title.
    assert read_source_file(path)[0].title == (
        "The harbour board, meeting for the third time this month in the old customs house by the quay, approved "
        "the new ferry…"
    )


def test_a_titled_text_whose_body_is_wrapped_keeps_its_title(tmp_path: Path) -> None:
    # Only the line after the first says whether the text is wrapped; its body's own wrapped lines do not.
    path = tmp_path / "story.txt"
    path.write_text(
        "Ferry returns to the harbour\n\nThe ferry runs again from Monday, the board said,\nafter a winter of repairs.\n"
    )
    [article] = read_source_file(path)
    assert article.title == "Ferry returns to the harbour"
    assert article.body.startswith("The ferry runs again")


def test_a_file_of_one_sentence_is_summarized_without_a_title(tmp_path: Path) -> None:
    # Given as its own title, the summarizer dropped the sentence as a repeated title: nothing was printed.
    path = tmp_path / "note.txt"
    path.write_text("The ferry runs again from Monday.\n")
    read = read_file_text(str(path))
    assert (read.text, read.title) == ("The ferry runs again from Monday.", None)


def test_standard_input_over_the_cap_is_refused_with_its_size() -> None:
    with pytest.raises(UnreadableSource) as err:
        read_standard_input(io.BytesIO(b"The ferry runs again. " * 1_000_000))
    assert err.value.reason == "standard input is larger than 20 MB"
