"""Extractive news summaries: cleaning, offline sentence splitting, and sentence selection.

The default method ("default") is built for news and vectorized with numpy: TextRank-style centrality over
content-word overlap, a lead-position prior, similarity to the title, a preference for full-length sentences
and MMR redundancy control. Every sumy algorithm is available by name too, fed with the same cleaned
sentences.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.reduction import ReductionSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

from summaries.text import (
    SENTENCE_CLOSING,
    SENTENCE_FINAL,
    SentenceTokenizer,
    clean_text,
    is_boilerplate,
    split_sentences,
    stemmer,
    stems,
    stop_words,
    text_language,
    unspaced_letters,
    unspaced_parts,
    words,
)

__all__ = ["ALGORITHMS", "clean_text", "split_sentences", "summarize"]

_SUMY_ALGORITHMS = ("luhn", "edmundson", "lsa", "lexrank", "textrank", "sumbasic", "kl", "reduction")
ALGORITHMS: tuple[str, ...] = ("default", "lead", *_SUMY_ALGORITHMS)

MIN_SENTENCES = 1
MAX_SENTENCES = 10
# Beyond this many sentences a text is not a news article; later sentences cannot make a news summary, and
# the similarity matrix (and sumy's quadratic or cubic algorithms) must stay small.
_MAX_CANDIDATES = 300
# ... and in Chinese, Japanese and Thai, beyond this many characters (far more than a news article has): the
# selector's vocabulary there is the pairs of letters, which a hostile text makes as many as its characters
# (300 sentences of 1,000 random ones took 0.8 GB and 2.5 s).
_MAX_CANDIDATE_CHARS = 20_000
_MAX_CANDIDATES_SUMY = {"kl": 60, "reduction": 80}
_MAX_CANDIDATES_SUMY_DEFAULT = 150
# A teaser cut off by the feed: a word, comma or dash, then an ellipsis or "[...]" (four dots end a sentence).
_CUT_OFF = re.compile(r"[\w,;:–-]\s*(?:\.{3}|…|\[\s*(?:\.{3}|…)\s*\])$")
# Words that mark a sentence as furniture for Edmundson's stigma method.
_STIGMA_WORDS = ("click", "subscribe", "newsletter", "advertisement", "cookies", "copyright", "sponsored")


@dataclass(frozen=True, slots=True)
class NewsWeights:
    """Weights of the default news selector (chosen by measurement, see summaries.evaluate)."""

    centrality: float = 1.0  # TextRank-style PageRank over content-word overlap
    frequency: float = 0.5  # mean in-article frequency of the sentence's content words
    position: float = 0.5  # lead prior 1/sqrt(position + 1)
    title: float = 0.3  # cosine similarity to the title
    length_words: float = 20.0  # sentences shorter than this many words are scaled down
    long_words: float = 35.0  # ... and longer ones too (run-on captions and quote dumps), 0 = off
    redundancy: float = 0.2  # MMR: share of the score traded for novelty
    damping: float = 0.85


DEFAULT_WEIGHTS = NewsWeights()


@dataclass(slots=True)
class Prepared:
    """A cleaned article ready for selection: candidate sentences and their content-word stems."""

    sentences: list[str]
    stems: list[list[str]]
    content_words: list[list[str]]
    word_counts: list[int]
    title_stems: list[str]
    language: str


def prepare(text: str, title: str | None = None, language: str | None = None) -> Prepared:
    """Clean and split an article, keep the candidate sentences and their stems."""
    cleaned = clean_text(text, title)
    # The title's words count too: a feed's teaser may be a single sentence, too little to tell the language.
    lang = text_language(f"{title}\n{cleaned}" if title else cleaned, language)
    seen: set[str] = set()
    sentences: list[str] = []
    chars_left = _MAX_CANDIDATE_CHARS if lang in _BIGRAM_LANGUAGES else math.inf
    for sent in split_sentences(cleaned, lang):
        key = " ".join(w.lower() for w in words(sent))
        if not key or key in seen or is_boilerplate(sent, title):
            continue
        seen.add(key)
        sentences.append(sent)
        chars_left -= len(sent)
        if len(sentences) >= _MAX_CANDIDATES or chars_left <= 0:
            break
    else:
        if len(sentences) > 1 and (
            _CUT_OFF.search(sentences[-1])
            or _cut_without_mark(text, cleaned, sentences[-1], stop_words(lang))
        ):
            sentences.pop()  # the feed cut its teaser mid-sentence: "... mit einem...", "... throughou [...]"
    sentences = _without_name_lines(sentences, cleaned)
    toks = [words(s) for s in sentences]
    sw = stop_words(lang)
    if lang in _BIGRAM_LANGUAGES:
        terms = [_bigram_terms(t, lang) for t in toks]
        return Prepared(
            sentences=sentences,
            stems=[stems_ for stems_, _, _ in terms],
            content_words=[content for _, content, _ in terms],
            word_counts=[count for _, _, count in terms],
            title_stems=_bigram_terms(words(title), lang)[0] if title else [],
            language=lang,
        )
    return Prepared(
        sentences=sentences,
        stems=[stems(t, lang) for t in toks],
        content_words=[[w for w in (t.lower() for t in ts) if w not in sw] for ts in toks],
        word_counts=[len(t) for t in toks],
        title_stems=stems(words(title), lang) if title else [],
        language=lang,
    )


# A line that is only a name, two or three words in capitals ("Jo Marsh" under a photo, a speaker's name before
# a quote): no sentence, but a text with no more sentences than asked for showed it as one.
_NAME_LINE = re.compile(r"[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){1,2}")


def _without_name_lines(sentences: list[str], cleaned: str) -> list[str]:
    """``sentences`` without the lines that are only a name, unless nothing else is left."""
    names = [s for s in sentences if _NAME_LINE.fullmatch(s) and all(w[0].isupper() for w in s.split())]
    if not names:
        return sentences
    lines = {" ".join(line.split()) for line in cleaned.split("\n")}
    dropped = {s for s in names if " ".join(s.split()) in lines}
    kept = [s for s in sentences if s not in dropped]
    return kept or sentences


def _cut_without_mark(text: str, cleaned: str, last: str, stop: frozenset[str]) -> bool:
    """Whether ``text`` ends in ``last``, a sentence cut off with no mark (mid-paragraph, on a word none ends on).

    Feeds cut a teaser at so many characters, often with no ellipsis, and the piece was shown as a summary sentence
    ("... resell your games? Weird! The" gave "The"). A heading, a caption or a byline
    stands on a line of its own, and a sentence whose full stop was forgotten still ends on a word that can end one
    ("The economy expanded by 1.3%"); this piece ends on a comma, a dash or a word such as "the", "and" or "of".
    """
    if _FINISHED.search(last):
        return False
    tail = " ".join(last.split())
    line = " ".join(cleaned.rstrip().rsplit("\n", 1)[-1].split())
    if not line.endswith(tail) or len(line) == len(tail) or not " ".join(text.split()).endswith(tail):
        return False
    if _FINISHED.search(line[: -len(tail)].rstrip()) is None:
        return False
    last_word = tail.rsplit(None, 1)[-1]
    return last_word[-1] in _CUT_MARKS or last_word.lower() in stop


_CUT_MARKS = ",:–—-"


# Chinese, Japanese and Thai write no spaces between words, so a regex "word" is a whole clause and sentences
# about the same thing share none: centrality, frequency and title similarity saw nothing, leaving position
# and length to choose. Overlapping pairs of letters stand in for their words (the dictionary-free way to
# compare such text); words in other scripts written against them stay words.
_BIGRAM_LANGUAGES = frozenset({"chinese", "japanese", "thai"})
# Letters a word runs to (a Thai letter with its vowel and tone marks counts one): Chinese and Japanese words
# run one to two characters, Thai ones three to four; page extraction counts CJK words the same way.
_LETTERS_PER_WORD = {"chinese": 2.0, "japanese": 2.0, "thai": 3.5}


def _bigram_terms(tokens: list[str], lang: str) -> tuple[list[str], list[str], int]:
    """Stems and content words of a sentence of an unspaced language, and its length in words.

    The length is estimated from the letters, so that the length prior does not favour sentences with more
    commas (each comma started a new "word").
    """
    sw = stop_words(lang)
    grams: list[str] = []
    others: list[str] = []
    letters = 0
    for token in tokens:
        runs, pieces = unspaced_parts(token)
        for run in runs:
            chars = unspaced_letters(run)
            letters += len(chars)
            # A run of one letter ("桥", between commas) is a word of its own.
            pairs = chars if len(chars) < 2 else [a + b for a, b in pairwise(chars)]
            grams.extend(g for g in pairs if g not in sw)
        others.extend(pieces)
    content = [w for w in (t.lower() for t in others) if w not in sw]
    words_ = len(others) + round(letters / _LETTERS_PER_WORD[lang])
    return grams + stems(others, lang), grams + content, words_


def _clamp(n: int) -> int:
    try:
        n = int(n)
    except (TypeError, ValueError):
        n = 3
    return max(MIN_SENTENCES, min(MAX_SENTENCES, n))


def summarize(
    text: str,
    sentences: int = 3,
    *,
    title: str | None = None,
    language: str | None = None,
    algorithm: str = "default",
) -> list[str]:
    """Summary sentences of an article, in article order, without boilerplate or repeats."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown summary algorithm {algorithm!r}; choose one of: {', '.join(ALGORITHMS)}")
    n = _clamp(sentences)
    if not text or not text.strip():
        return []
    prepared = prepare(text, title, language)
    if algorithm == "default":
        # Also when the text has no more sentences than asked for: a feed's standfirst and the paragraph
        # that restates it were both shown.
        chosen = select_news(prepared, n)
    elif len(prepared.sentences) <= n:
        return list(prepared.sentences)
    elif algorithm == "lead":
        chosen = list(range(n))
    else:
        chosen = _select_sumy(prepared, n, algorithm, title)
    return [prepared.sentences[i] for i in sorted(set(chosen))]


# --- the default news selector ------------------------------------------------------------------------------


def _incidence(prepared: Prepared) -> np.ndarray:
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, sent_stems in enumerate(prepared.stems):
        for stem in set(sent_stems):
            rows.append(i)
            cols.append(vocab.setdefault(stem, len(vocab)))
    for stem in set(prepared.title_stems):
        vocab.setdefault(stem, len(vocab))
    matrix = np.zeros((len(prepared.stems) + 1, max(1, len(vocab))), dtype=np.float64)
    matrix[rows, cols] = 1.0
    # The last row is the title, so title similarity comes out of the same product.
    matrix[len(prepared.stems), [vocab[s] for s in set(prepared.title_stems)]] = 1.0
    return matrix


def news_features(prepared: Prepared, damping: float = 0.85) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-sentence centrality, title similarity, and the sentence-by-sentence cosine matrix."""
    incidence = _incidence(prepared)
    overlap = incidence @ incidence.T
    sizes = np.diag(overlap).copy()
    s = len(prepared.stems)
    sent_overlap = overlap[:s, :s]
    # TextRank's edge weight: shared words over log lengths; rewards long, well-connected sentences,
    # which is what extractive references (and readers skimming for facts) favour.
    log_sizes = np.log(np.maximum(sizes[:s], 1.0) + 1.0)
    weights = sent_overlap / (log_sizes[:, None] + log_sizes[None, :])
    np.fill_diagonal(weights, 0.0)
    out_degree = weights.sum(axis=1)
    transition = np.divide(
        weights, out_degree[:, None], out=np.zeros_like(weights), where=out_degree[:, None] > 0
    )
    rank = np.full(s, 1.0 / s)
    for _ in range(30):
        new_rank = (1.0 - damping) / s + damping * (transition.T @ rank)
        if np.abs(new_rank - rank).sum() < 1e-6:
            rank = new_rank
            break
        rank = new_rank
    norms = np.sqrt(np.maximum(sizes, 1.0))
    cosine = overlap / (norms[:, None] * norms[None, :])
    title_sim = cosine[s, :s] if prepared.title_stems else np.zeros(s)
    return rank, title_sim, cosine[:s, :s]


def news_scores(prepared: Prepared, weights: NewsWeights = DEFAULT_WEIGHTS) -> tuple[np.ndarray, np.ndarray]:
    """Relevance score of every candidate sentence and the cosine matrix used for redundancy."""
    rank, title_sim, cosine = news_features(prepared, weights.damping)
    s = len(prepared.sentences)
    position = 1.0 / np.sqrt(np.arange(1, s + 1, dtype=np.float64))
    counts = np.asarray(prepared.word_counts, dtype=np.float64)
    length = np.minimum(1.0, counts / max(weights.length_words, 1.0))
    if weights.long_words:
        length *= np.minimum(1.0, weights.long_words / np.maximum(counts, 1.0))
    score = (
        weights.centrality * _unit(rank)
        + weights.frequency * _unit(_mean_frequency(prepared.content_words))
        + weights.position * position
        + weights.title * title_sim
    )
    return score * length * _fragment_factor(prepared.sentences), cosine


# Ends like a sentence, in any script newsbot reads: before, a Chinese or Hindi sentence ending in "。" or "।"
# was halved as a fragment like a caption, so a line cut short was as likely picked as a whole sentence.
_FINISHED = re.compile(f"[{SENTENCE_FINAL}][{SENTENCE_CLOSING}]*$")


def _fragment_factor(sentences: list[str]) -> np.ndarray:
    """Halve the score of what is not a whole sentence, once per sign.

    A sentence that starts in lower case is a fragment (a caption fused into the text, a bad split); one that
    does not end in final punctuation is a photo caption, a sub-heading or a piece cut from a run-on. Captions
    restate the story's key words, so centrality alone would pick them (measured on CNN/DM, where Daily Mail
    captions sit between paragraphs: +0.5 ROUGE-1, BBC ±0.1). One that closes a quotation it did not open is
    the tail of a quote begun in the sentence before, which reads as broken on its own (ROUGE unchanged).
    """
    return np.array(
        [
            (0.5 if s[:1].islower() else 1.0)
            * (1.0 if _FINISHED.search(s) else 0.5)
            * (0.5 if _closes_unopened_quote(s) else 1.0)
            for s in sentences
        ]
    )


def _closes_unopened_quote(sentence: str) -> bool:
    text = sentence.replace("``", "\u201c").replace("''", "\u201d")
    if text.count("\u201d") > text.count("\u201c"):
        return True
    # Straight quotes do not say which way they face: an odd one at the end, with none at the start, closes.
    stripped = text.strip()
    return text.count('"') % 2 == 1 and not stripped.startswith('"') and stripped.endswith('"')


def _unit(values: np.ndarray) -> np.ndarray:
    top = values.max() if len(values) else 0.0
    return values / top if top > 0 else values


def _mean_frequency(content_words: list[list[str]]) -> np.ndarray:
    # Sentences made of the article's most repeated words state its topic (Luhn's observation); the mean
    # rather than the sum keeps this feature from simply favouring long sentences.
    freq = Counter(w for ws in content_words for w in ws)
    return np.array([sum(freq[w] for w in ws) / len(ws) if ws else 0.0 for ws in content_words])


# Two sentences that say the same in nearly the same words: a feed's standfirst and the paragraph restating it
# ("Donald Trump came to power on the heels of a rightwing movement rooted in the Tea Party protests." and "Donald
# Trump himself came to power on the heels of a rightwing populist movement that had its origins in the Tea Party
# protests of 2009."). MMR's redundancy term only lowers the second's score, and both were picked. Sentences of
# a few content words share them by chance ("bugs" and "games"), so only sentences of at least this many are
# compared so; and two that give different numbers state different facts ("plan number 3", "plan number 4").
_NEAR_DUPLICATE = 0.75
_NEAR_DUPLICATE_MIN_WORDS = 5
_NUMBER = re.compile(r"\d+")


def select_news(prepared: Prepared, n: int, weights: NewsWeights = DEFAULT_WEIGHTS) -> list[int]:
    """Indices of the (at most) n sentences the default news method picks (MMR over the relevance score).

    A near-duplicate of a sentence already picked is never picked, so fewer than n may come back.
    """
    if not prepared.sentences:
        return []
    score, cosine = news_scores(prepared, weights)
    top = float(score.max()) or 1.0
    relevance = score / top
    sizes = np.array([len(set(s)) for s in prepared.stems])
    comparable = np.minimum(sizes[:, None], sizes[None, :]) >= _NEAR_DUPLICATE_MIN_WORDS
    near_duplicate = (cosine >= _NEAR_DUPLICATE) & comparable
    numbers = [frozenset(_NUMBER.findall(s)) for s in prepared.sentences]
    chosen: list[int] = []
    max_sim = np.zeros(len(relevance))
    available = np.ones(len(relevance), dtype=bool)
    for _ in range(min(n, len(relevance))):
        if not available.any():
            break
        mmr = (1.0 - weights.redundancy) * relevance - weights.redundancy * max_sim
        mmr[~available] = -math.inf
        best = int(np.argmax(mmr))
        chosen.append(best)
        available[best] = False
        same_numbers = np.array(
            [not (numbers[best] and other and other != numbers[best]) for other in numbers]
        )
        available &= ~(near_duplicate[best] & same_numbers)
        max_sim = np.maximum(max_sim, cosine[best])
    return chosen


# --- sumy algorithms --------------------------------------------------------------------------------


def _sumy_summarizer(algorithm: str, language: str, title: str | None) -> Callable[..., Sequence[Sentence]]:
    stem = stemmer(language)
    factories: dict[str, Callable[[], object]] = {
        "luhn": lambda: LuhnSummarizer(stem),
        "edmundson": lambda: EdmundsonSummarizer(stem),
        "lsa": lambda: LsaSummarizer(stem),
        "lexrank": lambda: LexRankSummarizer(stem),
        "textrank": lambda: TextRankSummarizer(stem),
        "sumbasic": lambda: SumBasicSummarizer(stem),
        "kl": lambda: KLSummarizer(stem),
        "reduction": lambda: ReductionSummarizer(stem),
    }
    summarizer = factories[algorithm]()
    sw = stop_words(language)
    summarizer.stop_words = sw  # type: ignore[attr-defined]
    if isinstance(summarizer, EdmundsonSummarizer):
        # Edmundson needs cue words; without a corpus to learn them the title's words are the best bonus.
        title_words = [w.lower() for w in words(title or "") if w.lower() not in sw]
        summarizer.bonus_words = title_words or ["said"]
        summarizer.stigma_words = _STIGMA_WORDS
        summarizer.null_words = sw
    return summarizer  # type: ignore[return-value]


def _select_sumy(prepared: Prepared, n: int, algorithm: str, title: str | None) -> list[int]:
    limit = _MAX_CANDIDATES_SUMY.get(algorithm, _MAX_CANDIDATES_SUMY_DEFAULT)
    candidates = prepared.sentences[:limit]
    if len(candidates) <= n:
        return list(range(len(candidates)))
    tokenizer = SentenceTokenizer(prepared.language)
    document = ObjectDocumentModel([Paragraph([Sentence(s, tokenizer) for s in candidates])])
    summarizer = _sumy_summarizer(algorithm, prepared.language, title)
    index = {s: i for i, s in enumerate(candidates)}
    try:
        picked = summarizer(document, n)
    except (ValueError, ZeroDivisionError, np.linalg.LinAlgError):
        # sumy's algorithms fail on degenerate input (no content words, singular matrices): fall back to lead.
        return list(range(n))
    chosen = [index[str(s)] for s in picked if str(s) in index]
    return chosen or list(range(n))
