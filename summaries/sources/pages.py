"""Article pages: the main text of an HTML page (boilerplate dropped) with title, date, language and site.

Extraction is trafilatura with ``favor_precision`` (measured on the Zyte article-extraction benchmark; see
``summaries/evaluate_extraction.py``). A page without article text raises :class:`ExtractionError` whose
reason says what the page looks like instead (a login page, a paywall, a page of links).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, AnyStr
from urllib.parse import urljoin, urlsplit

import lxml.html
import trafilatura

from summaries.articles import Article
from summaries.fetch import decode_bytes, decode_named, meta_charset, wide_text
from summaries.text import UNSPACED_CHARS
from summaries.urls import canonical_url, site_host, without_login

# Fewer words than this is no article: an error page or a list of links. A page with a password field needs
# more, because a login form's labels and help text can pass for a very short article.
MIN_ARTICLE_WORDS = 15
MIN_WORDS_BESIDE_LOGIN_FORM = 60
# Extraction settings, chosen on the benchmark (favor_precision beat the default and favor_recall there).
EXTRACT_OPTIONS: dict[str, Any] = {
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "deduplicate": False,
}
# Between a page's headline and its site's name: " - ", " – ", " — ", " | ", " · ", " :: ". A match starts
# only where a run of spaces does: tried from inside a long run too, "\s+" rescanned it from every space.
_TITLE_SEPARATOR = re.compile(r"(?<!\s)\s+(?:[-–—|·]|::)\s+")
# ... and a site's name before the headline may also end in a colon: "Site | Tagline: Story".
_SITE_PREFIX = re.compile(r"(?<!\s)\s+(?:[-–—|·]|::)\s+|(?<=\w):\s+")
_MAX_HTML_CHARS = 8_000_000  # beyond this lxml gets slow and the page is no ordinary article anyway

# libxml2 checks each attribute of a tag against every one before it: one tag with 200,000 distinct attributes
# (2 MB of page) costs many minutes of CPU per parse, and a page is parsed several times. Real tags carry a few
# dozen; a tag with more than this many keeps none (see tame_markup).
MAX_TAG_ATTRIBUTES = 256
# How an HTML5 tokenizer (libxml2 2.14 is one) splits markup, enough to know where a tag's attributes end:
# comments and raw-text elements hold no tags; a quoted value may hold ">" and "<".
# Its white space is these five only: Python's \s also takes U+00A0 and others, which are part of a name there.
_WS = r"\t\n\f\r "
_ATTRIBUTE = rf"[^{_WS}/>][^{_WS}/>=]*(?:[{_WS}]*=[{_WS}]*(?:\"[^\"]*\"|'[^']*'|[^{_WS}>]*))?"
_ATTRIBUTES = rf"(?:[{_WS}/]+|{_ATTRIBUTE})*"
_MARKUP_TOKEN = re.compile(
    r"<!--(?:-?>|.*?(?:--!?>|\Z))"
    rf"|</?(?P<name>[A-Za-z][^{_WS}/>]*)(?P<attrs>{_ATTRIBUTES})"
    r"|<[!?/][^>]*",
    re.DOTALL,
)
_ONE_ATTRIBUTE = re.compile(_ATTRIBUTE)
_TAG_LIKE = re.compile(rf"</?(?P<name>[A-Za-z][^{_WS}/>]*)(?P<attrs>{_ATTRIBUTES})")
# A script of data ("application/ld+json"): the page's date, author and headline for trafilatura and htmldate.
# Bounded ("{0,40}"), so a start tag of many "type=type=..." costs no time per letter of it.
_JSON_SCRIPT_TYPE = re.compile(rf"""\btype[{_WS}]*=[{_WS}]*["']?[^"'{_WS}>]{{0,40}}json""", re.IGNORECASE)
_RAW_TEXT_END = {
    name: re.compile(f"</{name}", re.IGNORECASE | re.ASCII)
    for name in ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")
}

_UNSPACED_CHAR = re.compile(f"[{UNSPACED_CHARS}]")
_INPUT_TAG = re.compile(r"<input\b[^>]*", re.I)
_PASSWORD_TYPE = re.compile(r"\btype\s*=\s*[\"']?password", re.I)
_HTML_TAG = re.compile(r"<html\b[^>]*", re.I)
_LANG_ATTRIBUTE = re.compile(r"\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)
_TITLE_TAG = re.compile(r"<title\b[^>]*", re.I)
_TITLE_END = re.compile(r"</title>", re.I)
_LOGIN_HINTS = re.compile(r"\b(log ?in|sign ?in|password|anmelden|connexion|iniciar sesi[oó]n)\b", re.I)
_PAYWALL_HINTS = re.compile(
    r"\b(subscribe to (continue|read)|subscribers only|for subscribers|paywall|already a subscriber|"
    r"to continue reading|create a free account)\b",
    re.I,
)
# A wall's own prompt under the part of an article it lets anyone read: it speaks of reading on, or of this
# article being for subscribers. Not "already a subscriber?" or "subscribe" alone, which many sites print in the
# masthead of every free article, and not "paywall", which a story about paywalls says.
_PAYWALL_PROMPT = re.compile(
    r"\b(subscribe|log ?in|sign ?in|sign ?up|register|create an? (free )?account)( now| today| for free| free)?"
    r"( to| and) (continue|keep) reading\b"
    r"|\bto (continue|keep) reading,? (please )?(subscribe|log ?in|sign ?in|sign ?up|register)\b"
    r"|\bto (continue|keep) reading this (article|story|post)\b"
    r"|\b(subscribe|log ?in|sign ?in|register)( now| today| for free| free)? to read the (rest|full (article|story))\b"
    r"|\b(this|the rest of this) (article|story) is (only )?(available |reserved )?(for|to) "
    r"(paying |our )?(subscribers|members|registered (users|readers))\b",
    re.I,
)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
# Elements that start a block of their own on screen: text on either side of one is not one paragraph.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br button dd details dialog div dl dt fieldset figcaption figure footer "  # noqa: SIM905
    "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table td th tr ul".split()
)
_HIDDEN_TAGS = frozenset(("head", "title", "script", "style", "template", "noscript"))
PAYWALLED = "That page has no article text (the article seems to be behind a paywall)."
PARTIAL_ARTICLE = "Only the start of the article could be read: the rest is behind a paywall or a sign-in."
# Pages a site shows instead of its article. Each is short: a longer text that mentions these is an article
# about them. A bot check ("Just a moment..."), a cookie-consent wall and a "page not found" came back as
# articles: summarized to the user, and a feed's teaser replaced by them was alerted to the feed's followers.
MAX_WALL_WORDS = 200
_BOT_CHECK_HINTS = re.compile(
    r"checking (your browser|if the site connection is secure)|verify (that )?you are (a )?human|"
    r"enable javascript and cookies to continue|review the security of your connection",
    re.I,
)
# The whole title: "Just a moment... the long wait for the bridge" heads a story.
_BOT_CHECK_TITLE = re.compile(
    r"^((just a moment|please wait)(\.\.\.|…)|attention required!|ddos-guard)( *\| *cloudflare)?$", re.I
)
# A consent notice's own phrases and buttons, not words such as "cookies" that an article may use.
_CONSENT_NOTICE = re.compile(
    r"we value your privacy|we and our \d+ (partners|vendors)|store and/or access information on a device|"
    r"(this|our) (web)?site uses cookies|by clicking [\"“']?(accept|i agree)[^.!?]{0,40}?\byou\b|"
    r"^(accept|reject|allow|refuse) (all|cookies|all cookies)$|^manage (options|preferences|cookies|settings)$",
    re.I,
)
# In a title only, and only phrases about the page: "could not be found" alone also heads news of a missing hiker.
# The phrase is a whole part of the title ("Page not found | Site"): "Secret file does not exist, minister says"
# and "Error 404: a quarter of news links are dead" head stories.
_NOT_FOUND_TITLE = re.compile(
    r"((sorry|oops)[,!.]* )?(404:? )?((the|this|that) )?(page|file|article|story|content|link)( you .{0,40})? "
    r"(was |is )?(not found|(can[’']?t|cannot|could not) be found|does(n[’']?t| not) exist|no longer exists)[.!]*"
    r"( \((error )?404( not found)?\))?"  # "Page Not Found (404)"; Rails: "... doesn't exist (404)"
    r"|(error )?404( error| not found| page not found)?( \((page )?not found\))?[.!1]*",
    re.I,
)
# The parts of a title that phrase must be one of: besides _TITLE_SEPARATOR's, sites put "»", "•", "/" or "~"
# between "Page not found" and their name (WordPress themes: "Page not found » Site").
_NOT_FOUND_PARTS = re.compile(r"(?<!\s)\s+(?:[-–—|·•»«/~]|::)\s+")
_NEEDS_JAVASCRIPT = re.compile(
    r"\b(enable|turn on|activate) javascript\b|\bjavascript (is )?(required|disabled|needed)\b", re.I
)
BOT_CHECK = (
    'That page is the site\'s check for robots ("Checking your browser"), not the article: the site does not '
    "let the bot read it."
)
CONSENT_WALL = (
    "That page shows only a cookie-consent notice (it asks to accept cookies before showing the article), "
    "so the bot cannot read the article."
)
NOT_FOUND = 'The site says that page does not exist (it shows "page not found").'
NEEDS_JAVASCRIPT = (
    "That page has no article text (it needs JavaScript to show it, and the bot does not run JavaScript)."
)


HEADLINE_LIST = "That page is a list of headlines, not an article; send the link of one of its stories."
LIST_OF_LINKS = "That page has no article text (it looks like a list of links, not an article)."


class ExtractionError(Exception):
    """The page holds no article text; ``reason`` says so in words a user understands.

    ``walled``: all the page shows is a paywall's or sign-in wall's prompt, so the article is behind it.
    """

    def __init__(self, reason: str, *, walled: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.walled = walled


@dataclass
class ExtractedPage:
    """The article found on a page: title, plain text (paragraphs separated by blank lines) and metadata."""

    title: str
    text: str
    published: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    url: str | None = None
    # Only the start of the article is on the page: a paywall or sign-in prompt stands where the rest would be.
    partial: bool = False


def extract_page(html: bytes | str, url: str | None = None, charset: str | None = None) -> ExtractedPage:
    """The article on an HTML page; raises ExtractionError when there is none (login page, empty, ...).

    ``charset`` is the one the server named (Content-Type), used for bytes that are not UTF-8.
    """
    markup = page_markup(html, charset) if isinstance(html, bytes) else html
    if not markup.strip():
        raise ExtractionError("That page is empty.")
    # trafilatura names a page with no site name of its own by the address's authority, login included: the
    # password of "https://user:pw@host/x" became the article's source, shown under its title to every reader.
    url = without_login(url) if url else url
    if len(markup) > _MAX_HTML_CHARS:
        markup = markup[:_MAX_HTML_CHARS]
    markup = tame_markup(markup)
    doc = _extract(markup, url, EXTRACT_OPTIONS)
    text = _clean_text(str(getattr(doc, "text", "") or "")) if doc is not None else ""
    if _word_count(text) < MIN_WORDS_BESIDE_LOGIN_FORM:
        # Precision mode sometimes drops a whole article behind a notice block; the default settings find it.
        retry = _extract(markup, url, {**EXTRACT_OPTIONS, "favor_precision": False})
        retry_text = _clean_text(str(getattr(retry, "text", "") or "")) if retry is not None else ""
        if _word_count(retry_text) > 2 * _word_count(text):
            doc, text = retry, retry_text
    text, notice_only = _without_consent_notice(text)
    meta = _page_meta(markup)
    title = " ".join(str(getattr(doc, "title", "") or "").split())
    wall = CONSENT_WALL if notice_only else _wall(text, (title, meta.get("title", "")))
    if wall:
        raise ExtractionError(wall)
    if _only_the_wall(text, title):
        # Its headline made the count of words: the wall's "only available to subscribers" was the summary.
        raise ExtractionError(PAYWALLED, walled=True)
    first, _, rest = text.partition("\n\n")
    # The headline repeated as the first paragraph is dropped below: counted, a video page's long headline let its
    # caption through as an article ("Video, 2 minutes."), and a page of only its headline too.
    words = _word_count(rest if title and first.casefold() == title.casefold() else text)
    if words < MIN_ARTICLE_WORDS or (words < MIN_WORDS_BESIDE_LOGIN_FORM and _has_password_field(markup)):
        raise ExtractionError(_why_no_article(markup))
    # The checks below read the page's elements (parsed once: telling a paywall's teaser needs them too).
    root = markup_tree(markup)
    single_links, lines_of_links = _linked_paragraphs(text, root)
    if _mostly_link_text(text, single_links | lines_of_links):
        raise ExtractionError(LIST_OF_LINKS)
    if headline_list_stats(text, root, url).is_headline_list:
        # A section front's teasers would be summarized as one article: unrelated sentences.
        raise ExtractionError(HEADLINE_LIST)
    if lines_of_links:
        # A line of related links ("Story 1 Story 2 ...") under an article was picked as one of its sentences.
        text = "\n\n".join(p for p in text.split("\n\n") if p not in lines_of_links)
        if _word_count(text) < MIN_ARTICLE_WORDS:
            raise ExtractionError(LIST_OF_LINKS)
    if (
        title
        and title.casefold() not in meta.get("title", "").casefold()
        and _links_home(title, root, markup, url)
    ):
        title = ""  # the site's name in its masthead, which trafilatura takes when it is the page's only <h1>
    first, _, rest = text.partition("\n\n")
    if title and first.casefold() == title.casefold() and rest:
        text = rest  # the headline repeated as the first paragraph is not article text
    return ExtractedPage(
        title=title or meta.get("title", "") or _first_line(text),
        text=text,
        published=_parse_date(getattr(doc, "date", None)),
        language=_language(meta.get("lang") or getattr(doc, "language", None)),
        site_name=_site_name(getattr(doc, "sitename", None)),
        url=str(getattr(doc, "url", "") or "") or url,
        partial=_behind_wall(markup, root),
    )


# A site's home page: its root, or the root's index file that static and older sites link their masthead to.
_HOME_PATHS = frozenset(("", "/", "/index.html", "/index.htm", "/index.php"))


def _links_home(title: str, root: Any | None, markup: str, url: str | None) -> bool:
    """Whether ``title`` is the text of a link to the site's home page: its name in the masthead, not a headline."""
    tree = root if root is not None else markup_tree(markup)
    if tree is None:
        return False
    host = site_host(url or "")
    for link in tree.iter("a"):
        if " ".join(link.text_content().split()) != title:
            continue
        try:
            target = urljoin(url or "", (link.get("href") or "").strip())
            home = urlsplit(target).path.lower() in _HOME_PATHS and not urlsplit(target).query
        except ValueError:  # a malformed IPv6 literal in the link
            continue
        if home and site_host(target) == host:
            return True
    return False


def page_markup(html: bytes, charset: str | None) -> str:
    """The text of a page's bytes: UTF-8 when they are (a server's default "iso-8859-1" is often wrong), else the
    charset the server named, else the one its ``<meta>`` names, else a guess. Guessed alone, a Polish, Czech or
    Lithuanian page served in its named ISO-8859-2 or 1257 often came out garbled ("ogģosiģ" for "ogłosił")."""
    wide = wide_text(html, charset)
    if wide is not None:
        # UTF-16 or UTF-32 bytes with no byte order mark are valid UTF-8 when their letters are ASCII: read so, every
        # other character a NUL, and the checks of the markup (a login form's password field) found nothing.
        return wide
    try:
        # Decoded once: "utf-8-sig" drops a byte order mark as decode_bytes does.
        return html.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Then the one the page names, also when the server's cannot read it (a site set up for UTF-8 serving its old
    # pages): guessed, an ISO-8859-1 page with curly quotes came out Central European ("El nińo", "coűte").
    for named in (charset, meta_charset(html)):
        text = decode_named(html, named)
        if text is not None:
            return text
    return decode_bytes(html)


def _word_count(text: str) -> int:
    """About how many words ``text`` holds, also in scripts written without spaces between words.

    Chinese and Japanese put no spaces between words: counted by spaces, a whole paragraph was one word and every
    article page in them had "no article text". Two of their characters count as a word, about their average.
    """
    return len(text.split()) + len(_UNSPACED_CHAR.findall(text)) // 2


def tame_markup(markup: str) -> str:
    """``markup`` with the attributes of any tag that has more than MAX_TAG_ATTRIBUTES dropped.

    Linear time; ordinary pages come back unchanged but for long runs of script that look like such a tag.
    """
    if len(markup) < 2 * MAX_TAG_ATTRIBUTES:
        return markup
    spans = list(_crowded_tags(markup))
    if not spans:
        return markup
    pieces: list[str] = []
    kept = 0
    for start, end, replacement in spans:
        pieces += (markup[kept:start], replacement)
        kept = end
    pieces.append(markup[kept:])
    return "".join(pieces)


def _crowded_tags(markup: str) -> Iterator[tuple[int, int, str]]:
    """Where the attributes of each tag with too many of them are, in order, and what replaces them."""
    pos = 0
    while (match := _MARKUP_TOKEN.search(markup, pos)) is not None:
        pos = max(match.end(), match.start() + 1)
        name, attrs = match["name"], match["attrs"]
        if name is None:
            # A comment or "<!...>", "<?...>": libxml2 may read "<![CDATA[" in <svg> otherwise than HTML5.
            closer = 4 if match[0].endswith("--!>") else 3 if match[0].endswith("-->") else 0
            yield from _crowded_tag_like_runs(markup, match.start() + 1, match.end() - closer)
            continue
        if _too_many_attributes(attrs):
            yield *match.span("attrs"), ""
        raw_text_end = _RAW_TEXT_END.get(name.lower())
        if raw_text_end is not None and not match[0].startswith("</") and not _self_closing(markup, match):
            end = raw_text_end.search(markup, pos)
            start, pos = pos, len(markup) if end is None else end.start()
            json = name.lower() == "script" and _JSON_SCRIPT_TYPE.search(attrs) is not None
            yield from _crowded_tag_like_runs(markup, start, pos, json=json)


def _crowded_tag_like_runs(
    markup: str, start: int, end: int, *, json: bool = False
) -> Iterator[tuple[int, int, str]]:
    """The same for "<name ..." runs in a comment or raw text (``markup[start:end]``), read as tags.

    Such text is no article text, and a parser that disagrees with the tokenizer about it (libxml2 is no exact
    HTML5 tokenizer) still meets no crowded tag there. A JSON script is data the page's date and author are read
    from: cutting its text lost them, so its "<" is written "\\u003c" instead, the same JSON and no tag at all.
    """
    for match in _TAG_LIKE.finditer(markup, start, end):
        if _too_many_attributes(match["attrs"]):
            yield (match.start(), match.start() + 1, "\\u003c") if json else (*match.span("attrs"), "")


def _too_many_attributes(attrs: str) -> bool:
    return len(attrs) > 2 * MAX_TAG_ATTRIBUTES and more_than(_ONE_ATTRIBUTE, attrs, MAX_TAG_ATTRIBUTES)


def _self_closing(markup: str, tag: re.Match[str]) -> bool:
    """Whether a start tag ends in "/>" (not in an unquoted value "x=1/>"): libxml2 then reads no raw text
    after "<script/>", where an HTML5 tokenizer would."""
    attrs = tag["attrs"]
    if not attrs.endswith("/") or not markup.startswith(">", tag.end()):
        return False
    last = None
    for last in _ONE_ATTRIBUTE.finditer(attrs):  # noqa: B007 - only the last one matters
        pass
    return last is None or last.end() < len(attrs)


def more_than(pattern: re.Pattern[AnyStr], text: AnyStr, limit: int) -> bool:
    """Whether ``pattern`` matches ``text`` more than ``limit`` times; counting stops there, so a run of
    hundreds of thousands of attributes is never held as a list of matches."""
    return next(itertools.islice(pattern.finditer(text), limit, None), None) is not None


def page_to_article(page: ExtractedPage, url: str) -> Article:
    """An Article from an extracted page: canonical URL, site name as source, topics from its text."""
    from summaries.sources.feeds import article_topics  # feeds imports pages' siblings; avoid a cycle

    source = page.site_name or _host(page.url or url)
    title = title_without_site_name(page.title, (source, _host(page.url or url).split(".")[0]))
    return Article(
        url=canonical_url(url),
        title=title,
        body=page.text,
        source=source,
        published=page.published,
        language=page.language,
        topics=article_topics(title, page.text, language=page.language),
        partial=page.partial,
    )


def title_without_site_name(title: str, names: Iterable[str]) -> str:
    """A page title without the site's name around it: "Story - Site", "Story | Site", "Site | Story".

    The reader sees the site as the source right under the title; "... – TechCrunch" above "TechCrunch" is noise.
    A name is matched ignoring case and punctuation ("9to5Mac" is "9To5Mac"); the title is never emptied.
    """
    keys = {key for name in names if len(key := _name_key(name)) >= 3}
    longest = max(map(len, keys), default=0)
    # The longest suffix that is a name wins: a site's name may hold a separator ("Remember 80/90 - Memorabilia
    # anni 80/90"). Suffixes are keyed from the shortest up, piece by piece, and only until they outgrow every
    # name: keying each suffix whole cost a pass over the title per separator (4,000 " - " took 6 s).
    suffix, end, cut_at = "", len(title), -1
    for cut in reversed(list(_TITLE_SEPARATOR.finditer(title))):
        suffix = _name_key(title[cut.end() : end]) + suffix
        end = cut.start()
        if len(suffix) > longest:
            break
        if cut.start() > 0 and suffix in keys:
            cut_at = cut.start()
    if cut_at >= 0:
        return title[:cut_at]
    prefix, start, cut_after = "", 0, -1
    for sep in _SITE_PREFIX.finditer(title):  # likewise the longest prefix
        prefix += _name_key(title[start : sep.start()])
        start = sep.end()
        if len(prefix) > longest:
            break
        if sep.end() < len(title) and prefix in keys:
            cut_after = sep.end()
    return title[cut_after:] if cut_after >= 0 else title


def _name_key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def _extract(markup: str, url: str | None, options: dict[str, Any]) -> Any:
    try:
        return trafilatura.bare_extraction(markup, url=url, with_metadata=True, **options)
    except Exception as exc:  # a hostile page must give a reason, never a crash
        raise ExtractionError(f"That page could not be read ({type(exc).__name__}).") from exc


def markup_tree(markup: str) -> Any | None:
    """The page's elements (its first 2 MB), or None when lxml cannot read them."""
    try:
        return lxml.html.fromstring(markup[:2_000_000])
    except (lxml.etree.ParserError, ValueError):
        return None


def _mostly_link_text(text: str, linked_paragraphs: set[str]) -> bool:
    """True when most of the extracted words are the texts of links (``linked_paragraphs``, see
    _linked_paragraphs): a section front or a sitemap, or a page that is a line of links (a bar of sections, a
    tag cloud) and hardly anything else."""
    paragraphs = text.split("\n\n")
    linked = sum(len(p.split()) for p in paragraphs if p in linked_paragraphs)
    words = len(text.split())
    if len(paragraphs) < MIN_LISTED_HEADLINES:
        # A short article may end in a line of related links: only a page of links and a word or two is none.
        return linked >= _MIN_SHORT_LINK_SHARE * words
    return linked > 0.6 * words


def _linked_paragraphs(text: str, root: Any | None) -> tuple[set[str], set[str]]:
    """The paragraphs of ``text`` that are the text of one link of the page ``root``, and those that are a line of
    two links or more (see _is_line_of_links)."""
    if root is None:
        return set(), set()
    paragraphs = set(text.split("\n\n"))
    texts = {" ".join(a.text_content().split()) for a in root.iter("a")}
    links = {link for t in texts if 0 < len(link := tuple(_WORD.findall(t))) <= _MAX_LINK_WORDS}
    # A link text's first word -> how many words the link texts starting with it have, most first. By length, not
    # by link: a page of 20,000 "Section N" links tried each of them at every word, a second per 300 words.
    sizes: dict[str, set[int]] = {}
    for link in links:
        sizes.setdefault(link[0], set()).add(len(link))
    lengths = {word: sorted(counts, reverse=True) for word, counts in sizes.items()}
    single = paragraphs & texts
    return single, {p for p in paragraphs - single if _is_line_of_links(p, links, lengths)}


_WORD = re.compile(r"\w+")
_MAX_LINK_WORDS = 40
_MIN_SHORT_LINK_SHARE = 0.9


def _is_line_of_links(paragraph: str, links: set[tuple[str, ...]], lengths: dict[str, list[int]]) -> bool:
    """Whether ``paragraph``'s words are the texts of two links or more, one after another ("Section 1 Section
    2 ..."), with nothing between them but punctuation ("|", "·"); ``lengths``: the word counts of the link texts
    by their first word, most first."""
    tokens = _WORD.findall(paragraph)
    at = count = 0
    while at < len(tokens):
        # The longest link text that starts here: "Section 10", not "Section 1" and then "0".
        found = next((n for n in lengths.get(tokens[at], ()) if tuple(tokens[at : at + n]) in links), 0)
        if not found:
            return False
        at += found
        count += 1
    return count >= 2


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Elements whose text may be one extracted paragraph (a teaser under a headline, or the headline itself).
_TEXT_BLOCKS = frozenset({"p", "li", "dd", "blockquote", "td", "div", "span", "a", *_HEADINGS})
# A page is a list of headlines when at least this many linked headlines each head some of its extracted text,
# and the text under linked headlines is most of it. Measured on 181 real article pages (none flagged; see
# ``python -m summaries.evaluate_extraction --data DATA``).
MIN_LISTED_HEADLINES = 5
MIN_LISTED_SHARE = 0.6
_MIN_HEADLINE_WORDS = 3
_MAX_TEASER_WORDS = 80


@dataclass
class HeadlineListStats:
    """How much of a page's extracted text sits under headlines that link elsewhere (teasers)."""

    headlines: int  # linked headlines that head at least one extracted paragraph
    share: float  # share of the extracted words under (or being) such headlines
    paragraphs: int

    @property
    def is_headline_list(self) -> bool:
        """A section front or home page rather than an article."""
        return self.headlines >= MIN_LISTED_HEADLINES and self.share >= MIN_LISTED_SHARE


def _same_site(href: str | None, host: str | None) -> bool:
    # A headline list links to the site's own stories; a buying guide's product headings link to shops.
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return False
    try:
        target = site_host(urljoin("http://relative.invalid/", href))
    except ValueError:  # "http://[::1/x", a broken IPv6 literal: no link to the site's stories
        return False
    return target == "relative.invalid" or host is None or target == host


def _is_listed_headline(element: Any, host: str | None) -> bool:
    """A heading of a few words that is a link to another page of the site: <h2><a href>Story</a></h2>."""
    own = " ".join(element.text_content().split())
    if len(own.split()) < _MIN_HEADLINE_WORDS:
        return False  # "Newsletters", "Video": a box's title, not a story's
    if any(a.tag == "a" and _same_site(a.get("href"), host) for a in element.iterancestors()):
        return True
    linked = sum(
        len(" ".join(a.text_content().split())) for a in element.iter("a") if _same_site(a.get("href"), host)
    )
    return linked >= 0.8 * len(own)


_MAX_BLOCK_CHARS = 20_000
# A card around a headline's box and its teaser holds no more than this (markup's white space included).
_MAX_CARD_CHARS = 5_000


def _raw_text_sizes(root: Any) -> dict[Any, int]:
    """Characters of text (whitespace included) inside each element, counted in one pass from the leaves up."""
    sizes: dict[Any, int] = {}
    for element in reversed(list(root.iter())):
        sizes[element] = len(element.text or "") + sum(sizes.get(c, 0) + len(c.tail or "") for c in element)
    return sizes


def _teaser_box(heading: Any, sizes: dict[Any, int]) -> frozenset[Any]:
    """Where a linked headline's teaser may be: its parent and the two elements above, but past an <aside> (or a
    box of links inside an <article>, see _is_inline_link_box) only a card that holds it and one teaser.

    An aside is a box of its own: the paragraph after an article's inline box of a related story
    (<aside><h3><a>...</a></h3></aside>) is the article's, though the article holds both; five such boxes between
    short paragraphs made a whole article "a list of headlines".
    """
    box: list[Any] = []
    aside: Any = None
    for ancestor in itertools.islice(heading.iterancestors(), 3):
        if aside is not None and (
            sizes.get(ancestor, 0) > _MAX_BLOCK_CHARS
            or sizes.get(ancestor, 0) - sizes.get(aside, 0) > _MAX_CARD_CHARS
            or len(ancestor.text_content().split()) - len(aside.text_content().split()) > _MAX_TEASER_WORDS
        ):
            break
        box.append(ancestor)
        if aside is None and (ancestor.tag == "aside" or _is_inline_link_box(ancestor, sizes)):
            aside = ancestor
    return frozenset(box)


# Words a box of related links may hold outside its links: a label ("Read more", "Related stories").
_MAX_BOX_LABEL_WORDS = 3


def _is_inline_link_box(element: Any, sizes: dict[Any, int]) -> bool:
    """A <div> or <section> inside an <article> that holds nothing but links and a short label: an article's
    inline box of related stories (<div class="related"><h3><a>...</a></h3></div>), like an <aside>.

    Outside an <article> such a box is as likely a front page's headline, its teaser beside it in one long list.
    """
    if element.tag not in ("div", "section") or sizes.get(element, 0) > _MAX_CARD_CHARS:
        return False
    if not any(ancestor.tag == "article" for ancestor in element.iterancestors()):
        return False
    words = len(element.text_content().split())
    linked = sum(len(a.text_content().split()) for a in element.iter("a"))
    return words - linked <= _MAX_BOX_LABEL_WORDS


def headline_list_stats(text: str, root: Any | None, url: str | None = None) -> HeadlineListStats:
    """Measure how much of ``text`` (extracted from the page ``root``, see markup_tree) is teasers under linked
    headlines."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    total = sum(len(p.split()) for p in paragraphs)
    none = HeadlineListStats(0, 0.0, len(paragraphs))
    if len(paragraphs) < MIN_LISTED_HEADLINES or not total or root is None:
        return none
    host = site_host(url) or None if url else None
    wanted = set(paragraphs)
    owner: dict[str, int] = {}  # paragraph -> index of the linked headline above it (-1: none)
    heading: Any = None
    number = 0  # of the current headline: lxml reuses the ids of element proxies it has freed
    box: frozenset[Any] = frozenset()  # the headline's teaser box: its parent and the two elements above
    sizes = _raw_text_sizes(root)
    for element in root.iter(*_TEXT_BLOCKS):
        if len(owner) == len(wanted):
            break
        if sizes.get(element, 0) > _MAX_BLOCK_CHARS:
            # A box of more text than any teaser or headline: reading its whole text at every level of a deeply
            # nested page would take seconds. What it holds stays unowned, which only makes a list less likely.
            continue
        if element.tag in _HEADINGS:
            listed = _is_listed_headline(element, host)
            heading = element if listed else None
            number += 1
            box = _teaser_box(element, sizes) if listed else frozenset()
        key = " ".join(element.text_content().split())
        if key in wanted and key not in owner:
            # Text under a headline but outside its box (an article's paragraph after a box of related
            # stories) is not that headline's teaser.
            inside = heading is not None and (
                element is heading or not box.isdisjoint(element.iterancestors())
            )
            owner[key] = number if inside else -1
    words_under: dict[int, int] = {}
    for p in paragraphs:
        if owner.get(p, -1) >= 0:
            words_under[owner[p]] = words_under.get(owner[p], 0) + len(p.split())
    # A teaser is a sentence or two; a long text under a linked heading is an article's section.
    teasers = {h: n for h, n in words_under.items() if n <= _MAX_TEASER_WORDS}
    return HeadlineListStats(len(teasers), sum(teasers.values()) / total, len(paragraphs))


def _has_password_field(markup: str) -> bool:
    # Each tag is read up to its end and then searched: "<input[^>]+type" backtracked from every "<input" to
    # the next ">", so a page of them (hidden in a comment) cost half an hour.
    return any(_PASSWORD_TYPE.search(tag[0]) for tag in _INPUT_TAG.finditer(markup[:2_000_000]))


def _clean_text(text: str) -> str:
    """Paragraphs separated by blank lines, inner whitespace collapsed, empty lines dropped."""
    paragraphs = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    return "\n\n".join(p for p in paragraphs if p)


def _without_consent_notice(text: str) -> tuple[str, bool]:
    """``text`` without the paragraphs of a cookie-consent notice that extraction took for article text, and
    whether the notice was all there was."""
    paragraphs = text.split("\n\n")
    kept = [p for p in paragraphs if not _unquoted(_CONSENT_NOTICE, p)]
    if len(kept) == len(paragraphs):
        return text, False
    rest = "\n\n".join(kept)
    return rest, _word_count(rest) < MIN_ARTICLE_WORDS


def _wall(text: str, titles: tuple[str, ...]) -> str | None:
    """Why ``text`` (extracted, with the page's ``titles``) is a page shown instead of an article, or None."""
    if _word_count(text) > MAX_WALL_WORDS:
        return None
    if _unquoted(_BOT_CHECK_HINTS, text) or any(_BOT_CHECK_TITLE.search(t.strip()) for t in titles):
        return BOT_CHECK
    if any(_NOT_FOUND_TITLE.fullmatch(part) for t in titles for part in _NOT_FOUND_PARTS.split(t.strip())):
        return NOT_FOUND
    return None


def _unquoted(pattern: re.Pattern[str], text: str) -> bool:
    """Whether ``pattern`` occurs in a paragraph of ``text`` outside quotation marks.

    A wall says its phrases itself; a news story about one quotes them ('the fake page asks to "verify you are
    human"'), and was refused as the wall it reports on.
    """
    for paragraph in text.split("\n\n"):
        # The quotes open at each match, counted on from the last one: a page-long paragraph stays linear.
        straight = curly = guillemets = single = 0
        read = 0
        for found in pattern.finditer(paragraph):
            between = paragraph[read : found.start()]
            read = found.start()
            straight += between.count('"')
            curly = _still_open(curly, between, "“", "”")
            guillemets = _still_open(guillemets, between, "«", "»")
            single = _still_open(single, _APOSTROPHE.sub("'", between), "‘", "’")
            if not (straight % 2 or curly or guillemets or single or paragraph[read - 1 : read] == "'"):
                return True
    return False


def _still_open(was_open: int, between: str, opening: str, closing: str) -> int:
    """1 when a quotation is open after ``between``, given ``was_open`` before it; else 0."""
    last_open, last_close = between.rfind(opening), between.rfind(closing)
    if last_open == last_close == -1:
        return was_open
    return int(last_open > last_close)


# A ’ before a letter (can’t) is an apostrophe, not the end of a quotation.
_APOSTROPHE = re.compile(r"’(?=\w)")


def _behind_wall(markup: str, root: Any | None) -> bool:
    """Whether the page asks the reader to subscribe or sign in to read on: what was extracted is a teaser.

    The page's visible text is read, not the extracted one: extraction often drops the prompt's box.
    """
    tree = root if root is not None else markup_tree(markup)
    return tree is not None and _unquoted(_PAYWALL_PROMPT, _visible_paragraphs(tree))


def _only_the_wall(text: str, title: str) -> bool:
    """Whether the extracted text, its headline aside, is nothing but a wall's prompt to subscribe or sign in.

    By sentence: a page's one line of story may share a paragraph with the prompt. A word or two beside the
    prompt ("Log in.") is the wall's too.
    """
    if title and text[: len(title)].casefold() == title.casefold():
        text = text[len(title) :]
    sentences = [s for p in text.split("\n\n") for s in _SENTENCE_BREAK.split(p) if s.strip()]
    prompts = [s for s in sentences if _unquoted(_PAYWALL_PROMPT, s)]
    rest = " ".join(s for s in sentences if s not in prompts and not _PAYWALL_HINTS.search(s))
    return bool(prompts) and _word_count(rest) < 3


def _visible_paragraphs(tree: Any) -> str:
    """The text a reader sees on the page, a blank line between blocks (paragraphs, boxes, list items).

    By block, so that a story quoting a wall's prompt ("... read 'Subscribe to continue reading'") is told apart
    from the wall saying it; in one pass, so a deeply nested page costs no more than a flat one.
    """
    paragraphs: list[list[str]] = [[]]
    # Inside a hidden element: its children are none the reader sees either (a <template>'s paywall box, kept
    # for readers who are not subscribers, marked a subscriber's whole article as partial).
    hidden = 0
    for event, element in lxml.etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if tag in _BLOCK_TAGS and paragraphs[-1]:
            paragraphs.append([])
        if event == "start":
            hidden += tag in _HIDDEN_TAGS
            # A comment's or a script's text is none the reader sees (a comment's tag is no string).
            if not hidden and tag is not None and element.text:
                paragraphs[-1].append(element.text)
        else:
            hidden -= tag in _HIDDEN_TAGS
            if not hidden and element.tail and element is not tree:
                paragraphs[-1].append(element.tail)
    return "\n\n".join(text for words in paragraphs if (text := " ".join("".join(words).split())))


def _why_no_article(markup: str) -> str:
    root = markup_tree(markup)
    if root is None:
        return "That page has no article text."
    # A challenge page's inline script is no visible text, and would hide its few words behind hundreds.
    visible = " ".join(root.xpath("//body//text()[not(ancestor::script or ancestor::style)]"))[:20_000]
    titles = (" ".join(" ".join(root.xpath("//title//text()")).split()),)
    wall = _wall(" ".join(visible.split()), titles)
    if wall:
        return wall
    if root.xpath("//input[@type='password']") or _LOGIN_HINTS.search(
        " ".join(root.xpath("//title//text()"))
    ):
        return "That page has no article text (it looks like a login page)."
    if _PAYWALL_HINTS.search(visible):
        return PAYWALLED
    if _NEEDS_JAVASCRIPT.search(visible):
        return NEEDS_JAVASCRIPT
    links = len(root.xpath("//a"))
    if links > 30:
        return "That page has no article text (it looks like a list of links, not an article)."
    return "That page has no article text."


def _page_meta(markup: str) -> dict[str, str]:
    """The <html lang> and <title> of a page, read cheaply from its start."""
    head = markup[:200_000]
    meta: dict[str, str] = {}
    # The first <html and <title tags only, each read to its end without backtracking: tried from every "<html"
    # of a page made of them, "<html[^>]*\blang" rescanned the rest of the page from each (a minute for 200 kB).
    html = _HTML_TAG.search(head)
    lang = _LANG_ATTRIBUTE.search(html[0]) if html else None
    if lang:
        meta["lang"] = lang.group(1)
    title = _TITLE_TAG.search(head)
    end = _TITLE_END.search(head, title.end()) if title and head.startswith(">", title.end()) else None
    if title and end:
        inner = tame_markup(head[title.end() + 1 : end.start()])
        meta["title"] = " ".join(lxml.html.fromstring(f"<p>{inner}</p>").text_content().split())
    return meta


def _parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _language(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().split("-")[0].split("_")[0].lower()[:3]


# Pages whose only name is in a copyright notice or an address: <meta name="copyright" content="Copyright 2014">
# and og:site_name "https://www.example.com" were shown as an article's source.
_COPYRIGHT_MARK = re.compile(
    r"^(?:(?:copyright(?![\w.])|\(c\)|©|ⓒ)\s*)+(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?[.,]?\s*|\.?\s*all rights reserved\.?$",
    re.IGNORECASE,
)


def _site_name(value: Any) -> str | None:
    """The site's name as a page states it, without a copyright notice around it; an address stands for its host."""
    name = " ".join(str(value or "").split())
    if name.lower().startswith(("http://", "https://", "www.")):
        return _host(name if "://" in name else f"http://{name}") or None
    bare = _COPYRIGHT_MARK.sub("", name).strip()
    if bare != name and not any(ch.isalpha() for ch in bare):
        return None  # "Copyright 2014": a notice with no name in it
    return bare or None


def _first_line(text: str) -> str:
    line = text.split("\n", 1)[0]
    return line if len(line) <= 120 else line[:120].rsplit(" ", 1)[0] + "…"


def _host(url: str) -> str:
    # Without a host (a broken IPv6 literal, "http://[abc/x"), the address as it is names the source.
    return site_host(url) or url.removeprefix("www.")
