"""A proxy (or a broken Bot API server) in front of Telegram answering 403/400 itself: nothing is deactivated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.delivery import service as delivery_module
from bot.emulator import BotApiEmulator
from tests.delivery.support import Rig, add_chat, rig, store_article, wait_until

CHATS = (1, 2, 3)

# What a reverse proxy or a misconfigured local Bot API server may answer: not Telegram's JSON error.
PROXY_ANSWERS = [
    pytest.param(403, "<html><body><h1>403 Forbidden</h1>nginx</body></html>", "text/html", id="403-html"),
    pytest.param(403, '{"error": "access denied"}', "application/json", id="403-foreign-json"),
    pytest.param(403, "", "text/plain", id="403-empty"),
    pytest.param(
        400, "<html><body>400 Bad Request: chat not found</body></html>", "text/html", id="400-html"
    ),
    pytest.param(400, '{"ok": false}', "application/json", id="400-no-description"),
]


@asynccontextmanager
async def _chats_behind_a_proxy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> AsyncIterator[tuple[BotApiEmulator, Rig]]:
    """The CHATS following sport in ``mode``, with quick outage parking and no 429 penalties to wait out."""
    monkeypatch.setattr(delivery_module, "MAX_NETWORK_ATTEMPTS", 2)
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator) as r:
        monkeypatch.setattr(r.delivery._pacer, "penalize", lambda chat_id, seconds: None)
        for chat_id in CHATS:
            await add_chat(r, chat_id, topics=("sport",), mode=mode)
        yield emulator, r


async def _all_active(r: Rig) -> bool:
    chats = [await r.db.chats.get(chat_id) for chat_id in CHATS]
    return all(chat is not None and chat.active for chat in chats)


@pytest.mark.parametrize(("status", "body", "content_type"), PROXY_ANSWERS)
async def test_alerts_survive_a_proxy_answering_403_or_400_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: int, body: str, content_type: str
) -> None:
    # Every chat the sender tried while the proxy misbehaved was deactivated as "blocked the bot" and its
    # queue dropped: one bad minute of a proxy could unsubscribe every reader.
    async with _chats_behind_a_proxy(tmp_path, monkeypatch, "instant") as (emulator, r):
        emulator.answer_as_proxy(status, body, content_type)
        await r.delivery.start()
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        await wait_until(lambda: emulator.requests["proxy"] >= 2 * len(CHATS))
        await wait_until(lambda: r.delivery._state.in_window == 0 and not r.delivery._tasks)
        assert await _all_active(r)
        assert await r.db.deliveries.counts_by_status() == {"pending": 3}  # waiting, like in an outage

        emulator.answer_as_proxy(None)
        r.clock.advance(delivery_module.OUTAGE_RETRY_SECONDS + 1)
        r.delivery.wake()
        await wait_until(lambda: all(emulator.messages(chat_id) for chat_id in CHATS))
        await emulator.wait_for_idle(quiet=0.3)
        assert [len(emulator.messages(chat_id)) for chat_id in CHATS] == [1, 1, 1]
        assert await r.db.deliveries.counts_by_status() == {"sent": 3}


@pytest.mark.parametrize(("status", "body", "content_type"), PROXY_ANSWERS)
async def test_a_digest_survives_a_proxy_answering_403_or_400_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: int, body: str, content_type: str
) -> None:
    async with _chats_behind_a_proxy(tmp_path, monkeypatch, "digest") as (emulator, r):
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        emulator.answer_as_proxy(status, body, content_type)
        assert await r.delivery.send_digest(1, r.clock.now(), on_demand=True) == 0
        assert await _all_active(r)
        assert await r.db.deliveries.counts_by_status() == {"pending": 3}
        emulator.answer_as_proxy(None)
        assert await r.delivery.send_digest(1, r.clock.now(), on_demand=True) == 1
        assert len(emulator.messages(1)) == 1


async def test_telegrams_own_403_still_deactivates_the_chat(tmp_path: Path) -> None:
    async with BotApiEmulator() as emulator, rig(tmp_path, emulator) as r:
        for chat_id in CHATS:
            await add_chat(r, chat_id, topics=("sport",))
        await emulator.block_chat(2, announce=False)
        await r.delivery.start()
        await r.delivery.plan_alerts([await store_article(r, "Result", topics=("sport",))], r.clock.now())
        await wait_until(lambda: emulator.sent_count() == 2 and r.delivery._state.in_window == 0)
        await r.delivery.aclose()
        chat = await r.db.chats.get(2)
        assert chat is not None and not chat.active
        assert await r.db.deliveries.counts_by_status() == {"sent": 2, "dropped": 1}
