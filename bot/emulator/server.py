"""A loopback Telegram Bot API emulator (aiohttp) for tests, benchmarks and ``newsbot console``.

It speaks the Bot API over HTTP well enough for python-telegram-bot v22: requests arrive at
``/bot<TOKEN>/<method>`` as JSON, urlencoded or multipart forms (PTB sends urlencoded forms whose
non-string values are JSON-encoded), and answers are ``{"ok": true, "result": ...}`` or Telegram's
error bodies.

Recording: every successful sendMessage/editMessageText/editMessageReplyMarkup becomes one
``SentMessage`` record (edits are separate records with ``edited=True`` and the same ``message_id``)
in ``messages(chat_id)``, in order; ``current(chat_id, message_id)`` is the message as it looks now.
Forum supergroups (``create_topic``): user messages carry their topic's ``message_thread_id``, and a bot
message goes to the topic it names or to the topic of the message it replies to, else to "General", as on
Telegram; ``SentMessage.message_thread_id`` says where it went. Other supergroups have reply threads: a reply,
the user's or the bot's, joins the thread of the message it answers (a comment under a channel post is a reply
to the post's automatic forward in the discussion group, see ``link_discussion_group``); naming such a thread's
message_thread_id is a 400, as on Telegram.

With ``record_messages=False`` only counts are kept (``sent_count()``, ``requests``, ``violations``):
no bodies, no per-message state.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from bot.emulator.html_check import MAX_ENTITIES, EntityParseError, parse_html, utf16_len
from bot.emulator.limits import RateLimiter, RateLimits

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "CallbackAnswer",
    "SentMessage",
    "Violation",
]

_log = logging.getLogger(__name__)

Button = tuple[str, str]
JSON = dict[str, Any]

_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_BOT_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_URL_RE = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_OTHER_BUTTON_KINDS = (
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "web_app",
    "login_url",
    "copy_text",
    "pay",
    "callback_game",
)
# Telegram's cap on the buttons of one inline keyboard (REPLY_MARKUP_TOO_LONG beyond it).
_MAX_INLINE_BUTTONS = 100
# What answer_as_proxy answers with when no body is given: an nginx error page.
_PROXY_PAGE = "<html><head><title>403 Forbidden</title></head><body>nginx</body></html>"
# The actions sendChatAction knows; any other is refused.
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
# Update types Telegram sends when allowed_updates was never given (or given as an empty list).
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# Parameter decoding: form values are strings; these names are JSON-encoded objects, integers or booleans.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "link_preview_options",
        "reply_parameters",
        "entities",
        "commands",
        "scope",
        "allowed_updates",
    }
)
_INT_PARAMS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "reply_to_message_id",
        "cache_time",
        "message_thread_id",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_web_page_preview",
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "allow_paid_broadcast",
    }
)

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


class ApiError(Exception):
    """An error answer: HTTP status = error_code, body as Telegram sends it."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        """The JSON body Telegram would answer with."""
        out: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            out["parameters"] = self.parameters
        return out


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class SentMessage:
    """One message the bot sent (or one edit of it), as a test or a terminal sees it."""

    chat_id: int
    message_id: int
    text: str  # visible text: tags stripped, entities decoded
    html: str  # the text parameter exactly as sent
    reply_markup: list[list[Button]]  # inline keyboard rows of (text, callback_data or url)
    date: int
    edited: bool = False
    reply_to_message_id: int | None = None
    parse_mode: str | None = None
    entities: list[JSON] = field(default_factory=list)
    # The forum topic, or outside forums the reply thread (comments under a channel post), it went to; None:
    # a forum's "General", or a group's main chat.
    message_thread_id: int | None = None

    @property
    def buttons(self) -> list[Button]:
        """All inline buttons, row by row."""
        return [b for row in self.reply_markup for b in row]

    def button_data(self, label: str) -> str:
        """callback_data (or url) of the first button whose text contains ``label``; KeyError when none."""
        for text, data in self.buttons:
            if label in text:
                return data
        raise KeyError(f"no button labelled {label!r} in {self.buttons!r}")


@dataclass(frozen=True)
class CallbackAnswer:
    """An answerCallbackQuery call."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass(frozen=True)
class Violation:
    """A request refused with 429 because the bot exceeded a flood limit."""

    method: str
    chat_id: int
    scope: str  # "chat", "group" or "overall"
    retry_after: int
    at: float  # time.monotonic()


@dataclass(slots=True)
class _Chat:
    chat_id: int
    type: str
    title: str | None
    username: str | None
    first_name: str | None
    blocked: bool = False
    migrated_to: int | None = None
    is_forum: bool = False
    topics: set[int] = field(default_factory=set)  # message_thread_id of each forum topic
    closed_topics: set[int] = field(default_factory=set)  # topics only their managers may post in
    next_message_id: int = 1
    members: dict[int, str] = field(default_factory=dict)
    bot_can_post: bool = True  # channels: an administrator bot may still lack "Post messages"
    linked_chat_id: int | None = None  # a channel's discussion group, or the group's channel
    # Only with record_messages: current state of each message by id, and the log of bot outputs.
    stored: dict[int, JSON] = field(default_factory=dict)
    log: list[SentMessage] = field(default_factory=list)
    latest: dict[int, SentMessage] = field(default_factory=dict)
    cursor: int = 0
    arrived: asyncio.Event | None = None

    def as_json(self) -> JSON:
        out: JSON = {"id": self.chat_id, "type": self.type}
        if self.title is not None:
            out["title"] = self.title
        if self.username is not None:
            out["username"] = self.username
        if self.first_name is not None:
            out["first_name"] = self.first_name
        if self.is_forum:
            out["is_forum"] = True
        return out

    def full_json(self) -> JSON:
        """The chat as getChat describes it (with its linked channel or discussion group)."""
        out = self.as_json()
        if self.linked_chat_id is not None:
            out["linked_chat_id"] = self.linked_chat_id
        return out


@dataclass(slots=True)
class _PendingQuery:
    chat_id: int
    answered: asyncio.Future[CallbackAnswer]


def _parse_keyboard(markup: Any) -> tuple[list[list[Button]], JSON | None]:
    """Validate reply_markup like Telegram; return inline rows (possibly empty) and the JSON to echo back."""
    if markup is None:
        return [], None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        # Reply keyboards, keyboard removal and force_reply are accepted but not modelled.
        return [], None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if sum(len(r) for r in rows) > _MAX_INLINE_BUTTONS:
        # Undocumented but long-standing: Telegram refuses the whole message, not just the extra buttons.
        raise _bad("reply markup is too long")
    parsed: list[list[Button]] = []
    for row in rows:
        out_row: list[Button] = []
        for button in row:
            if not isinstance(button, dict):
                raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            text = button.get("text")
            if not isinstance(text, str):
                raise _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
            if not text.strip():
                raise _bad("BUTTON_TEXT_EMPTY")
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise _bad("BUTTON_DATA_INVALID")
                out_row.append((text, data))
            elif "url" in button:
                url = button["url"]
                if not isinstance(url, str) or not re.match(r"(https?|tg)://\S+$", url, re.IGNORECASE):
                    raise _bad("BUTTON_URL_INVALID")
                out_row.append((text, url))
            elif any(k in button for k in _OTHER_BUTTON_KINDS):
                out_row.append((text, ""))
            else:
                raise _bad(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
        if out_row:
            parsed.append(out_row)
    if not parsed:
        # Telegram keeps no keyboard without buttons: the message has none, so an edit to "no buttons" of a
        # message that has none is "not modified", and one of a message that has some removes them.
        return [], None
    return parsed, {"inline_keyboard": [row for row in rows if row]}


def _user_entities(text: str) -> list[JSON]:
    """bot_command and url entities, which Telegram adds to users' messages by itself."""
    entities: list[JSON] = []
    for regex, kind in ((_BOT_COMMAND_RE, "bot_command"), (_URL_RE, "url")):
        for m in regex.finditer(text):
            value = m.group(0)
            if kind == "url":
                value = value.rstrip(".,;:!?)'")
            entities.append(
                {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(value)}
            )
    entities.sort(key=lambda e: e["offset"])
    return entities


def _strip_text(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Trim surrounding whitespace as Telegram does, shifting and clipping entities to match."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    out: list[JSON] = []
    for e in entities:
        start = max(0, e["offset"] - lead)
        end = min(limit, e["offset"] + e["length"] - lead)
        if end > start:
            out.append({**e, "offset": start, "length": end - start})
    return stripped, out


class BotApiEmulator:
    """In-process Bot API server: ``async with BotApiEmulator() as emu:``, PTB pointed at emu.base_url."""

    def __init__(
        self,
        *,
        rate_limits: RateLimits | None = None,
        record_messages: bool = True,
        bot_username: str = "newsbot_emulator_bot",
        bot_first_name: str = "NewsBot",
        strict_ampersand: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate_limits = rate_limits if rate_limits is not None else RateLimits()
        self.record_messages = record_messages
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.strict_ampersand = strict_ampersand
        self._clock = clock
        self._limiter = RateLimiter(self.rate_limits, clock)
        self._chats: dict[int, _Chat] = {}
        self._usernames: dict[str, int] = {}
        self._updates: deque[tuple[int, JSON, bool]] = deque()  # (update_id, update, raw)
        self._next_update_id = 1
        self._delivered_up_to = 0  # highest update_id handed to the bot
        self._poller: asyncio.Future[bool] | None = None
        self._allowed_updates: frozenset[str] | None = None
        self._queries: dict[str, _PendingQuery] = {}
        self._query_ids = itertools.count(1)
        self._bot_id = 0
        self._commands: dict[tuple[str, int | None, str], list[tuple[str, str]]] = {}
        # (kind, language code or "") -> text, kind "description" or "short_description"; absent: empty.
        self._descriptions: dict[tuple[str, str], str] = {}
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._in_flight = 0
        self._last_activity = clock()
        self._listeners: list[Callable[[SentMessage], object]] = []
        # Tests: chats whose sendMessage answers wait for their event (see hold_answers).
        self._answer_gates: dict[int, asyncio.Event] = {}
        self._answer_listeners: list[Callable[[CallbackAnswer], object]] = []
        self._sent = 0
        self._edits = 0
        self.requests: Counter[str] = Counter()
        self.violations: list[Violation] = []
        self.callback_answers: list[CallbackAnswer] = []
        # (chat id, action, forum topic or None) of every chat action shown, e.g. "typing".
        self.chat_actions: list[tuple[int, str, int | None]] = []
        # (discussion group id, message id, text) of each channel post Telegram copied into a discussion group.
        self.automatic_forwards: list[tuple[int, int, str]] = []
        # A broken reverse proxy in front of the Bot API: while set, every call is answered with this
        # (status, body, content type) instead of the Bot API's own JSON; see answer_as_proxy.
        self._proxy_answer: tuple[int, str, str] | None = None
        self._proxy_methods: frozenset[str] = frozenset()  # lower-case method names; empty: every method
        self._handlers: dict[str, Callable[[Mapping[str, Any]], Awaitable[Any]]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getmydescription": self._get_my_description,
            "setmydescription": self._set_my_description,
            "getmyshortdescription": self._get_my_short_description,
            "setmyshortdescription": self._set_my_short_description,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "deletemessage": self._delete_message,
            "sendchataction": self._send_chat_action,
            "getchat": self._get_chat,
            "getchatmember": self._get_chat_member,
            "getchatadministrators": self._get_chat_administrators,
            "getchatmembercount": self._get_chat_member_count,
            "close": self._harmless,
            "logout": self._harmless,
        }

    # ------------------------------------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on host:port (0 picks a free port)."""
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._host = host

    async def stop(self) -> None:
        """Stop serving; a waiting long poll is answered first."""
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """Base URL for PTB (``Bot(token, base_url=...)``); the token is appended by PTB."""
        if not self._port:
            raise RuntimeError("BotApiEmulator is not started")
        return f"http://{self._host}:{self._port}/bot"

    @property
    def port(self) -> int:
        """The TCP port the emulator listens on."""
        return self._port

    # ------------------------------------------------------------------------------------------- transport

    async def _not_found(self, request: web.Request) -> web.Response:
        return self._respond(ApiError(404, "Not Found").body(), 404)

    @staticmethod
    def _respond(body: JSON, status: int = 200) -> web.Response:
        return web.Response(
            body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            status=status,
            content_type="application/json",
        )

    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        if not _TOKEN_RE.fullmatch(token):
            return self._respond(ApiError(401, "Unauthorized").body(), 401)
        self._bot_id = int(token.split(":", 1)[0])
        if self._proxy_answer is not None and (
            not self._proxy_methods or method.lower() in self._proxy_methods
        ):
            self.requests["proxy"] += 1
            status, body, content_type = self._proxy_answer
            return web.Response(status=status, text=body, content_type=content_type)
        self.requests[method] += 1
        handler = self._handlers.get(method.lower())
        if handler is None:
            return self._respond(ApiError(404, "Not Found").body(), 404)
        polling = handler == self._get_updates
        if not polling:
            self._in_flight += 1
        try:
            params = await self._read_params(request)
            result = await handler(params)
        except ApiError as err:
            return self._respond(err.body(), err.code)
        except ConnectionResetError:
            # The client hung up mid-request (the console's Ctrl-C cutting off a send): no one reads an answer,
            # and aiohttp would print the traceback as an error over the console.
            return web.Response(status=499)
        finally:
            if not polling:
                self._in_flight -= 1
                self._last_activity = self._clock()
        return self._respond({"ok": True, "result": result})

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        """Merge query string and body (JSON, urlencoded or multipart) into typed parameters."""
        raw: dict[str, Any] = dict(request.query)
        if request.body_exists:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = await request.json()
                except ValueError as exc:
                    raise _bad("can't parse JSON request body") from exc
                if not isinstance(body, dict):
                    raise _bad("request body must be a JSON object")
                raw.update(body)
            elif ctype == "application/x-www-form-urlencoded":
                # parse_qsl is several times cheaper than aiohttp's request.post() on this hot path.
                body_bytes = await request.read()
                raw.update(parse_qsl(body_bytes.decode("utf-8", errors="replace"), keep_blank_values=True))
            elif ctype == "multipart/form-data":
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, str):
                        raw[key] = value
        params: dict[str, Any] = {}
        for key, value in raw.items():
            params[key] = _coerce(key, value)
        return params

    # ------------------------------------------------------------------------------------------- helpers

    def _bot_user(self) -> JSON:
        return {
            "id": self._bot_id or 1,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @staticmethod
    def _user(user_id: int) -> JSON:
        return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}", "language_code": "en"}

    def _resolve_chat(self, params: Mapping[str, Any], *, for_sending: bool = True) -> _Chat:
        """Find the chat named by chat_id with Telegram's errors for unknown, migrated and blocked chats."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        chat_id: int | None
        if isinstance(raw, int):
            chat_id = raw
        elif isinstance(raw, str) and raw.startswith("@"):
            chat_id = self._usernames.get(raw[1:].lower())
        else:
            try:
                chat_id = int(str(raw))
            except ValueError:
                chat_id = None
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise _bad("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if for_sending and chat.blocked:
            if chat.type == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            kind = chat.type if chat.type in ("group", "supergroup") else "channel"
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        bot_status = chat.members.get(self._bot_user()["id"])
        if for_sending and bot_status == "restricted":
            raise _bad("not enough rights to send text messages to the chat")
        if (
            for_sending
            and chat.type == "channel"
            and (bot_status not in ("administrator", "creator") or not chat.bot_can_post)
        ):
            # Only administrators with "Post messages" post in a channel; Telegram answers everyone else so.
            raise _bad("need administrator rights in the channel chat")
        return chat

    def _check_rate(self, method: str, chat: _Chat) -> None:
        limited = self._limiter.acquire(chat.chat_id)
        if limited is not None:
            self.violations.append(
                Violation(method, chat.chat_id, limited.scope, limited.retry_after, self._clock())
            )
            raise ApiError(
                429,
                f"Too Many Requests: retry after {limited.retry_after}",
                {"retry_after": limited.retry_after},
            )

    def _render_text(self, params: Mapping[str, Any]) -> tuple[str, str, list[JSON], str | None]:
        """Validate text + parse_mode; return (raw, visible, entities, parse_mode)."""
        raw = params.get("text")
        if raw is None or raw == "":
            raise _bad("message text is empty")
        raw = str(raw)
        parse_mode = params.get("parse_mode") or None
        entities: list[JSON] = []
        if parse_mode is not None and str(parse_mode).lower() == "html":
            try:
                parsed = parse_html(raw, strict_ampersand=self.strict_ampersand)
            except EntityParseError as err:
                raise _bad(f"can't parse entities: {err}") from err
            visible, entities = parsed.text, parsed.entities
        elif parse_mode is not None and str(parse_mode).lower() not in ("markdown", "markdownv2"):
            raise _bad(f"unsupported parse_mode: {parse_mode}")
        else:
            # Markdown modes are passed through unchecked (newsbot uses HTML).
            visible = raw
            given = params.get("entities")
            if isinstance(given, list):
                entities = given
        visible, entities = _strip_text(visible, entities)
        # Telegram keeps the first 100 and sends the message anyway: formatting past them is silently lost.
        entities = entities[:MAX_ENTITIES]
        if not visible:
            raise _bad("message text is empty")
        if len(visible) > 4096:
            raise _bad("message is too long")
        return raw, visible, entities, parse_mode

    def _new_message_id(self, chat: _Chat) -> int:
        mid = chat.next_message_id
        chat.next_message_id += 1
        return mid

    def _publish(self, chat: _Chat, record: SentMessage) -> None:
        if self.record_messages:
            chat.log.append(record)
            chat.latest[record.message_id] = record
            if chat.arrived is not None:
                chat.arrived.set()
                chat.arrived = None
        for listener in self._listeners:
            try:
                listener(record)
            except Exception:
                # A broken observer (e.g. a terminal UI) must not turn into a failed send for the bot.
                _log.exception("emulator message listener failed")

    def _needs_record(self) -> bool:
        return self.record_messages or bool(self._listeners)

    def _message_exists(self, chat: _Chat, message_id: int) -> bool:
        if self.record_messages:
            return message_id in chat.stored
        return 0 < message_id < chat.next_message_id

    # ------------------------------------------------------------------------------------------- methods

    async def _harmless(self, params: Mapping[str, Any]) -> bool:
        return True

    async def _get_me(self, params: Mapping[str, Any]) -> JSON:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _delete_webhook(self, params: Mapping[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: Mapping[str, Any]) -> JSON:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    async def _get_updates(self, params: Mapping[str, Any]) -> list[JSON]:
        offset = params.get("offset")
        limit = params.get("limit") or 100
        try:
            timeout = float(params.get("timeout") or 0)
        except (TypeError, ValueError):
            raise _bad("invalid timeout") from None
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            limit = 100
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) if allowed else None
        # A newer getUpdates terminates the one still waiting, as on Telegram.
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(False)
        batch = self._take_updates(offset, limit)
        if batch or timeout <= 0:
            return batch
        fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._poller = fut
        try:
            await asyncio.wait({fut}, timeout=timeout)
        finally:
            if self._poller is fut:
                self._poller = None
        if fut.done() and fut.result() is False:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        return self._take_updates(offset, limit)

    def _take_updates(self, offset: Any, limit: int) -> list[JSON]:
        queue = self._updates
        if isinstance(offset, int):
            if offset < 0:
                while len(queue) > -offset:
                    queue.popleft()
            else:
                while queue and queue[0][0] < offset:
                    queue.popleft()
        out: list[JSON] = []
        dropped: set[int] = set()
        last = 0
        for uid, update, forced in queue:
            if len(out) >= limit:
                break
            last = uid
            if forced or self._wanted(update):
                out.append(update)
            else:
                dropped.add(uid)
        if dropped:
            # Kinds the bot did not ask for are discarded, as Telegram never stores them.
            self._updates = deque(entry for entry in queue if entry[0] not in dropped)
        self._delivered_up_to = max(self._delivered_up_to, last)
        if out:
            # Handing updates over is activity: the bot has not answered yet, so wait_for_idle must not call it
            # idle before its handlers have had ``quiet`` seconds to start.
            self._last_activity = self._clock()
        return out

    def _wanted(self, update: JSON) -> bool:
        allowed = self._allowed_updates
        for kind in update:
            if kind == "update_id":
                continue
            if kind in allowed if allowed is not None else kind not in _DEFAULT_EXCLUDED_UPDATES:
                return True
        return False

    async def _send_message(self, params: Mapping[str, Any]) -> JSON:
        chat = self._resolve_chat(params)
        raw, visible, entities, parse_mode = self._render_text(params)
        rows, markup = _parse_keyboard(params.get("reply_markup"))
        reply_to = params.get("reply_to_message_id")
        reply_params = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply_params, dict):
            reply_to = reply_params.get("message_id", reply_to)
            allow_missing = bool(reply_params.get("allow_sending_without_reply", allow_missing))
        if reply_to is not None:
            try:
                reply_to = int(reply_to)
            except (TypeError, ValueError):
                raise _bad("invalid reply_to_message_id") from None
            if not self._message_exists(chat, reply_to):
                if not allow_missing:
                    raise _bad("message to be replied not found")
                reply_to = None
        thread_id = self._thread_for(chat, params.get("message_thread_id"), reply_to)
        lpo = params.get("link_preview_options")
        if lpo is not None and not isinstance(lpo, dict):
            raise _bad("can't parse link preview options")
        self._check_rate("sendMessage", chat)
        message_id = self._new_message_id(chat)
        now = int(time.time())
        self._sent += 1
        message: JSON = {
            "message_id": message_id,
            "from": self._bot_user(),
            "chat": chat.as_json(),
            "date": now,
            "text": visible,
        }
        if chat.type == "channel":  # channel posts are signed by the channel, not by their author
            del message["from"]
            message["sender_chat"] = chat.as_json()
        if entities:
            message["entities"] = entities
        if markup is not None:
            message["reply_markup"] = markup
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            if chat.is_forum:
                message["is_topic_message"] = True
        if reply_to is not None:
            replied = chat.stored.get(reply_to)
            message["reply_to_message"] = (
                replied
                if replied is not None
                else {"message_id": reply_to, "date": now, "chat": chat.as_json()}
            )
        if self.record_messages:
            # Drop the nested reply to keep stored state flat and memory bounded.
            chat.stored[message_id] = {k: v for k, v in message.items() if k != "reply_to_message"}
        if chat.type == "channel":
            self._forward_to_discussion(chat, message)
        if self._needs_record():
            self._publish(
                chat,
                SentMessage(
                    chat_id=chat.chat_id,
                    message_id=message_id,
                    text=visible,
                    html=raw,
                    reply_markup=rows,
                    date=now,
                    reply_to_message_id=reply_to,
                    parse_mode=parse_mode,
                    entities=entities,
                    message_thread_id=thread_id,
                ),
            )
        gate = self._answer_gates.get(chat.chat_id)
        if gate is not None:
            await gate.wait()  # the message is in the chat; the bot just does not know yet
        return message

    def _thread_for(self, chat: _Chat, requested: Any, reply_to: int | None) -> int | None:
        """The forum topic a bot message goes to: the one named, else the replied-to message's, else General.

        Telegram puts a reply into the topic of the message it answers; without either, a forum's message
        lands in "General" (no message_thread_id), whatever topic the conversation was in. Outside forums see
        ``_reply_thread``.
        """
        if not chat.is_forum:
            return self._reply_thread(chat, requested, reply_to)
        if requested is not None:
            if requested not in chat.topics:
                raise _bad("message thread not found")
            thread: int | None = int(requested)
        elif reply_to is not None:
            replied = (chat.stored.get(reply_to) or {}).get("message_thread_id")
            thread = replied if isinstance(replied, int) and replied in chat.topics else None
        else:
            return None
        if thread in chat.closed_topics:
            # The bot is no topic manager here, so a closed topic refuses it as it refuses members.
            raise _bad("TOPIC_CLOSED")
        return thread

    def _reply_thread(self, chat: _Chat, requested: Any, reply_to: int | None) -> int | None:
        """The reply thread a bot message joins in a supergroup that is no forum (None: the main chat).

        Every reply there belongs to the thread of the message it answers, rooted at the first message of the
        chain: the comments under a channel post are the thread of its automatic forward in the discussion
        group. Only a reply gets there: message_thread_id is for forum topics, and Telegram answers a reply
        thread's id with 400 "message thread not found" (as it does in a forum's "General").
        """
        if chat.type != "supergroup":
            return None
        if requested is not None:
            raise _bad("message thread not found")
        if reply_to is None:
            return None
        root = reply_to
        thread = (chat.stored.get(root) or {}).get("message_thread_id")
        return thread if isinstance(thread, int) else root

    def _edit_target(self, params: Mapping[str, Any]) -> tuple[_Chat, int] | None:
        if params.get("inline_message_id"):
            return None
        chat = self._resolve_chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad("message identifier is not specified")
        if not self._message_exists(chat, message_id):
            raise _bad("message to edit not found")
        stored = chat.stored.get(message_id)
        # In a channel every post is signed by the channel; an administrator bot edits them (its own included).
        by_bot = stored is None or stored.get("from", {}).get("id") == self._bot_user()["id"]
        if not by_bot and chat.type != "channel":
            raise _bad("message can't be edited")
        return chat, message_id

    async def _edit_message_text(self, params: Mapping[str, Any]) -> JSON | bool:
        target = self._edit_target(params)
        raw, visible, entities, parse_mode = self._render_text(params)
        rows, markup = _parse_keyboard(params.get("reply_markup"))
        if target is None:
            return True
        chat, message_id = target
        stored = chat.stored.get(message_id)
        if (
            stored is not None
            and stored.get("text") == visible
            and stored.get("entities", []) == entities
            and stored.get("reply_markup") == markup
        ):
            raise _bad(_NOT_MODIFIED)
        self._check_rate("editMessageText", chat)
        return self._apply_edit(chat, message_id, stored, raw, visible, entities, parse_mode, rows, markup)

    async def _edit_message_reply_markup(self, params: Mapping[str, Any]) -> JSON | bool:
        target = self._edit_target(params)
        rows, markup = _parse_keyboard(params.get("reply_markup"))
        if target is None:
            return True
        chat, message_id = target
        stored = chat.stored.get(message_id)
        if stored is not None and stored.get("reply_markup") == markup:
            raise _bad(_NOT_MODIFIED)
        self._check_rate("editMessageReplyMarkup", chat)
        text = stored.get("text", "") if stored else ""
        entities = stored.get("entities", []) if stored else []
        previous = chat.latest.get(message_id)
        raw = previous.html if previous is not None else text
        parse_mode = previous.parse_mode if previous is not None else None
        return self._apply_edit(chat, message_id, stored, raw, text, entities, parse_mode, rows, markup)

    def _apply_edit(
        self,
        chat: _Chat,
        message_id: int,
        stored: JSON | None,
        raw: str,
        visible: str,
        entities: list[JSON],
        parse_mode: str | None,
        rows: list[list[Button]],
        markup: JSON | None,
    ) -> JSON:
        now = int(time.time())
        self._edits += 1
        message: JSON = (
            dict(stored)
            if stored is not None
            else {"message_id": message_id, "from": self._bot_user(), "chat": chat.as_json(), "date": now}
        )
        message["text"] = visible
        message["edit_date"] = now
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        # Telegram drops the keyboard when an edit does not repeat it.
        if markup is not None:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        if self.record_messages:
            chat.stored[message_id] = message
        if self._needs_record():
            self._publish(
                chat,
                SentMessage(
                    chat_id=chat.chat_id,
                    message_id=message_id,
                    text=visible,
                    html=raw,
                    reply_markup=rows,
                    date=now,
                    edited=True,
                    parse_mode=parse_mode,
                    entities=entities,
                    message_thread_id=message.get("message_thread_id"),
                ),
            )
        return message

    async def _answer_callback_query(self, params: Mapping[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        pending = self._queries.get(query_id)
        if pending is None or pending.answered.done():
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and utf16_len(str(text)) > 200:  # counted as Telegram counts, in UTF-16 units
            raise _bad("MESSAGE_TOO_LONG")
        answer = CallbackAnswer(
            query_id,
            None if text is None else str(text),
            bool(params.get("show_alert")),
            params.get("url"),
            params.get("cache_time"),
        )
        self.callback_answers.append(answer)
        pending.answered.set_result(answer)
        for listener in self._answer_listeners:
            try:
                listener(answer)
            except Exception:
                _log.exception("emulator callback-answer listener failed")
        return True

    @staticmethod
    def _scope_key(params: Mapping[str, Any]) -> tuple[str, int | None, str]:
        scope = params.get("scope")
        kind, chat = "default", None
        if isinstance(scope, dict):
            kind = str(scope.get("type", "default"))
            raw_chat = scope.get("chat_id")
            chat = (
                int(raw_chat)
                if isinstance(raw_chat, int | str) and str(raw_chat).lstrip("-").isdigit()
                else None
            )
        return kind, chat, str(params.get("language_code") or "")

    async def _set_my_commands(self, params: Mapping[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        parsed: list[tuple[str, str]] = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad("can't parse BotCommand")
            name, description = item.get("command"), item.get("description")
            if not isinstance(name, str) or not _COMMAND_NAME_RE.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            parsed.append((name, description))
        key = self._scope_key(params)
        if key[0] in ("chat", "chat_administrators", "chat_member") and key[1] not in self._chats:
            # A chat scope needs a chat the bot knows: a user who never opened the bot is "not found".
            raise _bad("chat not found")
        self._commands[key] = parsed
        return True

    async def _get_my_commands(self, params: Mapping[str, Any]) -> list[JSON]:
        return [{"command": c, "description": d} for c, d in self._commands.get(self._scope_key(params), [])]

    async def _delete_my_commands(self, params: Mapping[str, Any]) -> bool:
        key = self._scope_key(params)
        if key[0] in ("chat", "chat_administrators", "chat_member") and key[1] not in self._chats:
            raise _bad("chat not found")  # as setMyCommands: a chat scope needs a chat the bot knows
        self._commands.pop(key, None)
        return True

    @staticmethod
    def _language(params: Mapping[str, Any]) -> str:
        """The optional language_code of a description: "" (every language without its own) or ISO 639-1."""
        code = params.get("language_code")
        if code is None or code == "":
            return ""
        if not isinstance(code, str) or not re.fullmatch(r"[a-z]{2}", code):
            raise _bad("LANG_CODE_INVALID")
        return code

    def _set_description(self, kind: str, params: Mapping[str, Any], limit: int) -> bool:
        """setMyDescription / setMyShortDescription: 0-``limit`` characters; empty or absent removes it."""
        language = self._language(params)
        text = params.get(kind, "")
        if not isinstance(text, str):
            raise _bad(f"can't parse {kind}")
        if len(text) > limit:
            raise _bad(f"{kind} is too long")
        if text:
            self._descriptions[(kind, language)] = text
        else:
            self._descriptions.pop((kind, language), None)
        return True

    async def _get_my_description(self, params: Mapping[str, Any]) -> JSON:
        return {"description": self.description(self._language(params))}

    async def _set_my_description(self, params: Mapping[str, Any]) -> bool:
        return self._set_description("description", params, 512)

    async def _get_my_short_description(self, params: Mapping[str, Any]) -> JSON:
        return {"short_description": self.short_description(self._language(params))}

    async def _set_my_short_description(self, params: Mapping[str, Any]) -> bool:
        return self._set_description("short_description", params, 120)

    async def _delete_message(self, params: Mapping[str, Any]) -> bool:
        chat = self._resolve_chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int) or not self._message_exists(chat, message_id):
            raise _bad("message to delete not found")
        chat.stored.pop(message_id, None)
        return True

    async def _send_chat_action(self, params: Mapping[str, Any]) -> bool:
        chat = self._resolve_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        thread = self._thread_for(chat, params.get("message_thread_id"), None)
        self.chat_actions.append((chat.chat_id, str(params["action"]), thread))
        return True

    async def _get_chat(self, params: Mapping[str, Any]) -> JSON:
        chat = self._resolve_chat(params, for_sending=False)
        gifts = {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        }
        return {
            **chat.full_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    def _member_json(self, chat: _Chat, user_id: int) -> JSON:
        user = self._bot_user() if user_id == self._bot_user()["id"] else self._user(user_id)
        status = chat.members.get(user_id, "member")
        out: JSON = {"user": user, "status": status}
        if status == "creator":
            out["is_anonymous"] = False
        elif status == "administrator":
            out.update(
                {
                    k: True
                    for k in (
                        "can_manage_chat",
                        "can_delete_messages",
                        "can_manage_video_chats",
                        "can_restrict_members",
                        "can_change_info",
                        "can_invite_users",
                        "can_post_stories",
                        "can_edit_stories",
                        "can_delete_stories",
                        "can_pin_messages",
                    )
                }
            )
            out.update({"can_be_edited": False, "is_anonymous": False, "can_promote_members": False})
            if chat.type == "channel":
                is_bot = user_id == self._bot_user()["id"]
                out.update({"can_post_messages": chat.bot_can_post or not is_bot, "can_edit_messages": True})
        elif status == "restricted":
            out.update(
                {
                    k: False
                    for k in (
                        "can_change_info",
                        "can_invite_users",
                        "can_pin_messages",
                        "can_send_messages",
                        "can_send_polls",
                        "can_send_other_messages",
                        "can_add_web_page_previews",
                        "can_manage_topics",
                        "can_send_audios",
                        "can_send_documents",
                        "can_send_photos",
                        "can_send_videos",
                        "can_send_video_notes",
                        "can_send_voice_notes",
                        "can_edit_tag",
                        "can_react_to_messages",
                    )
                }
            )
            out.update({"is_member": True, "until_date": 0})
        elif status == "kicked":
            out["until_date"] = 0
        return out

    async def _get_chat_member(self, params: Mapping[str, Any]) -> JSON:
        chat = self._resolve_chat(params, for_sending=False)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise _bad("invalid user_id specified")
        return self._member_json(chat, user_id)

    async def _get_chat_administrators(self, params: Mapping[str, Any]) -> list[JSON]:
        chat = self._resolve_chat(params, for_sending=False)
        if chat.type == "private":
            raise _bad("there are no administrators in the private chat")
        return [
            self._member_json(chat, uid)
            for uid, status in chat.members.items()
            if status in ("creator", "administrator")
        ]

    async def _get_chat_member_count(self, params: Mapping[str, Any]) -> int:
        chat = self._resolve_chat(params, for_sending=False)
        if chat.type == "private":
            return 2
        return 1 + sum(1 for s in chat.members.values() if s not in ("left", "kicked"))

    # ------------------------------------------------------------------------------------------- test API

    def _enqueue(self, update: JSON, *, raw: bool = False) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append((update_id, {"update_id": update_id, **update}, raw))
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(True)
        return update_id

    def _chat_or_error(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(f"chat {chat_id} was never added to the emulator")
        return chat

    def answer_as_proxy(
        self,
        status: int | None,
        body: str = _PROXY_PAGE,
        content_type: str = "text/html",
        *,
        methods: tuple[str, ...] = (),
    ) -> None:
        """Answer every call (or only ``methods``) as a misbehaving proxy would (``status`` with ``body``); None:
        answer normally.

        Nothing reaches the emulated Bot API meanwhile: no message is sent, no update handed out.
        """
        self._proxy_answer = None if status is None else (status, body, content_type)
        self._proxy_methods = frozenset(m.lower() for m in methods)

    @contextlib.contextmanager
    def answering_as_proxy(
        self,
        status: int,
        body: str = _PROXY_PAGE,
        content_type: str = "text/html",
        *,
        methods: tuple[str, ...] = (),
    ) -> Iterator[None]:
        """Within the block, answer as ``answer_as_proxy(status, ...)``; on leaving it, also by an error, normally."""
        self.answer_as_proxy(status, body, content_type, methods=methods)
        try:
            yield
        finally:
            self.answer_as_proxy(None)

    async def add_chat(
        self, chat_id: int, type: str = "private", title: str | None = None, username: str | None = None
    ) -> None:
        """Make a chat known (a private chat with a user, or a group the bot is in); re-adding updates it."""
        if type not in ("private", "group", "supergroup", "channel"):
            raise ValueError(f"unknown chat type {type!r}")
        if type == "private" and chat_id <= 0:
            raise ValueError("private chat ids are positive (the user's id)")
        if type != "private" and chat_id >= 0:
            raise ValueError("group, supergroup and channel ids are negative")
        first_name = f"User {chat_id}" if type == "private" else None
        if type != "private" and title is None:
            title = f"Group {chat_id}"
        existing = self._chats.get(chat_id)
        if existing is not None:
            existing.type, existing.title, existing.username = type, title, username
        else:
            self._chats[chat_id] = _Chat(chat_id, type, title, username, first_name)
        if username:
            self._usernames[username.lower()] = chat_id

    async def block_chat(self, chat_id: int, *, announce: bool = True) -> None:
        """The user blocks the bot (or the bot is kicked from the group): sends now fail with 403."""
        chat = self._chat_or_error(chat_id)
        chat.blocked = True
        if announce:
            self._enqueue(self._my_chat_member(chat, "member", "kicked"))

    async def delete_chat(self, chat_id: int) -> None:
        """The chat is deleted (a channel or group its owner removed): every call naming it gets "chat not found"."""
        chat = self._chats.pop(chat_id)
        if chat.username:
            self._usernames.pop(chat.username.lower(), None)

    async def unblock_chat(self, chat_id: int, *, announce: bool = False) -> None:
        """Undo block_chat; ``announce`` tells the bot with a my_chat_member update, as Telegram does."""
        chat = self._chat_or_error(chat_id)
        chat.blocked = False
        if announce:
            self._enqueue(self._my_chat_member(chat, "kicked", "member"))

    async def mute_bot(self, chat_id: int, *, muted: bool = True, announce: bool = True) -> None:
        """An administrator restricts the bot in a group (no text messages), or lifts that; sends then fail with
        400 "not enough rights"; ``announce`` tells the bot with a my_chat_member update, as Telegram does."""
        chat = self._chat_or_error(chat_id)
        bot_id = self._bot_user()["id"]
        old = self._member_json(chat, bot_id)
        chat.members[bot_id] = "restricted" if muted else "member"
        if announce:
            update = self._my_chat_member(chat, old["status"], chat.members[bot_id])
            update["my_chat_member"]["old_chat_member"] = old
            update["my_chat_member"]["new_chat_member"] = self._member_json(chat, bot_id)
            self._enqueue(update)

    async def set_bot_status(
        self, chat_id: int, status: str, *, can_post: bool = True, announce: bool = True
    ) -> None:
        """An administrator adds, promotes, demotes or removes the bot (``status`` as in getChatMember).

        In a channel only an administrator with ``can_post`` may post; sendMessage then answers 400 "need
        administrator rights in the channel chat". ``announce`` tells the bot with a my_chat_member update.
        """
        if status not in _MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}")
        chat = self._chat_or_error(chat_id)
        bot_id = self._bot_user()["id"]
        old = self._member_json(chat, bot_id)
        if chat.type == "channel" and bot_id not in chat.members:
            old = {"user": self._bot_user(), "status": "left"}  # bots are never plain channel subscribers
        chat.members[bot_id] = status
        chat.bot_can_post = can_post
        chat.blocked = status in ("left", "kicked")
        if announce:
            update = self._my_chat_member(chat, old["status"], status)
            update["my_chat_member"]["old_chat_member"] = old
            update["my_chat_member"]["new_chat_member"] = self._member_json(chat, bot_id)
            self._enqueue(update)

    async def send_channel_post(
        self, chat_id: int, text: str, *, reply_to_message_id: int | None = None
    ) -> int:
        """An administrator posts ``text`` in channel ``chat_id`` (in reply to a post); returns the update_id.

        As on Telegram the post has no ``from``: ``sender_chat`` is the channel itself.
        """
        chat = self._chat_or_error(chat_id)
        if chat.type != "channel":
            raise ValueError(f"chat {chat_id} is no channel")
        message_id = self._new_message_id(chat)
        message: JSON = {
            "message_id": message_id,
            "sender_chat": chat.as_json(),
            "chat": chat.as_json(),
            "date": int(time.time()),
            "text": text,
        }
        entities = _user_entities(text)
        if entities:
            message["entities"] = entities
        if reply_to_message_id is not None:
            replied = chat.stored.get(reply_to_message_id)
            if replied is None:
                raise KeyError(f"channel {chat_id} has no post {reply_to_message_id}")
            message["reply_to_message"] = replied
        if self.record_messages:
            chat.stored[message_id] = {k: v for k, v in message.items() if k != "reply_to_message"}
        update_id = self._enqueue({"channel_post": message})
        self._forward_to_discussion(chat, message)
        return update_id

    async def edit_channel_post(self, chat_id: int, message_id: int, text: str) -> int:
        """An administrator edits post ``message_id`` of channel ``chat_id``; returns the update_id.

        Telegram tells the bot with an edited_channel_post (the post as it now reads, with ``edit_date``).
        """
        chat = self._chat_or_error(chat_id)
        post = chat.stored.get(message_id) if chat.type == "channel" else None
        if post is None or "sender_chat" not in post:
            raise KeyError(f"channel {chat_id} has no post {message_id}")
        edited: JSON = {k: v for k, v in post.items() if k not in ("text", "entities")}
        edited.update({"text": text, "edit_date": int(time.time())})
        entities = _user_entities(text)
        if entities:
            edited["entities"] = entities
        chat.stored[message_id] = edited
        return self._enqueue({"edited_channel_post": edited})

    async def link_discussion_group(self, channel_id: int, group_id: int) -> None:
        """Make supergroup ``group_id`` the discussion group of channel ``channel_id``.

        From then on Telegram copies every new post of the channel (the bot's own included) into the group as
        an automatic forward: a message sent as the channel by the service account 777000, with
        ``is_automatic_forward``; the bot, a member of the group, receives it like any group message.
        """
        channel, group = self._chat_or_error(channel_id), self._chat_or_error(group_id)
        if channel.type != "channel" or group.type != "supergroup":
            raise ValueError("a channel's discussion group is a supergroup")
        channel.linked_chat_id, group.linked_chat_id = group_id, channel_id

    def _forward_to_discussion(self, channel: _Chat, post: JSON) -> None:
        """Copy a new channel post into the channel's discussion group, as Telegram does."""
        group = self._chats.get(channel.linked_chat_id) if channel.linked_chat_id is not None else None
        if group is None or group.blocked or group.migrated_to is not None:
            return  # no discussion group, or the bot is not in it: nothing reaches the bot
        message_id = self._new_message_id(group)
        # Only the text and its entities are copied (the emulator models no media).
        copied: JSON = {k: post[k] for k in ("text", "entities") if k in post}
        message: JSON = {
            "message_id": message_id,
            "from": {"id": 777000, "is_bot": False, "first_name": "Telegram"},
            "sender_chat": channel.as_json(),
            "chat": group.as_json(),
            "date": post["date"],
            **copied,
            "is_automatic_forward": True,
            "forward_origin": {
                "type": "channel",
                "chat": channel.as_json(),
                "message_id": post["message_id"],
                "date": post["date"],
            },
        }
        if self.record_messages:
            group.stored[message_id] = message
        self.automatic_forwards.append((group.chat_id, message_id, str(post.get("text", ""))))
        self._enqueue({"message": message})

    def _my_chat_member(self, chat: _Chat, old: str, new: str) -> JSON:
        user_id = chat.chat_id if chat.type == "private" else 1
        bot = self._bot_user()
        old_member: JSON = {"user": bot, "status": old}
        new_member: JSON = {"user": bot, "status": new}
        for member in (old_member, new_member):
            if member["status"] == "kicked":
                member["until_date"] = 0
        return {
            "my_chat_member": {
                "chat": chat.as_json(),
                "from": self._user(user_id),
                "date": int(time.time()),
                "old_chat_member": old_member,
                "new_chat_member": new_member,
            }
        }

    async def migrate_chat(self, old_id: int, new_id: int, *, announce: bool = True) -> None:
        """Upgrade group old_id to supergroup new_id; sends to old_id then answer with migrate_to_chat_id."""
        old = self._chat_or_error(old_id)
        await self.add_chat(new_id, "supergroup", old.title)
        new = self._chats[new_id]
        new.members.update(old.members)
        old.migrated_to = new_id
        if announce:
            now = int(time.time())
            self._enqueue(
                {
                    "message": {
                        "message_id": self._new_message_id(old),
                        "date": now,
                        "chat": old.as_json(),
                        "from": self._user(1),
                        "migrate_to_chat_id": new_id,
                    }
                }
            )
            self._enqueue(
                {
                    "message": {
                        "message_id": self._new_message_id(new),
                        "date": now,
                        "chat": new.as_json(),
                        "from": self._user(1),
                        "migrate_from_chat_id": old_id,
                    }
                }
            )

    async def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """Set getChatMember's answer: creator, administrator, member, restricted, left or kicked."""
        if status not in _MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}")
        self._chat_or_error(chat_id).members[user_id] = status

    async def send_user_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        reply_to_message_id: int | None = None,
        thread_id: int | None = None,
    ) -> int:
        """A user writes ``text`` in the chat (unknown chats become private chats); returns the update_id.

        ``thread_id``: the forum topic (see ``create_topic``) the user writes in.
        """
        content: JSON = {"text": text}
        entities = _user_entities(text)
        if entities:
            content["entities"] = entities
        update_id, _message_id = await self._user_message(
            chat_id, content, user_id, reply_to_message_id, thread_id
        )
        return update_id

    async def create_topic(self, chat_id: int, name: str, *, user_id: int = 1) -> int:
        """Create a forum topic in supergroup ``chat_id`` (which becomes a forum); returns its message_thread_id.

        As on Telegram, the topic's id is that of its "topic created" service message, which the bot receives
        and which every later message in the topic replies to unless it replies to another one.
        """
        chat = self._chat_or_error(chat_id)
        if chat.type != "supergroup":
            raise ValueError("only supergroups have forum topics")
        chat.is_forum = True
        message_id = self._new_message_id(chat)
        chat.topics.add(message_id)
        message: JSON = {
            "message_id": message_id,
            "from": self._user(user_id),
            "chat": chat.as_json(),
            "date": int(time.time()),
            "message_thread_id": message_id,
            "is_topic_message": True,
            "forum_topic_created": {"name": name, "icon_color": 7322096},
        }
        chat.stored[message_id] = message
        self._enqueue({"message": message})
        return message_id

    async def close_topic(self, chat_id: int, thread_id: int) -> None:
        """An administrator closes a forum topic: administrators still post there, the bot gets 400 TOPIC_CLOSED."""
        self._chat_or_error(chat_id).closed_topics.add(thread_id)

    async def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """An administrator deletes a forum topic: sending to it is a 400 "message thread not found" from now on."""
        self._chat_or_error(chat_id).topics.discard(thread_id)

    async def delete_message(self, chat_id: int, message_id: int) -> None:
        """Someone deletes a message (theirs, or as an administrator any): a reply to it is then a 400 "message to
        be replied not found", as on Telegram, unless the reply allows sending without it."""
        self._chat_or_error(chat_id).stored.pop(message_id, None)

    async def send_user_media(
        self,
        chat_id: int,
        kind: str = "photo",
        *,
        caption: str | None = None,
        user_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """A user sends a photo or a sticker (with an optional caption); returns the new message's id.

        Captions carry their entities as ``caption_entities``, as Telegram sends them: a caption starting
        with /command holds a bot_command entity, though python-telegram-bot's CommandHandler reads only text.
        """
        content: JSON
        if kind == "photo":
            content = {"photo": [{"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}]}
            if caption is not None:
                content["caption"] = caption
                entities = _user_entities(caption)
                if entities:
                    content["caption_entities"] = entities
        elif kind == "sticker":
            content = {
                "sticker": {
                    "file_id": "sticker-1",
                    "file_unique_id": "s1",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            }
        else:
            raise ValueError(f"unknown media kind {kind!r}")
        _update_id, message_id = await self._user_message(
            chat_id, content, user_id, reply_to_message_id, None
        )
        return message_id

    async def _user_message(
        self,
        chat_id: int,
        content: JSON,
        user_id: int | None,
        reply_to_message_id: int | None,
        thread_id: int | None,
    ) -> tuple[int, int]:
        """Queue a user's message with ``content`` (text or media); (update_id, message_id)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            await self.add_chat(chat_id, "private" if chat_id > 0 else "group")
            chat = self._chats[chat_id]
        if chat.type == "private":
            # A user can only write to a bot they have not blocked.
            chat.blocked = False
        if user_id is None:
            user_id = chat_id if chat.type == "private" else 1
        message_id = self._new_message_id(chat)
        message: JSON = {
            "message_id": message_id,
            "from": self._user(user_id),
            "chat": chat.as_json(),
            "date": int(time.time()),
            **content,
        }
        if thread_id is not None:
            if thread_id not in chat.topics:
                raise KeyError(f"chat {chat_id} has no forum topic {thread_id}")
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
            if reply_to_message_id is None:
                reply_to_message_id = thread_id  # a topic's messages answer its "topic created" message
        if reply_to_message_id is not None:
            replied = chat.stored.get(reply_to_message_id)
            message["reply_to_message"] = (
                replied
                if replied is not None
                else {"message_id": reply_to_message_id, "date": message["date"], "chat": chat.as_json()}
            )
            if thread_id is None and chat.type == "supergroup":
                # In a supergroup every reply belongs to the reply thread of the message it answers (the root's id),
                # topic or not: a reply in a forum's "General" carries a message_thread_id that is no forum topic and
                # no is_topic_message; sending to that thread is a 400 "message thread not found".
                root = (replied or {}).get("message_thread_id")
                message["message_thread_id"] = root if isinstance(root, int) else reply_to_message_id
        if self.record_messages:
            chat.stored[message_id] = {k: v for k, v in message.items() if k != "reply_to_message"}
        return self._enqueue({"message": message}), message_id

    async def press_button(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        user_id: int | None = None,
        inaccessible: bool = False,
    ) -> str:
        """A user taps an inline button; returns the callback query id (see wait_callback_answer).

        ``inaccessible``: the tap carries an InaccessibleMessage (chat, message_id, date 0) instead of the
        message, as Telegram sends for buttons on messages a few days old.
        """
        chat = self._chat_or_error(chat_id)
        stored = chat.stored.get(message_id)
        if self.record_messages:
            if stored is None:
                raise KeyError(f"message {message_id} does not exist in chat {chat_id}")
            rows = stored.get("reply_markup", {}).get("inline_keyboard", [])
            if not any(b.get("callback_data") == callback_data for row in rows for b in row):
                raise ValueError(f"message {message_id} has no button with callback_data {callback_data!r}")
        if user_id is None:
            user_id = chat_id if chat.type == "private" else 1
        query_id = str(next(self._query_ids))
        self._queries[query_id] = _PendingQuery(chat_id, asyncio.get_running_loop().create_future())
        message: JSON
        if inaccessible:
            message = {"chat": chat.as_json(), "message_id": message_id, "date": 0}
        elif stored is not None:
            message = stored
        else:
            message = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat.as_json(),
                "from": self._bot_user(),
                "text": "",
            }
        self._enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id),
                    "message": message,
                    "chat_instance": str(chat_id),
                    "data": callback_data,
                }
            }
        )
        return query_id

    async def wait_callback_answer(self, query_id: str, timeout: float = 10.0) -> CallbackAnswer:
        """Wait until the bot answers the callback query ``query_id``."""
        return await asyncio.wait_for(asyncio.shield(self._queries[query_id].answered), timeout)

    async def inject_raw_update(self, update: JSON) -> int:
        """Queue any dict as an update (update_id is assigned unless given); returns the update_id.

        A raw ``callback_query`` with an ``id`` counts as a real tap: the bot may answer it and
        ``wait_callback_answer(id)`` sees the answer (forged data, inline messages, old keyboards).
        """
        query = update.get("callback_query")
        if isinstance(query, dict) and isinstance(query.get("id"), str) and query["id"] not in self._queries:
            chat = (query.get("message") or {}).get("chat") or {}
            chat_id = chat["id"] if isinstance(chat.get("id"), int) else 0
            self._queries[query["id"]] = _PendingQuery(chat_id, asyncio.get_running_loop().create_future())
        if "update_id" in update and isinstance(update["update_id"], int):
            self._next_update_id = max(self._next_update_id, update["update_id"])
            body = {k: v for k, v in update.items() if k != "update_id"}
            return self._enqueue(body, raw=True)
        return self._enqueue(dict(update), raw=True)

    # The helpers take a timeout argument because that is the API other engineers' tests call.
    async def next_message(
        self,
        chat_id: int,
        timeout: float = 10.0,
        *,
        edits: bool = True,
    ) -> SentMessage:
        """The next bot message (or edit) in the chat that this method has not returned yet."""
        if not self.record_messages:
            raise RuntimeError("next_message needs record_messages=True")
        chat = self._chats.get(chat_id)
        if chat is None:
            await self.add_chat(chat_id, "private" if chat_id > 0 else "group")
            chat = self._chats[chat_id]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            while chat.cursor < len(chat.log):
                record = chat.log[chat.cursor]
                chat.cursor += 1
                if edits or not record.edited:
                    return record
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = [m.text[:80] for m in chat.log[-3:]]
                raise TimeoutError(
                    f"no new bot message in chat {chat_id} within {timeout}s "
                    f"(last messages there: {recent!r})"
                )
            if chat.arrived is None:
                chat.arrived = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(chat.arrived.wait(), remaining)

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Every bot send and edit in the chat, oldest first (edits are records with edited=True)."""
        chat = self._chats.get(chat_id)
        return list(chat.log) if chat is not None else []

    def current(self, chat_id: int, message_id: int) -> SentMessage | None:
        """The latest version of a bot message, or None if it was deleted or never existed."""
        chat = self._chats.get(chat_id)
        if chat is None or message_id not in chat.stored:
            return None
        return chat.latest.get(message_id)

    async def wait_for_idle(self, quiet: float = 0.2, timeout: float = 10.0) -> None:
        """Wait until the bot fetched every queued update and sent nothing for ``quiet`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            fetched = self._delivered_up_to >= self._next_update_id - 1
            if fetched and self._in_flight == 0 and self._clock() - self._last_activity >= quiet:
                return
            if loop.time() >= deadline:
                raise TimeoutError(
                    f"bot not idle after {timeout}s ({len(self._updates)} updates queued, "
                    f"{self._in_flight} requests in flight)"
                )
            await asyncio.sleep(min(0.02, quiet / 2))

    @property
    def commands(self) -> list[tuple[str, str]]:
        """(name, description) pairs registered with setMyCommands for the default scope and language."""
        return list(self._commands.get(("default", None, ""), []))

    def commands_for(
        self, scope: str = "default", chat_id: int | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """Commands registered for another scope or language."""
        return list(self._commands.get((scope, chat_id, language_code), []))

    def description(self, language_code: str = "") -> str:
        """The bot's description (the empty chat's "What can this bot do?"), as set; "" when none."""
        return self._descriptions.get(("description", language_code), "")

    def short_description(self, language_code: str = "") -> str:
        """The bot's short description (its profile, and a shared link to it), as set; "" when none."""
        return self._descriptions.get(("short_description", language_code), "")

    def sent_count(self, *, include_edits: bool = False) -> int:
        """Messages the bot sent successfully (optionally plus edits)."""
        return self._sent + (self._edits if include_edits else 0)

    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by the bot."""
        return len(self._updates)

    def hold_answers(self, chat_id: int) -> None:
        """Tests: messages sent to ``chat_id`` arrive, but the bot's sendMessage waits for its answer until
        release_answers (a send in flight for exactly as long as a test needs, no sleeping)."""
        self._answer_gates.setdefault(chat_id, asyncio.Event())

    def release_answers(self, chat_id: int) -> None:
        """Answer the sendMessage calls hold_answers kept waiting, and every later one at once."""
        gate = self._answer_gates.pop(chat_id, None)
        if gate is not None:
            gate.set()

    def add_listener(self, callback: Callable[[SentMessage], object]) -> None:
        """Call ``callback(message)`` for every send and edit, as it happens (works without recording too)."""
        self._listeners.append(callback)

    def add_answer_listener(self, callback: Callable[[CallbackAnswer], object]) -> None:
        """Call ``callback(answer)`` for every answerCallbackQuery."""
        self._answer_listeners.append(callback)

    def subscribe(self) -> asyncio.Queue[SentMessage]:
        """An unbounded queue receiving every send and edit from now on (for a terminal UI)."""
        queue: asyncio.Queue[SentMessage] = asyncio.Queue()
        self.add_listener(queue.put_nowait)
        return queue


def _coerce(key: str, value: Any) -> Any:
    """Turn a form string into the type Telegram expects for that parameter name."""
    if not isinstance(value, str):
        return value
    if key in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise _bad(f"can't parse {key} JSON object") from None
    if key in _INT_PARAMS or key == "chat_id":
        try:
            return int(value)
        except ValueError:
            if key == "chat_id":
                return value  # "@channelusername"
            raise _bad(f"invalid {key}") from None
    if key in _BOOL_PARAMS:
        return value.lower() in ("true", "1")
    return value
