"""The bulk sender's lean sendMessage over aiohttp, raising the exceptions PTB would (``LeanSender``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import aiohttp
from telegram import InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest

from bot.logs import hide_token

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
NO_PREVIEW_JSON: dict[str, Any] = NO_PREVIEW.to_dict()


def _api_url(base_url: str, token: str) -> str:
    # As PTB's Bot builds it: "{token}" in the base URL is replaced, otherwise the token is appended.
    return base_url.replace("{token}", token) if "{token}" in base_url else base_url + token


def api_error(status: int, payload: bytes) -> TelegramError:
    """The PTB exception for a non-2xx Bot API answer, mapped exactly as PTB's ``BaseRequest`` maps it."""
    try:
        message = f"{HTTPStatus(status).phrase} ({status})"
    except ValueError:
        message = f"Unknown HTTPError ({status})"
    parsing_failed = False
    try:
        data = json.loads(payload.decode("utf-8", "replace"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except ValueError:
        # PTB puts the whole payload here; a proxy's HTML error page is cut so log lines stay readable.
        message += f". Parsing the server response {payload[:200]!r} failed"
        parsing_failed = True
        data = {}
    if not parsing_failed:
        message = data.get("description") or message
        parameters = data.get("parameters")
        if parameters:
            migrate_to_chat_id = parameters.get("migrate_to_chat_id")
            if migrate_to_chat_id:
                return ChatMigrated(migrate_to_chat_id)
            retry_after = parameters.get("retry_after")
            if retry_after:
                return RetryAfter(retry_after)
            message += f". The server response contained unknown parameters: {parameters}"
    if status == HTTPStatus.FORBIDDEN:
        return Forbidden(message)
    if status in (HTTPStatus.NOT_FOUND, HTTPStatus.UNAUTHORIZED):
        return InvalidToken(message)
    if status == HTTPStatus.BAD_REQUEST:
        return BadRequest(message)
    if status == HTTPStatus.CONFLICT:
        return Conflict(message)
    return NetworkError(message)


class LeanSender:
    """sendMessage as one JSON POST on aiohttp, for the bulk sender; raises the exceptions PTB would.

    Profiled at 1,000 messages/s, PTB's path (parameter conversion, form encoding, a ``Message`` built from
    every answer and never used) took a third of the event loop that /summary replies share. This posts the
    JSON body directly and reads only ``ok``, ``error_code``, ``description`` and ``parameters``.
    """

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        connection_limit: int = 64,
        timeout_seconds: float = 15.0,
    ) -> None:
        self._token = token
        self._url = _api_url(base_url, token) + "/sendMessage"
        self._limit = connection_limit
        self._timeout = timeout_seconds
        self._session: aiohttp.ClientSession | None = None
        self._headers = {"Content-Type": "application/json", "User-Agent": BaseRequest.USER_AGENT}

    async def initialize(self) -> None:
        """Open the HTTP session."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit),
                timeout=aiohttp.ClientTimeout(total=self._timeout),
            )

    async def shutdown(self) -> None:
        """Close the HTTP session."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def send_message(
        self,
        *,
        chat_id: int,
        text: str,
        parse_mode: str | None = None,
        reply_markup: InlineKeyboardMarkup | Mapping[str, Any] | None = None,
        link_preview_options: LinkPreviewOptions | None = None,
        message_thread_id: int | None = None,
        reply_parameters: ReplyParameters | None = None,
    ) -> None:
        """Send one text message; raises PTB's ``TelegramError`` subclasses like ``Bot.send_message``."""
        body: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if message_thread_id is not None:
            body["message_thread_id"] = message_thread_id
        if reply_parameters is not None:
            body["reply_parameters"] = reply_parameters.to_dict()
        if parse_mode is not None:
            body["parse_mode"] = str(parse_mode)
        if link_preview_options is not None:
            body["link_preview_options"] = (
                NO_PREVIEW_JSON if link_preview_options is NO_PREVIEW else link_preview_options.to_dict()
            )
        if reply_markup is not None:
            body["reply_markup"] = (
                reply_markup.to_dict() if isinstance(reply_markup, InlineKeyboardMarkup) else reply_markup
            )
        await self._post(json.dumps(body, ensure_ascii=False).encode("utf-8"))

    async def _post(self, data: bytes) -> None:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("LeanSender is not initialized")
        try:
            async with session.post(self._url, data=data, headers=self._headers) as response:
                status = response.status
                payload = await response.read()
        except TimeoutError:
            raise TimedOut() from None
        except aiohttp.ClientError as exc:
            # Chaining is dropped and the text redacted: aiohttp errors may carry the URL, which holds the token.
            raise NetworkError(self._redact(f"aiohttp.{type(exc).__name__}: {exc}")) from None
        except Exception as exc:
            raise NetworkError(self._redact(f"Unknown error in HTTP implementation: {exc!r}")) from None
        if 200 <= status <= 299:
            try:
                answer = json.loads(payload.decode("utf-8", "replace"))
            except ValueError:
                raise TelegramError("Invalid server response") from None
            if isinstance(answer, dict) and answer.get("ok") is False:
                # Not seen from Telegram, but a refused message must never be counted as sent.
                code = answer.get("error_code")
                raise api_error(code if isinstance(code, int) else HTTPStatus.BAD_REQUEST, payload)
            return
        # An error page of a proxy in between may echo the request URL: the message is stored in the database.
        raise api_error(status, hide_token(payload, self._token))

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "<token>") if self._token else text
