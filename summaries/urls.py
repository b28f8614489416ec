"""Canonical URLs: one spelling per article, so the same page found twice is stored once."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that only say where a click came from; they never change the page.
_TRACKING_WORDS = """
    fbclid gclid dclid gbraid wbraid msclkid yclid twclid ttclid li_fat_id mc_cid mc_eid igshid _ga _gl
    _hsenc _hsmi mkt_tok oly_anon_id oly_enc_id vero_id vero_conv rb_clickid s_cid cmpid ncid sr_share ref_src
    spm ito wt_mc wt.mc_id xtor __twitter_impression"""
_TRACKING_EXACT = frozenset(_TRACKING_WORDS.split())
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_", "_hs")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    """True when a query parameter only tracks the click (utm_*, fbclid, gclid, ...)."""
    low = name.lower()
    return low in _TRACKING_EXACT or low.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """One spelling of an address: lower-case scheme/host, no default port, fragment or tracking params."""
    raw = url.strip()
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
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    pairs.sort()
    query = urlencode(pairs, quote_via=quote, safe="/:@!$'()*,;~")
    return urlunsplit((scheme, netloc, path, query, ""))


def _normalise_path(path: str) -> str:
    """Re-quote the path, collapse dot segments and drop a trailing slash (but keep the root '/')."""
    if not path:
        return "/"
    segments: list[str] = []
    for seg in path.split("/"):
        if seg == "..":
            if len(segments) > 1:
                segments.pop()
        elif seg != ".":
            segments.append(seg)
    path = "/".join(segments) or "/"
    path = quote(unquote(path), safe="/:@!$&'()*+,;=~%")
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path
