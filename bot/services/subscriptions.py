"""Following and unfollowing topics and keywords: word parsing, topic resolution, limits."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.delivery.planning import keyword_key
from bot.errors import UserError
from bot.render.replies import describe_subscription_limit
from bot.store.models import Subscription
from summaries.text import strip_edges, without_tag_sign
from summaries.topics import EVERY_TOPIC_WORDS, Topic

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.delivery import DeliveryService
    from bot.store import Database
    from summaries.topics import TopicCatalogue

MAX_KEYWORD_CHARS = 50
MIN_KEYWORD_CHARS = 2
MAX_SUBSCRIPTIONS = 50
MAX_WORDS_PER_REQUEST = 30
# "/unsubscribe all" drops everything; unquoted, these words are never keywords to follow (nor topic names).
_ALL_WORDS = EVERY_TOPIC_WORDS

# A quoted phrase as phones type it: "straight", “English”, „German“ (or „Polish”), ”Swedish”, «French»,
# »Danish«, 「Japanese」, or a bare run of non-space characters. A single quote ('...', ‘...’, ‚...‘) opens a
# phrase only where a word starts and closes it only where one ends: "O’Brien" and "rock 'n' roll" hold them.
_TOKEN = re.compile(
    r'"([^"]*)"?|“([^”]*)”?|„([^“”]*)[“”]?|”(?=\S)([^”]*)”?|«([^»]*)»?|»(?=\S)([^«]*)«?|「([^」]*)」?|『([^』]*)』?'
    r"|(?<!\S)['‘‚](\S[^\n]*?)['’‘](?![^\s,;:.!?])"
    r'|([^\s"“”„«»「」『』]+)'
)
_QUOTED_GROUPS = _TOKEN.groups - 1
# Between unquoted words, as a list is typed: "science;health" was one keyword no article prints. Chinese and
# Japanese keyboards type their own commas ("，", "、", "；"), Arabic and Persian ones "،" and "؛".
_SEPARATOR = re.compile(r"[,;，、；،؛]")
_HAS_WORD_CHAR = re.compile(r"\w")
# Words nearly every English article holds: a keyword of only these ("the", "us", "said") would send the chat
# almost every article. "it" and "all" are not here: "it" names the technology topic, "all" has its own answer.
_TOO_COMMON_WORDS = """a an the and or but nor if so as at by for from in into of off on onto out over per than to up
via with about after before i me my we us our you your he him his she her its they them their this that these
those who whom whose which what is are was were be been being am has have had do does did will would can could
should shall might must not there here then also just said says"""
_TOO_COMMON = frozenset(_TOO_COMMON_WORDS.split())


@dataclass(frozen=True, slots=True)
class Word:
    """One thing a user asked to follow: its text (edge punctuation dropped), whether it was quoted, and
    ``typed``, the text before that, for a refusal to quote."""

    text: str
    quoted: bool = False
    typed: str = ""


@dataclass(slots=True)
class FollowResult:
    """What /subscribe did with each word: topics, keywords, suggestions for near misses, refusals."""

    topics: list[Topic] = field(default_factory=list)
    topics_already: list[Topic] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    keywords_already: list[str] = field(default_factory=list)
    suggestions: list[tuple[str, Topic]] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (word, why)
    limit_reached: list[str] = field(default_factory=list)
    # (word as typed, keyword): a hashtag, cashtag or handle followed as its word ("#tesla", "tesla").
    signs_dropped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything new is followed now."""
        return bool(self.topics or self.keywords)


@dataclass(slots=True)
class UnfollowResult:
    """What /unsubscribe did: topics and keywords dropped, words the chat did not follow."""

    topics: list[Topic] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    not_followed: list[str] = field(default_factory=list)
    suggestions: list[tuple[str, Topic]] = field(default_factory=list)  # (word as typed, the topic followed)
    removed_all: int | None = None
    # Stories queued for the chat (for its digest, held by quiet hours, waiting out an outage) that matched only
    # what was dropped, and so will not come: the reply says so, or a shorter digest looks like a fault.
    dropped_queued: int = 0


@dataclass(frozen=True, slots=True)
class TopicToggle:
    """What a tap on a /topics button did: the topic is followed afterwards (``on``), or turning it off dropped
    ``dropped_queued`` queued stories that matched nothing else the chat follows."""

    on: bool
    dropped_queued: int


def parse_words(text: str, *, keep_punctuation: bool = False) -> list[Word]:
    """Split user input into words and quoted phrases; commas and semicolons separate too ("business, tesla").

    ``keep_punctuation``: a word of only punctuation ("!!!", '"..."') is kept, as an empty ``text`` with its
    ``typed`` form, for a refusal to name it; else it is left out."""
    words: list[Word] = []
    for match in _TOKEN.finditer(text):
        quoted = next((g for g in match.groups()[:_QUOTED_GROUPS] if g is not None), None)
        if quoted is not None:
            typed = " ".join(quoted.split())
            phrase = strip_edges(typed)
            if phrase or (keep_punctuation and typed):
                words.append(Word(phrase, quoted=True, typed=typed))
            continue
        for typed in _SEPARATOR.split(match.group(_TOKEN.groups)):
            part = strip_edges(typed)
            if part or (keep_punctuation and typed.strip()):
                words.append(Word(part, typed=typed))
    return words


def normalise_keyword(text: str) -> str:
    """The stored form of a keyword: composed (NFC), lower case ("İ" as a plain "i"), single spaces, no
    punctuation at the edges but the dot that starts a name (".net"), no hashtag, cashtag or handle sign."""
    # "/subscribe #tesla" followed the literal "#tesla", which articles almost never print: the word is meant.
    return without_tag_sign(_with_sign(text))


def _with_sign(text: str) -> str:
    """:func:`normalise_keyword` but for the sign of a hashtag, cashtag or handle, which it keeps."""
    # Keyboards send "café" composed or as "e" + a combining accent; one spelling keeps /unsubscribe working.
    # "İ" lowers to "i" + a combining dot, shown as a doubly dotted "i̇stanbul"; matching reads it as "i" anyway.
    lowered = unicodedata.normalize("NFC", text).lower().replace("i\u0307", "i")
    return strip_edges(" ".join(lowered.split()))


def _stored_as(followed: Iterable[tuple[str, str]], keyword: str) -> list[str]:
    """The stored values among ``followed`` that match what ``keyword`` matches: rows stored under older rules
    ("i̇stanbul", before "İ" lowered to a plain "i"), or typed with other accents ("são paulo" for "sao paulo"),
    differ from it as written."""
    # Compared as matching compares them: "cafe" and "café" bring the same articles, so they are one keyword.
    key = keyword_key(keyword)
    return [value for kind, value in followed if kind == "keyword" and keyword_key(value) == key]


class SubscriptionService:
    """A chat's topics and keywords."""

    def __init__(
        self,
        *,
        db: Database,
        catalogue: TopicCatalogue,
        clock: Clock,
        delivery: DeliveryService | None = None,
    ) -> None:
        self._db = db
        self._catalogue = catalogue
        self._clock = clock
        # Told of every unfollow, so what is queued for the chat and matches nothing it follows is not sent.
        self._delivery = delivery

    @property
    def catalogue(self) -> TopicCatalogue:
        """The topic catalogue words are resolved against."""
        return self._catalogue

    async def for_chat(self, chat_id: int) -> list[Subscription]:
        """The chat's subscriptions, topics first."""
        return await self._db.subscriptions.for_chat(chat_id)

    async def topic_ids(self, chat_id: int) -> set[str]:
        """Ids of the topics the chat follows."""
        return {s.value for s in await self.for_chat(chat_id) if s.kind == "topic"}

    async def follow(self, chat_id: int, text: str) -> FollowResult:
        """Follow every topic named in ``text``; other words and quoted phrases become keywords."""
        # "/subscribe tesla !!!" dropped the "!!!" without a word, and '/subscribe "..."' was told to say what to
        # follow, while "***" was refused for having no letters or digits: each is refused with that reason.
        words = parse_words(text, keep_punctuation=True)
        if not words:
            raise UserError('Tell me what to follow, e.g. /subscribe business tesla "electric cars".')
        if len(words) > MAX_WORDS_PER_REQUEST:
            raise UserError(
                f"That is a lot at once; send at most {MAX_WORDS_PER_REQUEST} words per /subscribe."
            )
        result = FollowResult()
        current = await self.for_chat(chat_id)
        followed = {(s.kind, s.value) for s in current}
        count = len(current)
        now = self._clock.now()
        for word in words:
            topic = self._catalogue.resolve(word.text)
            if topic is not None:
                if ("topic", topic.id) in followed:
                    if topic not in result.topics and topic not in result.topics_already:
                        result.topics_already.append(topic)
                    continue
                if count >= MAX_SUBSCRIPTIONS:
                    result.limit_reached.append(word.text)
                    continue
                await self._db.subscriptions.add(chat_id, "topic", topic.id, now)
                followed.add(("topic", topic.id))
                result.topics.append(topic)
                count += 1
                continue
            near = None if word.quoted else self._suggest(word.text)
            if near is not None:
                # A near miss of a topic name is far more likely a typo than a keyword worth following.
                result.suggestions.append((word.text, near))
                continue
            keyword = normalise_keyword(word.text)
            problem = _keyword_problem(keyword, typed=word.typed or word.text)
            if not word.quoted and keyword in _ALL_WORDS:
                # "/subscribe all" means every topic, not an alert for each article that has the word "all".
                problem = (
                    "to follow every topic, tap them in /topics (quote the word to follow it as a keyword)"
                )
            if problem:
                # Quoted as typed: "<b>tesla</b>" stripped of its edges read "b>tesla</b", not what was sent.
                result.rejected.append((word.typed or word.text, problem))
                continue
            if keyword != _with_sign(word.text) and all(k != keyword for _, k in result.signs_dropped):
                result.signs_dropped.append((word.text, keyword))
            # Stored before "İ" lowered to a plain "i", "i̇stanbul" is the same keyword: not a second one.
            if _stored_as(followed, keyword):
                # Followed by an earlier word of this same request ("Tesla tesla", "café cafe") is no "already".
                earlier = [("keyword", k) for k in [*result.keywords, *result.keywords_already]]
                if not _stored_as(earlier, keyword):
                    result.keywords_already.append(keyword)
                continue
            if count >= MAX_SUBSCRIPTIONS:
                result.limit_reached.append(word.text)
                continue
            await self._db.subscriptions.add(chat_id, "keyword", keyword, now)
            followed.add(("keyword", keyword))
            result.keywords.append(keyword)
            count += 1
        return result

    async def unfollow(self, chat_id: int, text: str) -> UnfollowResult:
        """Stop following each topic or keyword named in ``text``; ``all`` drops everything."""
        words = parse_words(text)
        if not words:
            raise UserError("Tell me what to drop, e.g. /unsubscribe business, or /unsubscribe all.")
        if len(words) == 1 and not words[0].quoted and words[0].text.lower() in _ALL_WORDS:
            removed = await self._db.subscriptions.remove_all(chat_id)
            return UnfollowResult(removed_all=removed, dropped_queued=await self._unfollowed(chat_id))
        current = await self.for_chat(chat_id)
        followed = {(s.kind, s.value) for s in current}
        phrase = normalise_keyword(text)
        if len(words) > 1 and not any(w.quoted for w in words) and _stored_as(followed, phrase):
            # "/unsubscribe electric cars", unquoted, answered "You don't follow “electric”" and "“cars”" while
            # /mysubs listed “electric cars”: the words as typed name the phrase the chat follows.
            words = [Word(phrase, quoted=True, typed=phrase)]
        result = UnfollowResult()
        for word in words:
            topic = self._catalogue.resolve(word.text)
            if topic is None or ("topic", topic.id) not in followed:
                # A topic the operator has since taken out of the catalogue: /mysubs still lists it by its id,
                # and that id must drop it (else only "/unsubscribe all" could).
                retired = "-".join(word.text.lower().split())
                if ("topic", retired) in followed and retired not in self._catalogue:
                    topic = Topic(retired, retired, "")
            if topic is not None and ("topic", topic.id) in followed:
                await self._db.subscriptions.remove(chat_id, "topic", topic.id)
                followed.discard(("topic", topic.id))
                result.topics.append(topic)
                continue
            keyword = normalise_keyword(word.text)
            # Stored before "İ" lowered to a plain "i", "i̇stanbul" is still dropped by the word /mysubs shows.
            stored = _stored_as(followed, keyword)
            if not stored and keyword.startswith("."):
                # Stored before the dot that starts a name was kept, "/subscribe .NET" followed "net": the words
                # the chat subscribed with drop it too.
                stored = _stored_as(followed, keyword[1:])
            if stored:
                for value in stored:
                    await self._db.subscriptions.remove(chat_id, "keyword", value)
                    followed.discard(("keyword", value))
                result.keywords.append(keyword)
                continue
            result.not_followed.append(word.text)
            near = self._suggest(word.text)
            if near is not None and ("topic", near.id) in followed:
                result.suggestions.append((word.text, near))
        if result.topics or result.keywords:
            result.dropped_queued = await self._unfollowed(chat_id)
        return result

    async def toggle_topic(self, chat_id: int, topic_id: str, *, chat_type: str = "private") -> TopicToggle:
        """Flip one topic (the /topics keyboard): whether the chat follows it afterwards, and how many queued
        stories turning it off dropped.

        ``chat_type``: the chat's, so a refusal at the cap speaks of a group or channel, not of "you".
        """
        topic = self._catalogue.get(topic_id)
        if topic is None:
            raise UserError("That topic no longer exists; send /topics for the current list.")
        if await self._db.subscriptions.remove(chat_id, "topic", topic.id):
            return TopicToggle(on=False, dropped_queued=await self._unfollowed(chat_id))
        if len(await self.for_chat(chat_id)) >= MAX_SUBSCRIPTIONS:
            raise UserError(describe_subscription_limit(MAX_SUBSCRIPTIONS, chat_type=chat_type))
        await self._db.subscriptions.add(chat_id, "topic", topic.id, self._clock.now())
        return TopicToggle(on=True, dropped_queued=0)

    async def _unfollowed(self, chat_id: int) -> int:
        """Tell delivery the chat follows less; returns how many of its queued stories were dropped."""
        if self._delivery is None:
            return 0
        return await self._delivery.unfollowed(chat_id)

    def _suggest(self, word: str) -> Topic | None:
        if len(word) < 3:
            return None
        return self._catalogue.suggest(word)


def _keyword_problem(keyword: str, *, typed: str) -> str | None:
    """Why ``keyword`` (the stored form of ``typed``) cannot be followed, or None when it can."""
    if not _HAS_WORD_CHAR.search(keyword):
        return "it has no letters or digits"
    if "<" in typed or ">" in typed:
        # Pasted markup ("<b>x</b>" became the keyword "b>x</b"): articles are matched as plain text, so such a
        # keyword follows something no reader meant. Refused rather than guessed at by stripping tags. Read as
        # typed: edge punctuation trimmed, "<br>" was followed as "br" and "<p>" refused as too short.
        return "keywords are plain words, not markup: leave out < and >"
    if len(keyword) < MIN_KEYWORD_CHARS:
        return f"keywords need at least {MIN_KEYWORD_CHARS} characters"
    if len(keyword) > MAX_KEYWORD_CHARS:
        return f"keywords can be at most {MAX_KEYWORD_CHARS} characters"
    if all(word in _TOO_COMMON for word in keyword.split()):
        return "nearly every article has it; follow a phrase that holds it instead, in quotes"
    return None
