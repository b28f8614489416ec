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
    repo.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, repo / name)
    for name in ("bot", "summaries", "scripts"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    venv = repo / ".venv"
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
    (venv / ".newsbot-installed").write_text(f"{digest} \n")  # what setup-venv.sh writes for no extras
    result = _script(repo, "setup-venv.sh")
    assert result.returncode == 0 and "Installing" not in result.stderr, result.stderr
    return repo


def _script(
    repo: Path, name: str, *, stdin: str = "", check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run scripts/NAME as a user would, from another folder, with no NEWSBOT_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "PYTHON", "VIRTUAL_ENV"))}
    env["PIP_NO_INDEX"] = "1"  # should a script reach for pip, it fails here rather than download
    return subprocess.run(
        [repo / "scripts" / name], cwd=repo.parent, input=stdin, capture_output=True, text=True, env=env,
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
