"""NEWSBOT_VENV edges of the scripts that no earlier test held (hand mutations, review-mut7)."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_scripts import _copy_project, _install, _script


@pytest.fixture
def refusing_port() -> Iterator[int]:
    """A loopback port that refuses connections."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_run_sh_starts_the_bot_from_the_venv_named_by_newsbot_venv(
    tmp_path: Path, refusing_port: int
) -> None:
    # With a token configured, run.sh must start `newsbot run` from NEWSBOT_VENV too: from .venv it would end
    # in ".venv/bin/newsbot: No such file or directory" (exit 127) on a machine that keeps its venv elsewhere.
    repo = tmp_path / "my newsbot"
    _copy_project(repo)
    venv = tmp_path / "my venvs" / "newsbot env"
    _install(venv, repo)
    (repo / ".env").write_text(
        f"NEWSBOT_BOT_TOKEN=123:abc\nNEWSBOT_TELEGRAM_API_URL=http://127.0.0.1:{refusing_port}/bot\n"
    )
    result = _script(repo, "run.sh", newsbot_env={"NEWSBOT_VENV": str(venv)})
    assert result.returncode == 1, result.stderr
    assert f"cannot reach the Bot API at http://127.0.0.1:{refusing_port}" in result.stderr
    assert not (repo / ".venv").exists()


def test_newsbot_venv_naming_an_empty_folder_gets_a_venv_there(tmp_path: Path) -> None:
    # An empty folder made for the venv (mkdir, a mounted volume) is taken as a new one, not refused as
    # "not a virtual environment and not empty".
    repo = tmp_path / "my newsbot"
    _copy_project(repo)
    folder = tmp_path / "venv volume"
    folder.mkdir()
    result = _script(repo, "setup-venv.sh", newsbot_env={"NEWSBOT_VENV": str(folder)})
    assert "not a virtual environment" not in result.stderr
    assert (folder / "pyvenv.cfg").is_file()
    made = subprocess.run(
        [folder / "bin" / "python", "-c", "import sys; print(sys.prefix)"], capture_output=True
    )
    assert made.returncode == 0 and Path(made.stdout.decode().strip()) == folder
