"""Duplicate and same-story detection, pure Python, with signatures that store as text.

* :func:`content_fingerprint` catches exact-ish duplicates: the same headline and text with different spacing,
  case, punctuation or markup remnants (a story syndicated unchanged, a feed that re-publishes an item).
* :func:`story_signature` / :func:`same_story` group the same story told by two sources: a MinHash sketch
  of the story's distinctive words (names, numbers, key terms) estimates how much of its vocabulary two texts
  share. :func:`story_bands` gives LSH band keys so a store can find candidates with an index, not a scan.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from functools import cache

from summaries.text import WORD

# Two texts whose sketches agree on at least this share of positions are the same story. Chosen on rewrites:
# the same event reported by different outlets shares roughly 30-60 % of its distinctive words, different
# stories on the same subject 5-20 % (see tests/summaries/test_dedup.py).
SAME_STORY_THRESHOLD = 0.3
# One source never reports one story twice: a second article of its with a different text is a revision of the
# first (a corrected or updated item: 80-100 % shared) or a follow-up, which is news (the next day's twist on
# the same people: 45-70 % shared, as much as two outlets' rewrites of one event). Measured on the BBC News set
# (python -m summaries.evaluate_stories --data DATA): at 0.3 a third of one source's grouped pairs were follow-ups
# that would never reach readers, since "also: ..." names only the other sources.
SAME_SOURCE_THRESHOLD = 0.75
# Short items share a large part of very few words by chance: "Apple earnings" / "Apple layoffs" (1 of 3, 0.33),
# "Item 4" / "The First Item" (0.5). Of the BBC set's 1,077 headlines alone, 114 unrelated pairs reach 0.3:
# 111 of them share 1-3 words, 3 share 4. A story needs this many distinctive words in common too: a rewrite
# missed for it costs a duplicate alert, a wrong group the second article's alert itself.
MIN_SHARED_WORDS = 4
_PERMUTATIONS = 64
# 16 bands of 4 rows: a pair of similarity s shares a band with probability 1 - (1 - s**4)**16, so 0.12 at 0.3,
# 0.64 at 0.5, 0.88 at 0.6 and 0.998 at 0.75: between 0.3 and 0.6 grouping is partly luck (a missed merge, one
# duplicate alert), and that luck is what keeps most same-subject pairs at 0.3-0.4 apart (see evaluate_stories).
_BANDS = 16
_BODY_WORDS = 300  # the lead says what the story is; the tail is background that differs between outlets
_PRIME = (1 << 61) - 1
_MASK = (1 << 32) - 1
_PREFIX = "mh1:"
# The figure is atomic: giving back a digit only widens the word the lookahead then scans, so it never helps,
# and a headline of 30,000 digits and a letter was rescanned once per digit (2.6 s, quadratic).
_FIGURE = re.compile(r"(?<![\w.,:/-])(?>\d+(?:[.,:/-]\d+)*)(?![\w.,:/-]*[^\W\d_])")
_WORD = re.compile(f"{WORD}(?:[-'.]{WORD})*")
_STOP_WORDS = """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    said says say told according new one two year years week weeks day days time last first like get got make
    made may might must us mr mrs ms however still even back well way much many people"""
_STOP = frozenset(_STOP_WORDS.split())


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(text))


def content_fingerprint(title: str, body: str) -> str:
    """A hash that is equal for texts that differ only in case, spacing, punctuation or a repeated title."""
    norm_body = _normalise(body)
    norm_title = _normalise(title)
    if norm_title and norm_body.startswith(norm_title + " "):
        norm_body = norm_body[len(norm_title) + 1 :]  # some sources repeat the headline as the first line
    # The headline is always part of it: feeds give many items one text (a blog series' intro, a podcast's
    # blurb, a shop's standard description), and the body alone dropped every item after the first, unstored.
    # A headline edited and re-published at a new address is a new row, but the same story (see titles_agree).
    key = f"{norm_title}\n{norm_body}"
    return "sha1:" + hashlib.sha1(key.encode("utf-8")).hexdigest()


def titles_agree(title_a: str, title_b: str) -> bool:
    """Whether two headlines of one source can head one story: most distinctive words of the shorter are in both.

    Reworded headlines keep the story's names and key words ("Melzer shocks Agassi" / "Melzer shocks Agassi in
    San Jose"); items a feed gives one shared text differ in exactly those ("BondiBlock" / "PhonoBlock"). A
    headline without distinctive words tells nothing: True.
    """
    words_a, words_b = _features(title_a, ""), _features(title_b, "")
    if not words_a or not words_b:
        return True
    return len(words_a & words_b) > min(len(words_a), len(words_b)) / 2


def _features(title: str, body: str) -> set[str]:
    words = _WORD.findall(unicodedata.normalize("NFKC", f"{title} {title} {body}").casefold())
    feats: set[str] = set()
    for word in words[: _BODY_WORDS + 40]:
        word = word.strip("'.-")
        if len(word) < 3 and not word.isdigit():
            continue
        if word in _STOP:
            continue
        # A light stem so "cuts"/"cut", "workers"/"worker" and "talks"/"talk" count as one word.
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        feats.add(word)
    return feats


@cache
def _coefficients() -> tuple[tuple[int, int], ...]:
    """Fixed (a, b) pairs for the hash family; derived from a constant seed so signatures stay comparable."""
    out = []
    for i in range(_PERMUTATIONS):
        digest = hashlib.sha256(f"newsbot-minhash-{i}".encode()).digest()
        a, b = struct.unpack(">QQ", digest[:16])
        out.append((a % (_PRIME - 1) + 1, b % _PRIME))
    return tuple(out)


def story_signature(title: str, body: str) -> str:
    """A MinHash sketch of the story's distinctive words and their number, as text ("mh1:" + hex + ":N")."""
    feats = _features(title, body)
    if not feats:
        return _PREFIX
    hashes = [
        int.from_bytes(hashlib.blake2b(f.encode("utf-8"), digest_size=8).digest(), "big") for f in feats
    ]
    mins = []
    for a, b in _coefficients():
        mins.append(min(((a * h + b) % _PRIME) & _MASK for h in hashes))
    return _PREFIX + "".join(f"{m:08x}" for m in mins) + f":{len(feats)}"


def _decode(signature: str) -> list[int] | None:
    if not signature.startswith(_PREFIX):
        return None
    raw = signature[len(_PREFIX) :].partition(":")[0]
    if len(raw) != 8 * _PERMUTATIONS:
        return None
    try:
        return [int(raw[i : i + 8], 16) for i in range(0, len(raw), 8)]
    except ValueError:
        return None


def _word_count(signature: str, values: list[int]) -> float:
    """How many distinctive words a signature was made of: stored after it, else estimated from its minima."""
    count = signature.rpartition(":")[2]
    if count.isdigit() and signature.count(":") == 2:
        return int(count)
    # Signatures stored before the count was: the minima of n random 32-bit values average 2**32 / (n + 1).
    return _PERMUTATIONS / max(sum(values) / (1 << 32), 1e-9) - 1


def story_similarity(sig_a: str, sig_b: str) -> float:
    """Estimated share of distinctive words two stories have in common (0.0 to 1.0)."""
    a, b = _decode(sig_a), _decode(sig_b)
    return 0.0 if a is None or b is None else _similarity(a, b)


def _similarity(a: list[int], b: list[int]) -> float:
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / _PERMUTATIONS


def same_story(sig_a: str, sig_b: str, *, same_source: bool = False) -> bool:
    """True when two signatures describe the same story (similarity at or above SAME_STORY_THRESHOLD, and at
    least MIN_SHARED_WORDS distinctive words in common).

    ``same_source``: both articles come from one source, so only a revision of one text is the same story
    (SAME_SOURCE_THRESHOLD); a follow-up sharing the people and background is a story of its own.
    """
    threshold = SAME_SOURCE_THRESHOLD if same_source else SAME_STORY_THRESHOLD
    a, b = _decode(sig_a), _decode(sig_b)
    if a is None or b is None:
        return False
    similarity = _similarity(a, b)
    if similarity < threshold:
        return False
    # Similarity is shared / (|A| + |B| - shared), so shared = similarity * (|A| + |B|) / (1 + similarity).
    words = _word_count(sig_a, a) + _word_count(sig_b, b)
    return similarity * words / (1 + similarity) >= MIN_SHARED_WORDS


def joins_story(
    signature: str, title: str, known_signature: str, known_title: str, *, same_source: bool = False
) -> bool:
    """Whether an article joins the story of a known one: the same story (``same_story``), and, from one source,
    under a headline that agrees with the known one's (``titles_agree``: a source's next item with the same stock
    text is news of its own), or, from another, not one template with other figures (``figures_differ``)."""
    if not same_story(signature, known_signature, same_source=same_source):
        return False
    if same_source:
        return titles_agree(title, known_title)
    return not figures_differ(title, known_title)


def figures_differ(title_a: str, title_b: str) -> bool:
    """Whether two headlines are one template with other figures: their words agree, their figures do not.

    Templated items differ in little else: insider filings ("CFO Sells $1,204,000 in Stock" / "Director Sells
    $310,500 in Stock" of one company, from two outlets), a show's episodes ("Outtakes 2" / "Outtakes 1"). Two
    outlets' own headlines on one event may state other figures too ("Quake kills 12" / "Death toll in quake
    rises to 20"), but in words of their own: those still group.
    """
    figures_a, figures_b = _figures(title_a), _figures(title_b)
    return bool(figures_a and figures_b) and not figures_a & figures_b and titles_agree(title_a, title_b)


def _figures(title: str) -> set[str]:
    # "1,500" and "1500" are one figure; "20th", "$500M" and "COVID-19" are words.
    return set(_FIGURE.findall(re.sub(r"(?<=\d),(?=\d{3}\b)", "", title)))


def story_bands(signature: str) -> list[str]:
    """LSH band keys of a signature: two likely-same stories share at least one key (index these)."""
    values = _decode(signature)
    if values is None:
        return []
    rows = _PERMUTATIONS // _BANDS
    return [
        f"{band}:" + "".join(f"{v:08x}" for v in values[band * rows : (band + 1) * rows])
        for band in range(_BANDS)
    ]
