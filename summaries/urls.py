"""Canonical URLs: one spelling per article, so the same page found twice is stored once."""

from __future__ import annotations

import contextlib
import re
from urllib.parse import quote, unquote_to_bytes, urlsplit, urlunsplit

# Query parameters that only say where a click came from; they never change the page.
_TRACKING_WORDS = """
    fbclid gclid dclid gbraid wbraid msclkid yclid twclid ttclid li_fat_id mc_cid mc_eid igshid _ga _gl
    _hsenc _hsmi mkt_tok oly_anon_id oly_enc_id vero_id vero_conv rb_clickid s_cid cmpid ncid sr_share ref_src
    spm ito wt_mc wt.mc_id xtor __twitter_impression"""
_TRACKING_EXACT = frozenset(_TRACKING_WORDS.split())
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_", "_hs")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left unescaped. Never '?', '#' or '%', nor '/' in a path segment, nor '&', '=' or '+' in a query
# part: escaped, they are data.
_PATH_SAFE = ":@!$&'()*+,;=~"
_QUERY_SAFE = "/:@!$'()*,;~"
_SURROGATES = re.compile("[\ud800-\udfff]")


def address_problem(url: str) -> str | None:
    """What an http(s) address lacks to be fetched, as "it has ..." would end; None when nothing.

    "https://u:pw@/rss" has no host name, "https://host:99999/rss" a port no server can listen on: taken as
    they are, they would fail at every poll instead of once, when they are given.
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # "https://[::1/"
        return "a malformed host name"
    try:
        port = parts.port
    except ValueError:  # "https://host:99999/", "https://host:http/"
        # "https://user:pa/ss@host/": a "/", "?" or "#" in a password ends the host name early, leaving "pa"
        # as the port. A real port is digits, so letters there before a later "@" mean a password.
        _, _, port_text = parts.netloc.rpartition(":")
        after_host = url.partition("://")[2][len(parts.netloc) :]
        if "@" in after_host and "@" not in parts.netloc and not port_text.isdigit():
            return _BAD_USERINFO
        return _BAD_PORT
    if not parts.hostname:
        return "no host name"
    return _BAD_PORT if port == 0 else None


_BAD_PORT = "a port that is not a number from 1 to 65535"
_BAD_USERINFO = 'a user name or password with "/", "?" or "#" in it: write them as %2F, %3F and %23'


def without_login(url: str) -> str:
    """The address without the user name and password it may carry: "https://user:pw@host/x" -> "https://host/x".

    As urlsplit reads it, the login ends at the authority's last "@"; an address without one is returned as it is.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    end = min((i for i in (rest.find(ch) for ch in "/?#") if i != -1), default=len(rest))
    _, at, host = rest[:end].rpartition("@")
    return f"{scheme}://{host}{rest[end:]}" if at else url


def is_tracking_param(name: str) -> bool:
    """True when a query parameter only tracks the click (utm_*, fbclid, gclid, ...)."""
    low = name.lower()
    return low in _TRACKING_EXACT or low.startswith(_TRACKING_PREFIXES)


def site_host(url: str) -> str:
    """The host an address names, without "www."; "" when it names none or a broken one ("http://[abc/x")."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # urlsplit raises on a malformed IPv6 literal
        return ""
    return host.removeprefix("www.")


def canonical_url(url: str) -> str:
    """One spelling of an address: lower-case scheme/host, no default port, fragment or tracking params."""
    # A lone surrogate (from a JSON "\\ud800" escape) cannot be percent-encoded as UTF-8; U+FFFD can.
    raw = _SURROGATES.sub("\ufffd", url.strip())
    try:
        parts = urlsplit(raw)
        hostname = parts.hostname
    except ValueError:
        # "http://[abc/x" (a broken IPv6 literal) from a hostile feed: keep it rather than fail the whole feed.
        return raw
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not hostname:
        # Not a web address we can normalise (a file path, mailto:, an opaque id): keep it, trimmed.
        return raw
    host = hostname.lower().rstrip(".")
    # An odd but usable Unicode host that IDNA rejects is kept as it is rather than refused.
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = _normalise_path(parts.path)
    query = _normalise_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def _normalise_path(path: str) -> str:
    """Re-escape the path, collapse dot segments and drop a trailing slash (but keep the root '/')."""
    if not path:
        return "/"
    segments: list[str] = []
    for seg in path.split("/"):
        if seg == "..":
            if len(segments) > 1:
                segments.pop()
        elif seg != ".":
            segments.append(seg)
    # Escapes are compared as bytes: "%E9" (Latin-1) is not valid UTF-8, and decoding it to text would turn
    # every such address into the same U+FFFD spelling.
    path = "/".join(quote(unquote_to_bytes(seg), safe=_PATH_SAFE) for seg in segments) or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path


def _normalise_query(query: str) -> str:
    """Tracking parameters dropped, the others re-escaped (as bytes, like the path) and sorted."""
    pairs: list[tuple[str, str]] = []
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        raw_name = unquote_to_bytes(name.replace("+", " "))
        if is_tracking_param(raw_name.decode("utf-8", "replace")):
            continue
        raw_value = unquote_to_bytes(value.replace("+", " "))
        pairs.append((quote(raw_name, safe=_QUERY_SAFE), quote(raw_value, safe=_QUERY_SAFE)))
    pairs.sort()
    return "&".join(f"{name}={value}" for name, value in pairs)
