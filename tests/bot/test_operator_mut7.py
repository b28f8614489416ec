"""Operator-facing edges of today's start-up and shutdown code that no earlier test held (review-mut7)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.bot.test_cli import ROOT, newsbot

FEED = (
    "<?xml version='1.0'?><rss version='2.0'><channel><title>N</title>"
    "<item><title>Tram line approved</title><link>https://news.example/1</link>"
    "<description>The council approved the new tram line on Tuesday after a long debate.</description></item>"
    "<item><title>Harbour reopens</title><link>https://news.example/2</link>"
    "<description>The harbour reopened on Wednesday after two weeks of repairs to the quay.</description></item>"
    "</channel></rss>"
)


def test_db_path_two_folders_below_a_file_names_the_file(tmp_path: Path) -> None:
    # Only the nearest existing folder is checked: one level further down, the file in the way went unnamed
    # and ingest failed with "cannot create the folder of ...: Not a directory".
    (tmp_path / "notes.txt").write_text("not a folder\n")
    (tmp_path / "feed.xml").write_text(FEED)
    result = newsbot(
        "ingest", str(tmp_path / "feed.xml"), cwd=tmp_path,
        NEWSBOT_DB_PATH=str(tmp_path / "notes.txt" / "data" / "db.sqlite3"),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"newsbot: invalid setting NEWSBOT_DB_PATH: {tmp_path / 'notes.txt'} is a file, not a folder"
    ]


def test_short_output_into_a_pipe_closed_before_it_is_written_ends_quietly(tmp_path: Path) -> None:
    # `newsbot ingest feed.xml | true`: the few lines wait in the buffer until exit, where Python's own flush
    # met the closed pipe and printed "Exception ignored ... BrokenPipeError" with exit 120.
    (tmp_path / "feed.xml").write_text(FEED)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env.update(PYTHONPATH=str(ROOT), NEWSBOT_DB_PATH=str(tmp_path / "db.sqlite3"))
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before newsbot writes a line
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "ingest", "--quiet", str(tmp_path / "feed.xml")],
            cwd=tmp_path, env=env, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (1, "")
