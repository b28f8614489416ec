"""Telegram's HTML parse mode as the Bot API server applies it: validate, return visible text and entities.

Modelled on TDLib's ``parse_html`` (the code behind the Bot API server), including its error messages,
which the emulator returns as ``Bad Request: can't parse entities: <message>``. One deliberate
difference: TDLib keeps a bare ``&`` that does not start an entity as literal text; with
``strict_ampersand`` (the default) the emulator rejects it, because a bare ``&`` in a bot's output
almost always means a string was not escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MAX_ENTITIES", "EntityParseError", "ParsedHtml", "link_accepted", "parse_html", "utf16_len"]

# Telegram sends a message with more entities but keeps only the first 100: the rest show as plain text (a
# link past the 100th cannot be tapped). parse_html returns them all; the server drops the rest as Telegram does.
MAX_ENTITIES = 100

# tag -> entity type; span/tg-emoji/pre/code/a get attributes checked below.
_ENTITY_OF_TAG: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# TDLib reads "&#x" as hexadecimal only with a lower-case x: "&#X41;" is no reference and stays literal text.
_ENTITY_RE = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([A-Za-z]+));?")
_SPECIAL_RE = re.compile(r"[<&]")
_SPACE = " \t\r\n\f\v"
# Deep links: tg:/ton: hosts are letters, digits, "_" and "-"; tonsite: hosts may have dots.
_DEEP_LINK_HOST = {"tg": re.compile(r"[A-Za-z0-9_-]+"), "ton": re.compile(r"[A-Za-z0-9_-]+")}
_DEEP_LINK_HOST["tonsite"] = re.compile(r"[A-Za-z0-9_.-]+")


class EntityParseError(ValueError):
    """Markup that Telegram would refuse; ``str(err)`` is the part after "can't parse entities: "."""


@dataclass(frozen=True)
class ParsedHtml:
    """Result of parsing: the text a user sees and Telegram-style entities (UTF-16 offsets)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for entity offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(markup: str, pos: int) -> int:
    return len(markup[:pos].encode("utf-8"))


def _decode_entity(markup: str, pos: int) -> tuple[str, int] | None:
    """Decode the entity starting at ``markup[pos] == '&'``; None when it is not one TDLib knows."""
    m = _ENTITY_RE.match(markup, pos)
    if m is None:
        return None
    hex_digits, dec_digits, name = m.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        if char is None:
            return None
        return char, m.end()
    digits = hex_digits if hex_digits is not None else dec_digits
    # TDLib refuses references of 10+ characters, zero and values beyond Unicode. A surrogate (U+D800-U+DFFF) is
    # decoded: the caller refuses the whole text for it, as TDLib does once the text is not valid UTF-8.
    if len(m.group(0).rstrip(";")) >= 10:
        return None
    code = int(digits, 16 if hex_digits is not None else 10)
    if code == 0 or code >= 0x10FFFF:
        return None
    return chr(code), m.end()


def link_accepted(url: str) -> bool:
    """Whether Telegram keeps ``url`` as a link (TDLib's ``check_link``, without its normalisation).

    A link it refuses is no error: the message goes out with the text shown but nothing to tap. Schemes other
    than http/https and the tg:/ton:/tonsite: deep links are refused ("sftp://", "javascript:", "mailto:"), so are
    an http host without a dot ("localhost", "intranet"), user info and a port outside 1-65535. A link without a
    scheme is read as http.
    """
    lower = url.lower()
    scheme, sep, rest = lower.partition(":")
    if sep and scheme in _DEEP_LINK_HOST:
        rest = rest.removeprefix("//")
        host = re.split(r"[/?#]", rest, maxsplit=1)[0]
        return bool(_DEEP_LINK_HOST[scheme].fullmatch(host))
    scheme, sep, rest = url.partition("://")
    if sep:
        if scheme.lower() not in ("http", "https"):
            return False
    else:
        # No scheme: http, and "mailto:x" or "javascript:x" read as a host with a port that is none.
        rest = url
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        return False  # user info before the host ("https://bank.com@evil.example") is refused
    if authority.startswith("["):
        host, bracket, port = authority[1:].partition("]")
        if not bracket or not host or (port and not port.startswith(":")):
            return False
        return _port_ok(port[1:]) if port else True
    host, colon, port = authority.partition(":")
    if colon and not _port_ok(port):
        return False
    host = host.removesuffix(".")
    if not host or "." not in host:
        return False
    return all(c.isalnum() or c in "-._~%" or not c.isascii() for c in host)


def _port_ok(port: str) -> bool:
    return port.isdigit() and port.isascii() and 1 <= int(port) <= 65535


def _is_surrogate(char: str) -> bool:
    return "\ud800" <= char <= "\udfff"


@dataclass
class _Open:
    name: str
    offset: int  # UTF-16 offset in the output text where the entity starts
    entity: dict[str, Any]


def _parse_attributes(markup: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse attributes up to the closing '>'; return them and the index just after it (TDLib's rules)."""
    attrs: dict[str, str] = {}
    n = len(markup)
    at = _byte_offset(markup, begin)
    while True:
        while i < n and markup[i] in _SPACE:
            i += 1
        if i < n and markup[i] == ">":
            return attrs, i + 1
        name_start = i
        while i < n and markup[i] not in _SPACE and markup[i] not in "=>/\"'":
            i += 1
        name = markup[name_start:i].lower()
        if not name:
            raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {at}')
        while i < n and markup[i] in _SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {at}')
        if markup[i] != "=":
            # An attribute without a value, such as <blockquote expandable>.
            attrs[name] = ""
            continue
        i += 1
        while i < n and markup[i] in _SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {at}')
        quote = markup[i]
        if quote in "'\"":
            end = markup.find(quote, i + 1)
            if end < 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {at}")
            value = _decode_attr(markup[i + 1 : end])
            i = end + 1
        else:
            token_start = i
            # A name token: ASCII letters, digits, periods and hyphens.
            while i < n and ((markup[i].isascii() and markup[i].isalnum()) or markup[i] in ".-"):
                i += 1
            value = markup[token_start:i].lower()
            if i < n and markup[i] not in _SPACE and markup[i] != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {_byte_offset(markup, token_start)}"
                )
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {at}")
        attrs[name] = value


def _decode_attr(raw: str) -> str:
    if "&" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        j = raw.find("&", i)
        if j < 0:
            out.append(raw[i:])
            break
        out.append(raw[i:j])
        dec = _decode_entity(raw, j)
        if dec is None or _is_surrogate(dec[0]):
            out.append("&")
            i = j + 1
        else:
            out.append(dec[0])
            i = dec[1]
    return "".join(out)


def _entity_for(tag: str, attrs: dict[str, str], markup: str, begin: int) -> dict[str, Any]:
    kind = _ENTITY_OF_TAG[tag]
    entity: dict[str, Any] = {"type": kind}
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(markup, begin)}'
        )
    if tag == "a":
        entity["url"] = attrs.get("href", "")
    elif tag == "tg-emoji":
        emoji_id = attrs.get("emoji-id", "")
        if not emoji_id.isdigit() or int(emoji_id) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entity["custom_emoji_id"] = emoji_id
    elif tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif tag == "code" and attrs.get("class", "").startswith("language-"):
        entity["language"] = attrs["class"][len("language-") :]
    return entity


def parse_html(markup: str, *, strict_ampersand: bool = True) -> ParsedHtml:
    """Parse Telegram HTML into visible text and entities, or raise EntityParseError like Telegram would."""
    n = len(markup)
    out: list[str] = []
    out_len = 0  # UTF-16 length of "".join(out), maintained incrementally
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    surrogate = False  # a reference decoded to half a surrogate pair: the text is refused once parsed
    i = 0
    while i < n:
        m = _SPECIAL_RE.search(markup, i)
        if m is None:
            chunk = markup[i:]
            out.append(chunk)
            out_len += utf16_len(chunk)
            break
        j = m.start()
        if j > i:
            chunk = markup[i:j]
            out.append(chunk)
            out_len += utf16_len(chunk)
        if markup[j] == "&":
            dec = _decode_entity(markup, j)
            if dec is None:
                if strict_ampersand:
                    raise EntityParseError(
                        f'Unescaped "&" at byte offset {_byte_offset(markup, j)} '
                        "(write &amp;; real Telegram would show it literally, the emulator is stricter)"
                    )
                out.append("&")
                out_len += 1
                i = j + 1
            elif _is_surrogate(dec[0]):
                surrogate = True
                out.append("\ufffd")  # a placeholder of the same UTF-16 length
                out_len += 1
                i = dec[1]
            else:
                out.append(dec[0])
                out_len += utf16_len(dec[0])
                i = dec[1]
            continue
        i = _parse_tag(markup, j, stack, entities, out, out_len)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    if surrogate:
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched "
            "surrogate code units"
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedHtml(text="".join(out), entities=entities)


def _parse_tag(
    markup: str, begin: int, stack: list[_Open], entities: list[dict[str, Any]], out: list[str], out_len: int
) -> int:
    """Handle the tag at ``markup[begin] == '<'``; return the index after it."""
    n = len(markup)
    i = begin + 1
    if i < n and markup[i] == "/":
        i += 1
        name_start = i
        while i < n and markup[i] not in _SPACE and markup[i] != ">":
            i += 1
        name = markup[name_start:i].lower()
        while i < n and markup[i] in _SPACE:
            i += 1
        if i >= n or markup[i] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(markup, begin)}")
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(markup, begin)}")
        top = stack[-1]
        if name and name != top.name:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {_byte_offset(markup, begin)}, "
                f'expected "</{top.name}>", found "</{name}>"'
            )
        stack.pop()
        length = out_len - top.offset
        if length > 0:
            entity = top.entity
            if top.name == "a" and not entity["url"]:
                # TDLib uses the link's own text as its URL.
                tail = "".join(out).encode("utf-16-le")[-2 * length :]
                entity["url"] = tail.decode("utf-16-le", errors="replace")
            if top.name == "a" and not link_accepted(entity["url"]):
                # Telegram sends the message and drops the link: the text shows, but there is nothing to tap.
                return i + 1
            entity["offset"] = top.offset
            entity["length"] = length
            if entity["type"] == "code" and "language" in entity:
                # <pre><code class="language-x"> becomes one pre entity with a language.
                if stack and stack[-1].name == "pre":
                    stack[-1].entity["language"] = entity["language"]
                    return i + 1
                del entity["language"]
            entities.append(entity)
        return i + 1
    name_start = i
    while i < n and markup[i] not in _SPACE and markup[i] != ">":
        i += 1
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(markup, begin)}")
    name = markup[name_start:i].lower()
    if name not in _ENTITY_OF_TAG:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(markup, begin)}')
    attrs, after = _parse_attributes(markup, i, name, begin)
    stack.append(_Open(name, out_len, _entity_for(name, attrs, markup, begin)))
    return after
