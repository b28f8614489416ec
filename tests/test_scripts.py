"""The README's first command, `scripts/run.sh`, on a clone: which of bot or console it starts, broken venvs."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project in a folder with a space, with newsbot installed in its .venv.

    Installed the way ``pip install -e`` leaves it (a path entry, a ``newsbot`` script and setup-venv.sh's
    stamp) rather than by pip, which would download setuptools: no test touches the network. The venv sees
    this interpreter's packages for newsbot's dependencies.
    """
    repo = tmp_path_factory.mktemp("first run") / "my newsbot"
    _copy_project(repo)
    _install(repo / ".venv", repo)
    result = _script(repo, "setup-venv.sh")
    assert result.returncode == 0 and "Installing" not in result.stderr, result.stderr
    return repo


def _copy_project(repo: Path) -> None:
    """The files a clone holds that the scripts use, copied to ``repo``."""
    repo.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, repo / name)
    for name in ("bot", "summaries", "scripts"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))


def _install(venv: Path, repo: Path, extras: str = "") -> None:
    """A venv at ``venv`` with ``repo``'s newsbot installed as ``pip install -e`` leaves it, without pip."""
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "dependencies.pth").write_text(f"{sysconfig.get_path('purelib')}\n{repo}\n")
    script = venv / "bin" / "newsbot"
    # A shebang cannot hold a space: pip's own way for such paths, a shell line that runs the file again.
    trampoline = f"#!/bin/sh\n'''exec' \"{venv / 'bin' / 'python'}\" \"$0\" \"$@\"\n' '''\n"
    entry_point = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["newsbot"]
    module, _, func = entry_point.partition(":")  # the file pip writes for it
    script.write_text(trampoline + f"import sys\nfrom {module} import {func}\nsys.exit({func}())\n")
    script.chmod(0o755)
    digest = hashlib.sha256((repo / "pyproject.toml").read_bytes()).hexdigest()
    (venv / ".newsbot-installed").write_text(f"{digest} {extras}\n")  # what setup-venv.sh writes


def _script(
    repo: Path,
    name: str,
    *args: str,
    stdin: str = "",
    check: bool = False,
    newsbot_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run scripts/NAME as a user would, from another folder, with no NEWSBOT_* variables but ``newsbot_env``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "PYTHON", "VIRTUAL_ENV"))}
    env |= newsbot_env or {}
    env["PIP_NO_INDEX"] = "1"  # should a script reach for pip, it fails here rather than download
    return subprocess.run(
        [repo / "scripts" / name, *args], cwd=repo.parent, input=stdin, capture_output=True, text=True, env=env,
        timeout=300, check=check,
    )  # fmt: skip


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_run_sh_reads_the_token_as_newsbot_does(clone: Path, closed_port: int) -> None:
    # A BOM and `export` (both accepted by newsbot's settings) used to hide the token: the console opened.
    (clone / ".env").write_bytes(
        b'\xef\xbb\xbfexport NEWSBOT_BOT_TOKEN="123:abc"\n'
        + f"NEWSBOT_TELEGRAM_API_URL=http://127.0.0.1:{closed_port}/bot\n".encode()
    )
    try:
        result = _script(clone, "run.sh", stdin="quit\n")
    finally:
        (clone / ".env").unlink()
    assert "console" not in result.stderr + result.stdout
    assert (
        result.returncode == 1
        and f"cannot reach the Bot API at http://127.0.0.1:{closed_port}" in result.stderr
    )


def test_run_sh_with_a_token_line_newsbot_cannot_read_names_that_line(clone: Path) -> None:
    # python-dotenv skips a line without "=": run.sh said "No NEWSBOT_BOT_TOKEN configured" and opened the console.
    (clone / ".env").write_text("NEWSBOT_BOT_TOKEN 123:abc\n")
    try:
        result = _script(clone, "run.sh", stdin="quit\n")
    finally:
        (clone / ".env").unlink()
    assert "console" not in result.stderr + result.stdout
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "newsbot: .env line 1 is not NAME=value (a comment starts with '#', a quoted value needs its closing"
        " quote): fix or remove that line"
    ]


def test_run_sh_after_test_sh_installs_nothing_again(clone: Path) -> None:
    # test.sh installs newsbot with its dev extras, which hold everything run.sh needs: alternating between
    # the README's two commands reinstalled newsbot every time (half a minute each).
    stamp = clone / ".venv" / ".newsbot-installed"
    plain = stamp.read_text()
    stamp.write_text(plain.replace(" \n", " dev\n"))
    try:
        result = _script(clone, "setup-venv.sh")
    finally:
        stamp.write_text(plain)
    assert result.returncode == 0 and "Installing" not in result.stderr, result.stderr


def test_both_scripts_use_the_venv_named_by_newsbot_venv(tmp_path: Path) -> None:
    # The README: "NEWSBOT_VENV=path puts the virtual environment elsewhere". setup-venv.sh installed there, but
    # run.sh and test.sh then ran .venv/bin/newsbot and .venv/bin/python: "No such file or directory", exit 127.
    repo = tmp_path / "my newsbot"
    _copy_project(repo)
    venv = tmp_path / "my venvs" / "newsbot env"
    _install(venv, repo, extras="dev")
    where = {"NEWSBOT_VENV": str(venv)}
    console = _script(repo, "run.sh", stdin="quit\n", newsbot_env=where)
    assert console.returncode == 0 and "bye" in console.stdout, console.stderr
    tests = _script(repo, "test.sh", "--version", newsbot_env=where)
    assert tests.returncode == 0 and "pytest" in tests.stdout + tests.stderr, tests.stderr
    assert not (repo / ".venv").exists()


def test_newsbot_venv_naming_a_folder_that_is_no_venv_leaves_its_files_alone(
    clone: Path, tmp_path: Path
) -> None:
    # A folder whose python does not run was taken for a broken venv and rebuilt with `venv --clear`, which
    # deletes everything in it: NEWSBOT_VENV=~/venvs (a folder of venvs, say) wiped that folder.
    folder = tmp_path / "my venvs"
    (folder / "other project").mkdir(parents=True)
    (folder / "other project" / "notes.txt").write_text("keep me\n")
    result = _script(clone, "setup-venv.sh", newsbot_env={"NEWSBOT_VENV": str(folder)})
    assert (folder / "other project" / "notes.txt").read_text() == "keep me\n"
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"{folder} is not a virtual environment and not empty: set NEWSBOT_VENV to a new or empty folder "
        "(or to a virtual environment)"
    ]


def test_a_venv_left_without_pip_is_made_again(tmp_path: Path) -> None:
    # Debian's python3 without python3-venv stops `python3 -m venv` half-way: a venv whose python runs, but
    # without pip. After the README's fix (install python3-venv), every run still failed with
    # "No module named pip" until the user found and deleted the venv.
    repo = tmp_path / "my newsbot"
    _copy_project(repo)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", repo / ".venv"], check=True, timeout=120)
    result = _script(repo, "setup-venv.sh")
    assert "No module named pip" not in result.stderr
    assert ".venv has no pip: adding it." in result.stderr
    pip = subprocess.run([repo / ".venv" / "bin" / "python", "-m", "pip", "--version"], capture_output=True)
    assert pip.returncode == 0


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
