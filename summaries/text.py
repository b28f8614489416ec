"""Text preparation for the summarizer: boilerplate cleaning, sentence splitting, words and languages.

Everything here is offline: sentence splitting uses splitters that ship their own rules or model (nupunkt
for English, sentencex for other languages), never NLTK data downloads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

import nupunkt
import sentencex
from sumy.nlp.stemmers import Stemmer
from sumy.utils import get_stop_words

# Languages that sumy has a stop-word list and a stemmer for (ours for Russian's stop words; Thai's stemmer is
# lower-casing). In Chinese, Japanese and Thai a regex finds phrases rather than words, but their sentences still
# have to be split by their own marks ("。", a space in Thai), not by English rules.
LANGUAGES: dict[str, str] = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "pt": "portuguese",
    "it": "italian",
    "sv": "swedish",
    "cs": "czech",
    "sk": "slovak",
    "pl": "polish",
    "el": "greek",
    "uk": "ukrainian",
    "ru": "russian",
    # Told by their script (see _SCRIPTS); sumy stems Arabic and lists stop words for all six.
    "ar": "arabic",
    "he": "hebrew",
    "zh": "chinese",
    "ja": "japanese",
    "ko": "korean",
    "th": "thai",
}
_ISO_BY_NAME = {name: code for code, name in LANGUAGES.items()}


def _mark_ranges(codes: Iterable[int]) -> str:
    """The combining marks (Unicode categories Mn, Mc, Me) among ``codes``, as the body of a character class."""
    marks = [cp for cp in codes if unicodedata.category(chr(cp))[0] == "M"]
    ranges: list[str] = []
    start = prev = marks[0]
    for cp in [*marks[1:], -1]:
        if cp != prev + 1:
            ranges.append(chr(start) if start == prev else f"{chr(start)}-{chr(prev)}")
            start = cp
        prev = cp
    return "".join(ranges)


# What a word is made of, everywhere newsbot finds words: Python's \w plus the combining marks, which \w
# leaves out. Without them every Hindi, Bengali, Tamil, Thai, Khmer... word is cut at each vowel sign
# ("भारत" becomes "भ" and "रत", the same words as in "भारती"). Planes 0-1 and the variation selectors of plane
# 14 hold every mark (scanning all 1.1 M code points would cost 0.14 s at import).
_BMP_MARKS = _mark_ranges(range(0x10000))
_ASTRAL_MARKS = _mark_ranges([*range(0x10000, 0x20000), *range(0xE0000, 0xE1000)])
# The body of a character class: f"[{WORD_CHARS}]".
WORD_CHARS = "\\w" + _BMP_MARKS + _ASTRAL_MARKS
# One word: a letter or digit (so a stray mark, an emoji's variation selector, is none), then letters, digits
# and marks. re tests a class holding characters beyond U+FFFF range by range at every word's end, which made
# the summarizer 15 % slower: marks beyond it (Brahmi, Chakma, Adlam...) are looked up only after such a character.
WORD = f"\\w[\\w{_BMP_MARKS}]*(?:(?=[\\U00010000-\\U0010ffff])[{_ASTRAL_MARKS}][\\w{_BMP_MARKS}]*)*"
_WORD = re.compile(f"{WORD}(?:['’]{WORD})*")
# The sign of a hashtag or handle ("#tesla", "#5g", "@elonmusk": a word with a letter) or of a cashtag ("$TSLA",
# a letter next: "$5" is money). Articles print the word, not the tag, and the bare word finds the tag too.
_TAG_SIGN = re.compile(r"[#@]+(?=\w*[^\W\d_])|\$(?=[^\W\d_])")
# Sentences longer than this many words are almost certainly text without punctuation; they get chunked.
_MAX_SENTENCE_WORDS = 80
_CHUNK_WORDS = 35
# Far beyond any real sentence, even in languages written without spaces.
_MAX_SENTENCE_CHARS = 1000
_CHUNK_CHARS = 400

# --- boilerplate patterns -------------------------------------------------------------------------------

_MONTHS = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|mai|juni|juli|oktober|dezember|"
    r"janvier|février|mars|avril|juin|juillet|août|enero|febrero|marzo|abril|mayo|junio|julio|agosto|janeiro|"
    r"fevereiro|março|maio|junho|julho"
)
_DATELINE_KEYWORDS = (
    r"published|posted|updated|last updated|first published|veröffentlicht|aktualisiert|publié|"
    r"mis à jour|stand(?=\s*:)|publicado|actualizado|atualizado"
)
# "Published on 3 May 2024, 10:00", "Updated 2 hours ago": a short line with a date in it.
_DATELINE = re.compile(
    r"^\s*(?:" + _DATELINE_KEYWORDS + r")\b"
    # What follows the keyword is a date ("Updated 2 hours ago", "Published: 3 May", "Posted on ..."), not
    # prose: "Updated figures showed growth of 3%." is a sentence.
    r"(?=\s*(?:[:|,.\-–—]|\d|\b(?:on|at|am|um|le|el|em|in|ago)\b|\b(?:" + _MONTHS + r")))"
    r"(?=[^\n]*(?:\d|\bago\b|\b(?:" + _MONTHS + r")))[^\n]{0,100}$",
    re.IGNORECASE,
)
# A stamp's time of day after its date: "10:30", "at 9:30 a.m. EST", "10:30am BST". Its zone only from a list,
# in capitals: read in any case, "[A-Z]{2,4}" took the story's first word ("Published on 3 May 2024, 10:00 The
# farm opened ..." left "farm opened ..."), or "US" of "US officials said ...".
_STAMP_ZONE = (
    r"(?-i:UTC|GMT|BST|IST|CET|CEST|EET|EEST|WET|WEST|MSK|JST|KST|HKT|SGT|AEST|AEDT|AWST|NZST|NZDT|"
    r"EST|EDT|CST|CDT|MST|MDT|PST|PDT|AKST|AKDT|HST|ET|CT|MT|PT)\b"
)
_STAMP_TIME = r"(?:\s*[,|-]\s*|\s+)(?:at\s+)?\d{1,2}:\d{2}(?:\s*[ap]\.?m\b\.?)?(?:\s*" + _STAMP_ZONE + r")?"
# The date starts with a capital or a digit, whatever the case of the keyword, and no clause follows it:
# "Published in 2016, the report found ..." is a sentence (the stamps below likewise). A blog's "Posted by Jo
# Marsh on November 19, 2019, 6:21 AM EST" names its author before the date. Atomic, so that a comma after
# the date refuses the line rather than sends the match on to a later date or a shorter time zone: "Published
# on 12 March 2025, 09:30 GMT, updated ..." left "T, updated ...".
_DATELINE_PREFIX = re.compile(
    r"^\s*(?>(?:published|posted|updated)(?:\s+by(?:\s+(?-i:[A-Z])[\w.'’-]*){1,4})?(?:\s+on)?\s+"
    r"(?-i:[A-Z0-9])[\w ,:./-]{2,40}?\d{4}(?:" + _STAMP_TIME + r")?\s*[-–—|:]?\s*)(?![,;])",
    re.IGNORECASE,
)
# Agency datelines at the start of a story: "(CNN) --", "Rome (CNN)", "WASHINGTON (Reuters) -", and with a
# date as agencies writing in other languages send them: "Nova York, 24 set (EFE). -", "MOSCOU, 24 SET (ANSA)
# -", "Berlin/Hamburg (dpa/lno) -". The place name (up to five capitalised words, or two joined by "/"), date
# and agency go; the story's first sentence stays.
_AGENCY_DATELINE = re.compile(
    r"^\s*(?:[A-Z][\w.'’-]*(?:/[A-Z][\w.'’-]*)?(?:,?\s+[A-Z][\w.'’-]*){0,4}"
    r"(?:,\s*(?:\d{1,2}\.?\s+\w{3,10}\.?|\w{3,10}\.?\s+\d{1,2})(?:,?\s+\d{4})?)?\s*)?"
    r"\(\s*(?:CNN(?: Business| Money| Travel| Style)?|Reuters|AP|AFP|UPI|dpa|Bloomberg|EFE|ANSA|Xinhua|Lusa)"
    # dpa's regional services and joint credits: "Hamburg (dpa/lno) -", "Frankfurt (dpa-AFX) -", "(AFP/dpa)".
    r"(?:[/-][A-Za-z]{2,5})?\s*\)"
    r"\.?\s*(?:--|[-–—:])?\s*(?=\S)"
)
# Wire datelines with no agency or another one: "MADRID — ", "BUFFALO, N.Y. — ", "CLEVELAND, Ohio – ",
# "BERLIN -- ", "HONOLULU, Hawaii (KHNL) - ". The place in capitals and the dash after it tell it from a
# sentence that opens with a name; the region after a comma may be written either way. Possessive
# quantifiers: a hostile line of capitals fails in one pass.
_PLACE_DATELINE = re.compile(
    r"^\s*[A-Z]{2}[A-Z.'’-]++(?:\s+[A-Z][A-Z.'’-]++){0,3}"
    r"(?:,\s*[A-Z][\w.'’-]*+(?:\s+[A-Z][\w.'’-]*+){0,3})?"
    r"(?:\s*\([^()]{1,40}\))?"
    r"\s*(?:--|[–—]|(?<=\s)-)\s+(?=[A-Z0-9\"“‘'])"
    # Not a name in capitals set off by a pair of dashes: "HSBC — Britain's biggest bank — said ...".
    r"(?![^.!?]*?\s(?:--?|[–—])\s)"
)
# Newspaper page headers glued before the story: "By . Jane Smith . PUBLISHED: . 12:04 EST, 3 March 2013 . |
# . UPDATED: . 12:11 EST, 3 March 2013 ." (Daily Mail), "Last updated at 9:30 AM on 4th May 2012".
# "By Jane Smith and Tom Jones"; "Von Anna Schmidt und ...", "Par ... et ...", "Por ... e/y ...". Each name word
# is taken whole, only its final "." may go back to the pattern around it: a word that could end at any letter
# let "By " and 200 capitals be cut into six names in billions of ways.
_BYLINE_NAME = (
    r"(?:(?!PUBLISHED|UPDATED)[A-ZÀ-Þ](?:[\w'’-]++|\.(?=[\w'’-]))*+\.?\s*(?:,|and|&|und|et|e|y)?\s*){1,6}?"
)
_BYLINE_PREFIX = re.compile(
    rf"^\s*(?:By|Von|Par|Por)(?:\s*\.\s*{_BYLINE_NAME}\s*\.\s*"
    rf"|\s+{_BYLINE_NAME}\s*\.?\s*(?=(?:PUBLISHED|UPDATED|Last updated)\b|$))"
)
_STAMP_PREFIX = re.compile(
    r"^\s*(?>\|?\s*\.?\s*(?:PUBLISHED|UPDATED|Last updated(?: at)?)\s*:?\s*\.?\s*"
    r"(?-i:[A-Z0-9])[^|]{0,60}?\b\d{4}(?:" + _STAMP_TIME + r")?\s*\.?\s*(?:\|\s*\.?\s*)?)(?![,;])",
    re.IGNORECASE,
)
_IMAGE_LINE = re.compile(
    r"^\s*(?:\[?(?:img|image|images|photo|photos|picture|pic|video|gallery|caption|credit|credits|bild|foto|imagen|"
    r"imagem|fotografía|fotografia|crédito|créditos|crédit)\]?\s*(?:[:|\-–—]|\d+\s*(?:of|/)\s*\d+|$)|!\[[^\]]*\]\([^)]*\)\s*$)",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"\(\s*(?:photo|image|picture|credit|pic|foto|bild|imagem|imagen)?[:\s]*(?:getty images|afp|dpa|efe|ansa|lusa|ap photo|reuters|epa|shutterstock|"
    # A whole name: "(pa" also opens "(part-owned by ...)", "(ansa" "(Ansar ...)", "(lusa" "(Lusaka)".
    r"alamy|pa(?: media| wire)?)\b[^)]{0,60}\)",
    re.IGNORECASE,
)
# Caption pointers left in the text where a picture was: "The guard (pictured) slipped", and as German, French,
# Spanish, Portuguese and Italian sites write them: "Max Eberl (Foto) hat ...", "M. Roux (photo) a ...".
_PICTURE_WORDS = (
    r"foto|fotos|bild|archivbild|archivfoto|im bild|photo|sur la photo|en la foto|na foto|nella foto"
)
_PICTURED = re.compile(
    r"\s*\(\s*(?:pictured|photographed|left|right|above|below|centre|center|inset|file photo|top|bottom|"
    + _PICTURE_WORDS
    + r")(?:\s*(?:,|and)?\s*(?:left|right|above|below|centre|center|top|bottom|in \d{4}))*\s*\)",
    re.IGNORECASE,
)
# The same pointer after a player's age: "Vicente Iborra (30, Foto)" keeps "(30)".
_PICTURED_AFTER = re.compile(r"(\(\s*[^()]{1,40}?)\s*,\s*(?:" + _PICTURE_WORDS + r")\s*(?=\))", re.IGNORECASE)
_CREDIT_LINE = re.compile(
    # Possessive: "\s*\)?\s*" tried every split of a long run of spaces before failing at its end.
    r"(?:getty images|ap photo|afp via getty|shutterstock|alamy|/\s*reuters|/\s*ap|/\s*epa)\s*+\)?\s*$",
    re.IGNORECASE,
)
_READ_NEXT = re.compile(
    r"^\s*(?:read (?:these|this) next|read next|read more|related(?: articles?| stories| content| links)?|"
    r"more on this (?:story|topic)|see also|recommended(?: for you| reading)?|you (?:may|might) also like|"
    r"more from [\w ]{1,30}|most read|trending(?: now)?|also read|top stories|weiterlesen|mehr zum thema|"
    r"lire aussi|à lire aussi|voir aussi|lea también|ver también|leer más|leia também|leia mais|veja também|"
    r"saiba mais|lesen sie (?:auch|mehr)|siehe auch|"
    # More of the same in German, French, Spanish and Portuguese: "Te puede interesar: ...", "Notícias
    # relacionadas", "Sur le même sujet", "Mais lidas", "Meistgelesen".
    r"leer también|lee también|ver más(?! allá)|(?:también )?te puede interesar|noticias relacionadas|"
    r"artículos relacionados|notícias relacionadas|matérias relacionadas|veja mais|mais lidas|más leídas|"
    r"ähnliche artikel|weitere artikel zum thema|meistgelesen|articles similaires|sur le même sujet|"
    # Italian: "Leggi anche: ...", "Potrebbe interessarti", "Articoli correlati".
    r"leggi anche|potrebbe interessarti|articoli correlati|notizie correlate|i più letti)"
    r"(?!\w)\s*[:.…»>-]*\s*",
    re.IGNORECASE,
)
# Words of _READ_NEXT and _SOCIAL that also open sentences: "Related charges were filed ...", "Recommended by
# the panel, ...", "Copyright holders say ...", "Advertisement spending fell ...".
_PROSE_OPENING = re.compile(
    r"^\s*(?:related|recommended|trending|more from|copyright|advertisement)\s+(?-i:[a-z])", re.IGNORECASE
)
_TAG_WORDS = (
    r"(?:tags?|topics?|categories|category|filed under|keywords|schlagwörter|schlagworte|stichwörter|themen|"
    r"mots-clés|étiquettes|etiquetas|palavras-chave|marcadores)"
)
_TAG_LINE = re.compile(r"^\s*" + _TAG_WORDS + r"\s*[:|]", re.IGNORECASE)
# The same word as a header on a line of its own: the tag list follows on the next lines.
_TAG_HEADER = re.compile(r"^\s*" + _TAG_WORDS + r"\s*:?\s*$", re.IGNORECASE)
_CRUMB_SEPARATORS = re.compile(r"\s(?:>|»|›|/|\||→)\s")
_SOCIAL = re.compile(
    r"^\s*(?:share (?:this|on)|follow us|sign up for|subscribe to our|click here|advertisement|"
    r"sponsored content|copyright|all rights reserved|scroll down for video|"
    # A paywall's prompt under a teaser: "Subscribe to continue reading. Already a subscriber? Log in."
    r"subscribe (?:now )?to (?:continue|keep) reading|already a subscriber|"
    r"(?:log|sign) in to (?:continue|keep) reading)\b"
    # Not before the "\b": "©" is no word character, so "© 2025 Brackwater Post" has no word boundary after it.
    r"|^\s*©"
    # A donation button under each speaker of a podcast's episode: "Flattr Jo Marsh@Episode 12 Harbours".
    r"|^\s*flattr\s[^@\n]{1,60}@[^\n]{1,80}$"
    # A share prompt under a story: "Like this story? Share it with a friend!"
    r"|^\s*(?:like this (?:story|article|post)\?"
    r"|share (?:it|this(?: story| article| post)?) with (?:a friend|your friends)\b)"
    # A blog's quote-sharing button ("Click To Tweet"), a gallery's lead-in ("See more photos:"), and the same
    # furniture in German, French, Spanish and Portuguese: an ad label or a share or newsletter button on a
    # line of its own ("Anzeige", "Publicidade", "Partager sur Twitter", "Assine a newsletter").
    r"|^\s*(?:click to tweet|see (?:more|all(?: the)?) (?:photos|pictures|images)(?: below| here)?|"
    r"anzeige|werbung|publicidade|publicidad|publicité|anúncio|continua após a publicidade|"
    r"(?:teilen|partager|compartir|compartilhe|compartilhar|partilhe|partilhar|folgen sie uns|suivez-nous|"
    r"síguenos|siga-nos|segue-nos)(?:\s+(?:auf|sur|en|no|na|via)\s+\w+)?|"
    r"newsletter abonnieren|abonnez-vous à (?:la|notre) newsletter|assine (?:a|nossa) newsletter|"
    # Possessive: a broken line is checked before its spaces are collapsed, and "click to tweet", 40,000 spaces
    # and a word were tried at every split of the spaces between two plain "\s*" (3.3 s; a 5 MB page, hours).
    r"suscríbete a (?:la|nuestra) newsletter)\s*+[:.!]?\s*+$",
    re.IGNORECASE,
)
# What a page puts under a story to send the reader elsewhere, each of which reached summaries of real pages:
# a prompt to follow the site or its writer ("Follow her on Twitter @jomarsh.", "Follow Newsdesk on Instagram,
# Facebook and YouTube."), the writer's address ("Write to Jo Marsh at jo@example.com", "Jo Marsh may be
# reached at ..."), a newsletter's sign-up ("Subscribe to the Morning newsletter", "Get the day's headlines
# delivered to your inbox ..."), where the story first ran ("Originally published on Example Science.") and a
# reprint notice. Each is one short sentence (see _is_reader_prompt); the gaps never cross a sentence's end or a
# comma, so "Follow the money, he said on Twitter." and "First published in 1962, the novel ..." are prose.
# Atomic: "www.jo@example.com" is both a www address and an e-mail address, and a line of n of them that then
# went on with a word was tried all 2**n ways (a hostile page's line stalled its summary for good).
_ADDRESS = r"(?>https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:twitter|x|facebook|instagram)\.com/\S+)"
# A capitalized word (a name): "Harbour", "Post's", "O'Neill", "Brackwater.example".
_TITLE_WORD = r"(?-i:[A-Z0-9À-ÖØ-Þ])[\w'’.&-]*"
# The lower-case words of a credit line: "republished from X under a Creative Commons license",
# "reprinted with permission from X", "originally published by X. Read the original article."
_CREDIT_WORDS = (
    r"(?:the|a|an|of|and|on|in|at|by|for|from|with|under|here|its|our|is|was|permission|license|licence|"
    r"original|article|story|post|site|website|blog|edition|issue|magazine|newspaper)"
)
_NETWORK = r"(?:twitter|facebook|instagram|youtube|linkedin|tiktok|threads|bluesky|mastodon|x)\b"
_READER_PROMPT = re.compile(
    r"^\s*(?:(?:be sure to |don't forget to |don’t forget to |you can (?:also )?)?"
    r"(?:(?:follow|join|reach|connect with|like us)\s[^.!?,;]{0,80}?"
    # "Visit Britain reported on X that ...": an agency's name, so "visit" only with us/our, a possessive
    # ("the Post's site") or a name alone ("Visit Brackwater Farms on Facebook").
    r"|visit\s+(?:(?:us|our)\b[^.!?,;]{0,80}?|(?:the\s+)?[\w.&-]+(?:'|’)s\s[^.!?,;]{0,40}?"
    r"|(?:" + _TITLE_WORD + r"\s+){0,4}))"
    r"(?:\b(?:on|at|via)\s+(?:" + _NETWORK + r"|https?://|www\.)|@\w)"
    r"|(?:(?:and )?here(?:'|’)?s our e-?mail|e-?mail|write to|contact|reach|send|tips?|got a tip)\b"
    # Whom to write to, in a few words, then "at", "to" or ":" ("Email Jo Marsh at", "Send your letters to"):
    # "Email sent from security@bank.example ..." and "Contact with the crew was lost ... from www..." are the
    # story.
    r"(?:(?:\s++(?:[^\s.!?,;:]|\.(?=\w))++){0,5}?(?:\s+(?:at|to|via|on)\b|\s*:))?\s*"
    + _ADDRESS
    # The line ends at the address, or goes on with another way to reach the writer ("or follow her @jo",
    # "or P.O. Box 4410"): "Tips sent to tips@paper.example led to the arrest." is the story.
    + r"(?=[.!]?\s*$|\s+(?:for|with)\s+[^.!?,;]{1,30}[.!]?\s*$|\s+(?:or|and)\s+(?:follow|visit|call|write|find|"
    r"reach|text|p\.?\s?o\.?\s|on\b|at\b|via\b|\+?\(?\d|@|https?://|www\.|[\w.+-]+@))"
    r"|[^.!?,;]{1,60}?\b(?:may|can) be (?:reached|contacted) at\s"
    r"|(?:(?:you can (?:also )?)?(?:subscribe|sign up|register)\b|get\b|receive\b|join\b)"
    r"(?:[^.!?]|\.(?=\w)){0,100}?\bnewsletters?\b"
    # The same for e-mails, the verb and "to" or "for" first ("Sign up here to get an email whenever ... are
    # published"): "Register of Deeds staff sent an email to owners." is the story.
    r"|(?:you can (?:also )?)?(?:subscribe|sign up|register)(?:\s+(?:here|now|today|below))?\s+(?:to|for)\b"
    r"(?:[^.!?]|\.(?=\w)){0,100}?\be-?mails?\b"
    r"|[^.!?]{0,60}\b(?:delivered|straight|direct(?:ly)?) to your inbox\b"
    # A newsletter's name on a line of its own ("Harbour Week Newsletter"); "Nobody reads the newsletter." and
    # "Er gründete einen Newsletter." are sentences.
    # Possessive: a line of "newsletter", thousands of spaces and a word tried every split of the spaces
    # between the two "\s*" (quadratic; a hostile page's line stalled its summary for minutes).
    r"|(?:(?:" + _TITLE_WORD + r"|&)\s+){0,3}newsletters?\s*+[.:]?\s*+$"
    r"|(?:this (?:article|story|post|piece|report|column|essay) (?:was |has been |is )?)?"
    r"(?:(?:originally|first) (?:published|appeared|posted|ran)|reprinted|republished) (?:on|in|by|at|with|from)\s"
    # Where it ran: names, dates, addresses and the words of a credit, not a clause ("First published in 1962
    # the novel was banned.").
    # Each word is tried once (a lookahead per word): a run of digits is both a name and a date.
    r"(?=[^,;]{1,60}$)(?:(?=(?:"
    + _TITLE_WORD
    + r"|\d[\w./-]*|[\w-]+\.[\w./-]+|"
    + _CREDIT_WORDS
    + r")[.:!]?(?:\s|$))\S++\s*+)++$"
    r"|order reprints\s*$|[^.!?]{0,60}\border (?:multiple|presentation-ready|additional) copies\b"
    r"|[^.!?]{0,60}\bgoverned by our subscriber agreement\b)",
    re.IGNORECASE,
)
# A line that is only a link or an address, perhaps after a label ("Download: https://...", "Link to the
# festival's site – https://...", "jo@example.com"), or several, each perhaps with its label ("https://... Also:
# https://..."): no sentence of the story. Each further address is atomic: a label's spaces can be split between
# its words and the space after it in two ways, and a line that fails at its end ("https://... ab cd - " forty
# times, then a word) tried every split of every label, doubling with each: 0.6 s at twenty, forever at forty.
_ADDRESS_LABEL = r"[^\W\d_][\w'’ ]{0,30}?\s*[:–—-]"
_ADDRESS_LINE = re.compile(
    rf"^\s*(?:{_ADDRESS_LABEL}\s*)?{_ADDRESS}(?>\s+(?:and|or|\||{_ADDRESS_LABEL})\s*{_ADDRESS})*+\s*$",
    re.IGNORECASE,
)
# Where a second sentence starts (not after an initial, "P.O. Box"): a prompt is dropped only when alone.
_NEXT_SENTENCE = re.compile(r"(?<!\b[A-Z])[.!?][\"'”’)]*\s+[A-Z\"“]")
_MAX_PROMPT_WORDS = 30
# A cookie-consent notice: cookies (checked first, as a plain substring: cheap), and the reader's consent
# ("you agree", "stimmen Sie zu", "você concorda").
_COOKIE_CONSENT = re.compile(
    r"\b(?:you (?:agree|accept|consent)|by continuing|stimmen sie|akzeptieren sie|"
    r"erklären sie sich|vous acceptez|en poursuivant|acepta|aceptas|seguir navegando|sigue navegando|"
    r"continúa navegando|você (?:concorda|aceita)|ao continuar)\b",
    re.IGNORECASE,
)
# What feeds put after (or instead of) an item's text: a link to the rest of the article, a link to its comments
# (Hacker News, reddit's "submitted by ... [link] [12 comments]"), a classified ad's "show contact info"
# button, a platform's credit line ("The post X appeared first on Y.", Medium's "X was originally published
# in Y on Medium, where people ...").
_FEED_FURNITURE = re.compile(
    r"^\s*(?:(?:continue reading|keep reading|read the (?:full|rest of the) (?:story|article|post)|"
    r"lire la suite|seguir leyendo|continuar lendo|weiterlesen|mehr lesen)(?:\s+[^\s.!?]+){0,5}[.…»›→>\s]*"
    # Possessive spaces: two "\s*" side by side split a run of spaces every way, quadratic in its length.
    r"|(?:\[\s*+link\s*+\]\s*+)?\[?\s*+(?:[\d,.]+\s*+)?comments?\s*+\]?[.\s]*"
    r"|submitted\s*by[^.!?\n]{1,160}|show contact info"
    r"|the post\s[^\n]{1,300}?\s(?:appeared first on|first appeared on)\s[^\n]{1,120})$"
    # Medium's credit starts with the title, which may hold any punctuation but not the end of a sentence.
    r"|^(?:(?![.!?]\s).){1,300}\swas originally published in\s[^\n]{1,120}?\son medium\b"
    # A members-only post's stand-in for its text ("This story is currently available to Medium Members at the
    # following link:", "The story will be unlocked and available to all of our readers after 30 days."): the
    # second was an alert's summary sentence.
    r"|^\s*(?:this|the) (?:story|article|post) (?:is (?:currently |now )?(?:only )?available (?:only )?"
    r"(?:to|for) (?:[\w-]+ ){0,3}members\b|will be unlocked\b)",
    re.IGNORECASE,
)
# A feed's mark that it cut the text ("... Modern kitche [...]", WordPress's "[&hellip;]"), ending a paragraph;
# "[?]" is "[…]" after a feed's encoding lost the ellipsis (a Brazilian portal's "... percentuais em [?]").
_ELISIONS = frozenset({"...", "…", "&hellip;", "&#8230;", "?"})
# A source credit on its own: "Quelle: dpa", "Fonte: Agência Brasil", "Source : Insee". A few names, not a
# clause: "Source: a council official said the panels were damaged." is a sentence.
_SOURCE_CREDIT = re.compile(
    r"^\s*(?:quellen?|fontes?|fuentes?|sources?)\s*:\s*[^\s:]+(?:\s+[^\s:]+){0,7}\s*$", re.IGNORECASE
)
# Full month names and their abbreviations in the languages the summarizer supports.
_MONTH_NAMES = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "januar|jänner|februar|märz|mai|juni|juli|oktober|dezember|"
    "janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|"
    "janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|dezembro|"
    "gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
    "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|"
    "січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада|грудня|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|jän|mär|okt|dez|janv|févr|avr|juil|déc|"
    "ene|abr|ago|dic|fev|set|out|gen|mag|giu|lug|ott"
)
# A line that is only a date, perhaps with a weekday and a time: "12.03.2025", "25 November 2026",
# "3 de marzo de 2025", "Dienstag, 12. März 2025, 14:30 Uhr", "March 3, 2025", "12 марта 2025 г.".
_DATE_LINE = re.compile(
    r"^\s*(?:[^\W\d_]+(?:-feira)?,?\s+)?(?:le\s+|el\s+|am\s+|on\s+)?"
    r"(?:\d{1,2}(?:\.|er|st|nd|rd|th|º)?\s*(?:de\s+)?(?:" + _MONTH_NAMES + r")\.?,?\s+(?:de\s+)?\d{4}"
    r"|(?:" + _MONTH_NAMES + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2})"
    r"(?:\s*г\.|\s+р\.)?"
    r"(?:\s*[,|–—-]?\s*(?:um|à|at|às|a las|alle|в|о)?\s*\d{1,2}[:.h]\d{2}"
    r"(?:\s*(?:uhr|h|[ap]\.?m\.?|[a-z]{2,4}))?)?[.\s]*$",
    re.IGNORECASE,
)
# A byline with the date after the name, on its own line or before the story: "By Jo Marsh, November 18, 2019",
# "By Jo Marsh | 18 November 2019 | The council ...", "By Jo Marsh Monday, November 18, 2019 Earlier this month".
# Only a whole date and then the story's capital: "By Christmas Day, December 25, 2025, the pier ..." is prose.
_BYLINE_DATED = re.compile(
    r"^\s*(?:By|Von|Par|Por)\s+" + _BYLINE_NAME + r"[|·•–—-]?\s*(?:[A-Z][a-z]+day,?\s+)?"
    r"(?:(?i:" + _MONTH_NAMES + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?i:" + _MONTH_NAMES + r")\.?,?\s+\d{4})"
    r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?"
    r"\s*[|·•–—-]?\s*(?=[A-Z0-9\"“‘']|$)"
)
# The signature under a post a page embeds: "— Jo Marsh (@jomarsh) November 1, 2019", Instagram's "A post shared
# by Jo Marsh (@jomarsh) on Nov 1, 2019 at 9:30am PST" (its dash may be gone as a list marker). The post's
# text stays; this line is no sentence of it.
_EMBED_SIGNATURE = re.compile(
    r"^\s*(?:[—–-]\s*|a (?:post|photo|video) shared by\s+)?[^()\n]{0,80}\(@[\w.]{1,30}\)\s*(?:on\s+)?"
    r"(?:(?:" + _MONTH_NAMES + r")\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+(?:" + _MONTH_NAMES + r")\.?\s+\d{4})"
    r"(?:\s+at\s+\d{1,2}:\d{2}\s*[ap]\.?m\.?(?:\s+[A-Z]{2,4})?)?\s*$",
    re.IGNORECASE,
)
# Where an embedded post showed its picture: "... whenever needed pic.twitter.com/MYwRz9euaq".
_PICTURE_LINK = re.compile(r" ?\bpic\.twitter\.com/\w+")
# A video's or podcast's show notes: a line opening with a time into the recording in brackets that cites a
# source ("(0:13) Source: ..., Reuters, June 2017. http://..."; 43 lines of a real feed's video descriptions became
# summary sentences), a chapter marker ("00:00 Intro", "1:03:15 - Listener mail") and the episode's number alone
# ("Episode 138"). Not any line led by a time: a live blog's or timeline's entries ("09:15 The minister arrives",
# "(10:30) Police closed the road.") are its story, and a feed item of nothing else was left without a summary.
# A chapter's time on a line of its own: with seconds, or the first chapter's 0:00 (a clock time alone is a live blog's).
# After the chapter's title or not: "Gigabit-Ethernet 01:17:42".
_CHAPTER_TIME = re.compile(r"(?:[^.!?]{1,60}?\s)?(?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2}:\d{2}|0?0:00)")
_SHOW_NOTES = re.compile(
    r"^\s*(?:[(\[]\d{1,2}:\d{2}(?::\d{2})?[)\]]\s++"
    # A citation ends with its source and date (", June 2017."); "(14:05) The plant opens in 2027." is a timeline's.
    r"(?:source\s*:|.*,\s*+(?:\w+\s+)?(?:19|20)\d{2}\.(?:\s+https?://\S+)?\s*$)"
    # A chapter list starts at 0:00, and a recording's later times carry seconds; a clock time alone is no
    # chapter. One run of spaces either side of the dash, never two side by side: "00:00" + 100 KB of spaces
    # read in quadratic time when they could be split between them.
    r"|(?:0?0:00|\d{1,2}:\d{2}:\d{2})(?:\s*[-–—|])?\s+[^\s.!?][^.!?]{0,60}$"
    r"|(?:episode|ep\.)\s*(?:#\s*)?\d{1,4}\s*$)",
    re.IGNORECASE,
)
# A podcast's own prompts, one sentence each (checked as reader prompts are): where to hear it ("Subscribe on
# Apple Podcasts or Spotify", "Listen wherever you get your podcasts") and its sponsor ("This week's Harbour
# Podcast is sponsored by ..."). "Spotify said 20 million people listen on Apple Podcasts." is the story.
_PODCAST_APP = (
    r"\b(?:apple podcasts|itunes|spotify|google podcasts|stitcher|overcast|pocket casts|castbox|amazon music|"
    r"youtube music)\b"
)
_WHEREVER_PODCASTS = r"\bwherever you (?:get|find|listen to) (?:your )?podcasts\b"
# Where to listen ends the prompt: an app named after "on" or a colon, then only more apps. A sentence that goes
# on after the app is the story: "Download speeds on Spotify fell sharply, the firm said."
_PODCAST_WHERE = (
    r"(?:(?:\b(?:on|in|via|from|at|through)\s+(?:the\s+)?|:\s*)"
    + _PODCAST_APP
    + r"|"
    + _WHEREVER_PODCASTS
    + r")"
)
_MORE_PODCAST_APPS = (
    r"(?:(?:\s*[,|/&])?\s*(?:\b(?:or|and)\s+)?(?:" + _PODCAST_APP + r"|" + _WHEREVER_PODCASTS + r"))*"
)
_PODCAST_PROMPT = re.compile(
    r"^\s*(?:(?:subscribe|listen|follow|find|download|rate|review|get)\b[^.!?\n]{0,60}?"
    + _PODCAST_WHERE
    + _MORE_PODCAST_APPS
    + r"[.!]?$"
    r"|how to listen to\b[^.!?\n]{0,60}$"
    # German: "Bewertet uns bei Apple Podcasts", "Wenn euch die Folge gefallen hat, dann abonniert uns auf
    # Spotify (falls ihr das nutzt) oder schickt uns eine Sprachnachricht." The reader is told to rate or follow
    # "uns" on an app; what follows the app in the same sentence is more of the prompt.
    r"|(?:(?:wenn|falls)\s[^.!?\n]{0,100}?\s(?:dann\s+)?)?"
    r"(?:bewertet|abonniert|folgt|bewerte|abonniere|folge|(?:bewerten|abonnieren|folgen) sie)\s+uns\b"
    r"[^.!?\n]{0,60}?\b(?:bei|auf|in|über)\s+" + _PODCAST_APP + r"[^.!?\n]{0,80}[.!]?$"
    r"|(?:this|today(?:'|’)s|this week(?:'|’)s)\s+(?:[\w'’-]+\s+){0,3}?(?:episode|show|podcast)\s+"
    r"(?:is|was)\s+(?:sponsored|supported|brought to you|presented)\s+by\b)",
    re.IGNORECASE,
)
# A show's call for its listeners' messages, as German podcasts end their notes: "Schreibt uns per WhatsApp an die
# 0172 10 10 951.", "Schickt uns eure Sprachnachricht an die 0172 10 10 951 mit dem Stichwort ...". A phone number
# in one short sentence with WhatsApp, a voice message or "an die"/"hier:" right before it; "Zeugen melden sich
# unter 0711 8990." is the story. Digit groups of bounded length: a long run of digits is tried in few ways.
_PHONE = r"(?<![\w.,+])(?:\+\d{2}\s?|0)\d{2,4}(?:[ /-]?\d{2,4}){1,4}(?!\w)"
_CALL_IN_PHONE = re.compile(_PHONE)
_CALL_IN_CUE = re.compile(
    r"\b(?:whats\s?app|sprachnachricht)|\b(?:an die|hier)\s*+:?\s*+" + _PHONE, re.IGNORECASE
)
# The show speaks to its listeners ("Schreibt uns", "Unsere WhatsApp-Nummer", "wenn ihr"); a police appeal names
# its number to witnesses ("Zeugen können sich per WhatsApp unter 0160 ... melden").
_CALL_IN_ADDRESS = re.compile(r"\b(?:uns|unser[emnrs]?|euch|eur[emnrs]?|ihr)\b", re.IGNORECASE)
_MAX_CALL_IN_WORDS = 40
_CALL_IN_WORDS = ("whats", "sprachnachricht", "an die", "hier")
# A picture's credit under it: "Main image credit: Getty", "Photo credit: Jo Marsh", "Image by Jo Marsh", "Photo
# by Jo Marsh on Unsplash". Only names follow "by": "Photos by the agency showed the pier" is a sentence.
_PICTURE_CREDIT = re.compile(
    r"^\s*(?:(?:main|top|header|featured|lead|cover|hero)\s+)?(?:image|photo|photograph|picture|illustration)s?"
    r"\s+(?:credits?\s*:|by\s+(?:"
    + _TITLE_WORD
    + r"\s+){0,3}"
    + _TITLE_WORD
    + r"(?:\s+(?:on|for|via|from)\s+(?:"
    + _TITLE_WORD
    + r"\s+){0,2}"
    + _TITLE_WORD
    + r")?\s*$)",
    re.IGNORECASE,
)
# A photo's camera settings, as photo blogs print them under each picture: "Leica TL2, Sigma 30mm F1.4, ƒ4, 45mm,
# ISO100, 1/500s", "f/2.8 1/200s ISO 100". A focal length, an aperture, a shutter time and a film speed; two
# kinds of them and hardly a lower-case word make the line no sentence ("The 50mm f/1.8 lens costs $200.").
_CAMERA_SETTINGS = re.compile(
    r"(?<![\w/.])(?:(?P<mm>\d{1,4}(?:-\d{1,4})?\s?mm)|(?P<f>[fƒ]/?\d{1,2}(?:\.\d{1,2})?|1:\d(?:\.\d{1,2})?)"
    r"|(?P<s>1/\d{2,5}\s?s?)|(?P<iso>iso\s?\d{2,6}))(?![\w/])",
    re.IGNORECASE,
)
_LOWER_WORD = re.compile(r"(?<![\w/.])(?!mm\b)[a-z]{2,}\b")
# A list item's marker, as extractors write list items ("- Spoon the jam into jars"), and a footnote's star
# ("*A draw decides the last place"): in a summary it reads as a stray dash glued to a sentence.
_LIST_MARKER = re.compile(r"^\s*(?:[-*•·▪►■●◦‣]\s+|\*(?=[A-Z\"“]))")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ufeff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# With the ends of Chinese, Japanese, Hindi, Urdu and Arabic sentences: a line of them that ends so is finished.
_SENTENCE_END = re.compile(r"[.!?…。！？।۔؟][\s\"'”’“»«)\]」』）]*$")
# What ends a sentence in the scripts newsbot reads (Greek asks with ";"; Chinese and Japanese end with "。",
# "！", "？", Hindi with "।", Urdu with "۔", Arabic asks with "؟", Armenian ends with "։", Amharic with "።",
# Burmese with "။"), and what may close after it: quotes and brackets (German „…“ and »…«, French « … » with a
# space, Japanese 「…」). A character class each, shared by the summarizer's fragment test and the renderer's.
SENTENCE_FINAL = (
    ".!?…;\u037e\u3002\uff61\uff0e\uff01\uff1f\uff1b\u061f\u061b\u06d4\u0964\u0965\u0589\u1362\u1367\u104b"
)
SENTENCE_CLOSING = "\\s\"'”’“»«›‹)\\]」』）》〉】〕｣"


# Punctuation people type around a word they mean (quotes of every keyboard, brackets, stops), taken off its edges.
_EDGE_PUNCT = " \t\n.,;:!?()[]{}<>'`´‘’‚\"“”„«»‹›「」『』"


def strip_edges(text: str, extra: str = "") -> str:
    """``text`` without punctuation (and ``extra``) at its edges, but for the dot that starts a name such as
    ".NET"."""
    edges = _EDGE_PUNCT + extra
    core = text.strip(edges)
    # Stripped to "net", ".NET" matched every "net profit" of the business news.
    if core[:1].isalpha() and text.lstrip(edges.replace(".", "")).startswith("." + core):
        return "." + core
    return core


def without_tag_sign(word: str) -> str:
    """``word`` without the sign of a hashtag, cashtag or handle ("#tesla" -> "tesla", "$TSLA" -> "TSLA")."""
    sign = _TAG_SIGN.match(word)
    return word[sign.end() :] if sign else word


def _normalize_for_compare(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


@lru_cache(maxsize=16)
def _title_key(title: str) -> str:
    # Every line and sentence of an article is compared with its title: normalised once, not per line (an 11 KB
    # title over 5,000 short lines cost 3 s).
    return _normalize_for_compare(title)


def _is_crumb(line: str) -> bool:
    # "Home > News > World": several short segments joined by a navigation separator, no sentence end.
    parts = _CRUMB_SEPARATORS.split(line)
    return len(parts) >= 3 and all(len(p.split()) <= 5 for p in parts) and not _SENTENCE_END.search(line)


_LIST_DASH = re.compile(r"\s[—–]\s")


def _is_dash_list(line: str) -> bool:
    # Show notes and link lists: "Wikidata — SPARQL — Semantic MediaWiki — Lua — Scribunto." Four or more
    # items, two in three of a few words and opening with a capital or a digit, are a list of names; prose
    # sets its asides between dashes in lower case ("Die Bibliothek — seit 1902 am Markt — öffnet ...").
    parts = _LIST_DASH.split(line)
    if len(parts) < 4:
        return False
    short = sum(len(p.split()) <= 6 for p in parts)
    named = sum(p[:1].isupper() or p[:1].isdigit() for p in parts[1:])
    # A podcast's show notes run quotes and remarks in among the names ("Modem — DSL-Splitter — Clemens vermutet,
    # dass ... — “...” (Tim) — iPhone"): in a line of eight items or more, half of them short will do. Prose
    # never sets seven dashes in one paragraph.
    enough_short = 3 * short >= 2 * len(parts) or (len(parts) >= 8 and 2 * short >= len(parts))
    return enough_short and 3 * named >= 2 * (len(parts) - 1)


def _looks_like_prose(line: str) -> bool:
    return len(line.split()) >= 8 and bool(_SENTENCE_END.search(line))


def is_boilerplate(sentence: str, title: str | None = None) -> bool:
    """True for a line or sentence that is page furniture rather than article text."""
    s = sentence.strip()
    if not s or not any(ch.isalpha() for ch in s):
        return True
    if title and _normalize_for_compare(s) == _title_key(title):
        return True
    return bool(
        _is_dateline(s)
        or _IMAGE_LINE.match(s)
        or _read_next(s)
        or _TAG_LINE.match(s)
        or (_SOCIAL.match(s) and not _opens_prose(s))
        or ("cookie" in s.lower() and _COOKIE_CONSENT.search(s) is not None)
        or _FEED_FURNITURE.search(s)
        or _EMBED_SIGNATURE.match(s)
        or _is_source_credit(s)
        or (len(s) <= 60 and _DATE_LINE.match(s))
        or _is_crumb(s)
        or _is_dash_list(s)
        or (_CREDIT_LINE.search(s) and len(s.split()) <= 25)
        or _SHOW_NOTES.match(s)
        or _PICTURE_CREDIT.match(s)
        or _is_camera_settings(s)
        or _is_reader_prompt(s)
        or _is_call_in(s)
    )


def _is_reader_prompt(line: str) -> bool:
    """A follow, contact, newsletter, "originally published" or reprint line, or a bare link (see _READER_PROMPT)."""
    if _ADDRESS_LINE.match(line):
        return True
    if len(line.split()) > _MAX_PROMPT_WORDS:
        return False
    prompt = _READER_PROMPT.match(line) or _PODCAST_PROMPT.match(line)
    return prompt is not None and _NEXT_SENTENCE.search(line, prompt.end()) is None


def _is_call_in(line: str) -> bool:
    """A listener's call-in line: a phone number to send messages to (see _CALL_IN_CUE), in one short sentence."""
    lower = line.lower()
    # The cue's words first, as plain substrings: every line of every article comes here, few hold them.
    return (
        any(cue in lower for cue in _CALL_IN_WORDS)
        and len(line.split()) <= _MAX_CALL_IN_WORDS
        and _CALL_IN_ADDRESS.search(line) is not None
        and _CALL_IN_PHONE.search(line) is not None
        and _CALL_IN_CUE.search(line) is not None
        and _NEXT_SENTENCE.search(line) is None
    )


def _is_camera_settings(line: str) -> bool:
    """A line of a photo's camera settings (see _CAMERA_SETTINGS), not a sentence about a camera."""
    if len(line) > 160:
        return False
    kinds = {m.lastgroup for m in _CAMERA_SETTINGS.finditer(line)}
    return len(kinds) >= 2 and len(_LOWER_WORD.findall(line)) <= 1


# After a dateline's first comma comes a time or another stamp; after a sentence's, its clause.
_CLOCK_TIME = re.compile(r"\b\d{1,2}[:h]\d{2}\b")
_DATELINE_CLAUSE = re.compile(r",\s+(?!(?i:" + _DATELINE_KEYWORDS + r")\b)(?-i:[a-zà-ÿ])")


def _is_dateline(line: str) -> bool:
    if _DATELINE.match(line) is None:
        return False
    # "Published in The Lancet, the study of 12,000 patients found ...": a lower-case clause of five words or
    # more after a comma, ending like a sentence, is prose that opens with the keyword.
    clause = _DATELINE_CLAUSE.search(line)
    if clause is None:
        return True
    rest = line[clause.end() - 1 :]
    # "Publié le 12 mars 2024 à 10h30, modifié le 12 mars 2024 à 14h00.": a clock time makes it another stamp.
    return len(rest.split()) < 5 or not _SENTENCE_END.search(line) or _CLOCK_TIME.search(rest) is not None


def _read_next(line: str) -> re.Match[str] | None:
    """The "Read more"/"Related" words a line starts with, unless they open a sentence that goes on in lower case."""
    return None if _opens_prose(line) else _READ_NEXT.match(line)


def _opens_prose(line: str) -> bool:
    return _PROSE_OPENING.match(line) is not None and _looks_like_prose(line)


def _is_source_credit(line: str) -> bool:
    # A credit may end with a full stop ("Quelle: dpa."); more than three words that do are a sentence.
    if _SOURCE_CREDIT.match(line) is None:
        return False
    return _SENTENCE_END.search(line) is None or len(line.partition(":")[2].split()) <= 3


def _strip_title_prefix(line: str, title: str) -> str:
    # Extractors sometimes glue the headline onto the first paragraph: "Headline Body text starts here."
    # The length first: lower-casing a long title for every shorter line cost time in proportion to both.
    # Table-cell bars may come first: "| | Headline by Jo Marsh Monday, November 18, 2019 Body ...".
    head = line.lstrip(" |")
    if len(head) > len(title) + 1 and head.lower().startswith(title.lower()):
        rest = head[len(title) :].lstrip(" .:-–—|")
        if rest.startswith("by "):
            # The byline under the headline, glued on too: it goes with it, and the story's first sentence stays.
            unsigned = _BYLINE_DATED.sub("", "B" + rest[1:], count=1)
            rest = rest if unsigned.startswith("By ") else unsigned
        if rest and (rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"'“"):
            return rest
    return line


def _strip_header(line: str) -> str:
    """A paragraph without the bylines, time stamps and agency datelines in front of its first sentence."""
    for _ in range(4):  # a Daily Mail header stacks a byline and two stamps
        before = line
        for pattern in (
            _DATELINE_PREFIX,
            _BYLINE_PREFIX,
            _BYLINE_DATED,
            _STAMP_PREFIX,
            _AGENCY_DATELINE,
            _PLACE_DATELINE,
        ):
            line = pattern.sub("", line, count=1)
        if line == before:
            break
    return line


def _drop_elided_mark(line: str) -> str:
    """``line`` without a trailing "[...]"; a cut in mid-sentence stays visible as "…"."""
    # By hand, not by a regex search: "\s*\[" tried from every space of a long run of spaces is quadratic.
    end = line.rstrip()
    opening = end.rfind("[")
    if not end.endswith("]") or opening < 0 or end[opening + 1 : -1].strip() not in _ELISIONS:
        return line
    head = end[:opening].rstrip()
    return head if not head or head[-1] in ".!?…" else head + "…"


# Between two cells of a table row as extraction writes it ("| Route | Passengers |"); "\|" is a "|" in a cell.
_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")


def _without_table_rows(text: str) -> str:
    """``text`` with the rows of its tables, which page extraction writes as Markdown, as no sentences.

    A row with one filled cell (a page laid out in a table, a paragraph a cell) is that paragraph; the rest of a
    table, its "|---|---|" line and its rows of names and numbers, is no sentence: "| Brackwater to Saltmouth
    crossing | 12,400 passengers in March |" was a summary's sentence, pipes and all.
    """
    if "|" not in text:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        row = line.strip()
        if len(row) < 2 or row[0] != "|" or row[-1] != "|" or row[-2] == "\\":
            continue
        cells = [cell.strip().replace("\\|", "|") for cell in _CELL_SEPARATOR.split(row[1:-1])]
        filled = [cell for cell in cells if cell.strip("-: ")]
        # A blank line: the cell's paragraph, or the dropped row, is no part of the lines around it.
        lines[i] = f"\n{filled[0]}\n" if len(filled) == 1 else ""
    return "\n".join(lines)


def clean_text(text: str, title: str | None = None) -> str:
    """Article text without boilerplate: one paragraph per line, junk characters and furniture removed."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _without_table_rows(_CONTROL.sub(" ", text))
    title = " ".join(title.split()) if title and title.strip() else None
    paragraphs = _paragraphs(text)
    kept: list[str] = []
    seen: set[str] = set()
    skipping_related = False
    chapter_time: str | None = None
    kept_previous = False  # whether kept[-1] is the paragraph right before this one
    for para in paragraphs:
        line = _LIST_MARKER.sub("", " ".join(para.split()), count=1)
        # A podcast's chapter: its title, its time into the recording alone on a line ("00:05:25"), then its notes
        # ("Modem — ISDN — “...” (Tim) — iPhone."), none of them sentences of the episode's story.
        chapter = _CHAPTER_TIME.fullmatch(line)
        after_chapter_time, chapter_time = chapter_time, chapter["time"] if chapter else None
        if (
            chapter_time is not None
            and kept_previous
            and not _SENTENCE_END.search(kept[-1])
            and len(kept[-1].split()) <= 6
        ):
            kept.pop()
        kept_previous = False
        # The notes are no prose, or items set between dashes under a recording's time ("00:12:11"); a paragraph
        # of prose is the story under a runner's time ("Jo Marsh 2:05:09"), its asides between dashes too.
        if chapter_time is not None or (
            after_chapter_time is not None
            and (not _looks_like_prose(line) or (after_chapter_time.startswith("0") and " — " in line))
        ):
            continue
        if title:
            line = _strip_title_prefix(line, title)
        read_next = _read_next(line)
        if read_next:
            # A "Read more: <headline>" line is furniture on its own; a bare "Related" header starts a list.
            skipping_related = not line[read_next.end() :].strip()
            continue
        if _TAG_HEADER.match(line):
            # "Tags" alone on a line, then "stock car 2018, stock car brasil, ...": the list is no prose.
            skipping_related = True
            continue
        if skipping_related:
            if not _looks_like_prose(line):
                continue
            skipping_related = False
        # "Published on 3 May 2024 - The city ..." keeps its sentence once the dateline is cut off.
        # Spaces joined again: a credit cut from inside a sentence leaves the ones on both its sides.
        line = " ".join(
            _PICTURED_AFTER.sub(
                r"\1", _PICTURED.sub("", _CREDIT.sub("", _PICTURE_LINK.sub("", _strip_header(line))))
            ).split()
        )
        line = _drop_elided_mark(line)
        if is_boilerplate(line, title):
            continue
        key = _normalize_for_compare(line)
        if not key or key in seen:
            continue
        seen.add(key)
        kept.append(line)
        kept_previous = True
    return "\n".join(kept)


# A heading may run to this length; a longer line without final punctuation is a wrapped or cut sentence.
_MAX_HEADING_CHARS = 100
# What a heading does not end with, but a line broken in mid-sentence may: a comma, a colon, a dash, a hyphen.
_UNFINISHED_END = (",", ";", ":", "-", "–", "—", "(", "/", "&")


def _is_heading(line: str, following: str, width: int) -> bool:
    """Whether a line without final punctuation ends where its writer (not a text wrapper) broke it."""
    if following[0].islower():
        return False  # the line before was wrapped mid-sentence
    if len(line) < 60:
        return True  # a short line before a capitalised one: a heading or list item
    # A longer one is a heading only if the next line's first word would have fitted on it: a wrapper breaks a
    # line only when the next word does not fit, and German capitalises its nouns, so a capital proves nothing.
    first_word = following.split(None, 1)[0]
    return (
        len(line) <= _MAX_HEADING_CHARS
        and not line.endswith(_UNFINISHED_END)
        and len(line) + 1 + len(first_word) <= width
    )


# Words a heading or caption never ends with: a line ending so was cut in mid-sentence. In lower case, as a
# sentence has them: "Cassiopeia A", "N/A" and a title-case "Someone To Talk To" end names and headings.
_DANGLING_WORD = re.compile(r"\b(?:the|a|an|and|or|of|to|with|for|by|from|that|who|which)$")


def _continues(previous: str, block: str) -> bool:
    """Whether a blank-line block goes on with the sentence the block before broke off.

    Pages that hard-wrap their text with <br> come out of extraction one line a paragraph ("... won the" /
    "Africa Movie Academy Award ... has taken" / "to her Instagram page"); each line became a broken sentence.
    """
    tail = previous[-_TAIL_CHARS:]
    if not tail or _SENTENCE_END.search(tail) or is_boilerplate(block) or _TAG_HEADER.match(tail):
        return False  # a "Tags" header is followed by its list, not by the rest of a sentence
    # Only a comma or a word like "the" says a sentence goes on; a colon or a dash may end a heading or a
    # lead-in to a quoted post. A first word of lower-case letters only: "my6sense" or "iPhone" start sentences.
    if _starts_lower_case(block) or tail.endswith(","):
        return True
    # A heading may end in "for" or "to" too ("... the ecosystem I've been waiting for", "12. Find someone to
    # talk to"): a line of its own, then a finished paragraph opening as a sentence does ("Unhappy with ...")
    # is no broken line, whose rest would go on with a name ("won the" / "Africa Movie Academy Award ...").
    heading = len(previous) <= _MAX_HEADING_CHARS and "\n" not in previous and _opens_paragraph(block)
    return _DANGLING_WORD.search(tail) is not None and not heading


def _opens_paragraph(block: str) -> bool:
    """Whether a block is a finished paragraph that opens with a capitalised word and then a lower-case one."""
    first, _, rest = block.lstrip("\"'“‘(").partition(" ")
    opens = first[:1].isupper() and (len(first) == 1 or first[1:].replace("’", "").replace("'", "").islower())
    finished = "\n" in block or _SENTENCE_END.search(block[-_TAIL_CHARS:]) is not None
    return opens and bool(rest.strip()) and _starts_lower_case(rest) and finished


def _starts_lower_case(block: str) -> bool:
    # Letters only, all lower-case: "my6sense" or "iPhone" may start a sentence; Japanese has no case at all.
    word = block.split(None, 1)[0].rstrip(",;:.")
    return word.replace("-", "").isalpha() and word.islower()


def _wrapped_dash(previous: str, line: str) -> bool:
    """Whether a line opening with "- " is a dash a text wrapper carried over mid-sentence, not a list item."""
    # "... across the network\n- the biggest rise since ...": an item opens in a capital, follows another item
    # or a lead-in ending in a colon.
    return (
        line.startswith("- ")
        and _starts_lower_case(line[2:])
        and _LIST_MARKER.match(previous) is None
        and not previous.endswith(":")
    )


def _paragraphs(text: str) -> list[str]:
    """Paragraphs: blank-line blocks; inside one, a line break counts when the line before looks finished.

    A block that goes on with a sentence the block before broke off is joined to it.
    """
    groups: list[list[str]] = []  # blocks, each with the blocks that go on with its last sentence
    for block in re.split(r"\n\s*\n", text):
        block = block.strip()
        if groups and block and _continues(groups[-1][-1], block):
            groups[-1].append(block)
        else:
            groups.append([block])
    out: list[str] = []
    for group in groups:
        # Joined once, not block by block: a page of thousands of broken lines would be copied that often.
        block = " ".join(group)
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        # The block's longest line is at least the width a wrapper would have filled its lines to.
        width = max((len(ln) for ln in lines), default=0)
        current: list[str] = []
        for ln in lines:
            if current and (
                _SENTENCE_END.search(current[-1])
                or _is_heading(current[-1], ln, width)
                or is_boilerplate(ln)
                # Each item of a list is its own line, finished or not.
                or (_LIST_MARKER.match(ln) and not _wrapped_dash(current[-1], ln))
            ):
                out.append(" ".join(current))
                current = []
            current.append(ln)
        if current:
            out.append(" ".join(current))
    return out


# --- languages, sentences and words ----------------------------------------------------------------------


def language_name(language: str | None) -> str | None:
    """The sumy language name for an ISO code, a locale ("pt-BR") or a name, or None when unsupported."""
    if not language:
        return None
    key = language.strip().lower().replace("_", "-")
    if key in _ISO_BY_NAME:
        return key
    return LANGUAGES.get(key.split("-")[0])


# sumy 0.13 has no Russian stop-word list (NLTK's needs a data download): the function words of news prose.
_RUSSIAN_FUNCTION_WORDS = """
    а без более бы был была были было быть в вам вас весь во вот все всё всего всех вы где да даже для до его
    ее её ей если есть еще ещё же за здесь и из или им их к как какой когда кто ли либо лишь меж между мне
    мы на над нас наш не него нее неё нет ни них но ну о об один она они оно от перед по под после при про с
    со так также там те тем то того тоже той только том тот ту тут у уже чем через что чтобы эта эти это
    этого этой этом этот эту я будет будут который которая которое которые которых которым
    которой котором которого свой своя своё свое свои своих своей своим себя себе сам сама сами само
"""
_RUSSIAN_STOP_WORDS = frozenset(_RUSSIAN_FUNCTION_WORDS.split())


@lru_cache(maxsize=32)
def stop_words(language: str) -> frozenset[str]:
    """sumy's stop words for a language name (ours for Russian)."""
    if language == "russian":
        return _RUSSIAN_STOP_WORDS
    return frozenset(w.lower() for w in get_stop_words(language))


# Russian and Ukrainian share many function words (на, не, до, за, по), so stop words alone mix them up; each
# has letters the other lacks.
_CYRILLIC_LANGUAGES = frozenset({"russian", "ukrainian"})
_UKRAINIAN_LETTERS = "іїєґ"
_RUSSIAN_LETTERS = "ыэъё"


# A headline or a one-sentence teaser: too short for the usual share of stop words.
_SHORT_TEXT_WORDS = 40


# Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Burmese): there a "word"
# in the \w+ sense is a whole phrase, so finding a word means finding a substring.
# Chinese characters and Japanese kana.
CJK_CHARS = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
UNSPACED_CHARS = f"\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff{CJK_CHARS}\U00020000-\U0003134f"
_UNSPACED = re.compile(f"[{UNSPACED_CHARS}]")
# Hangul: Korean is written with spaces, but a noun carries its particle ("서울에서" is "in Seoul"), so a Korean
# word is found at the start of a word.
HANGUL_CHARS = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"


# Languages told by their script: mostly letters of it. Stop words cannot tell them (Chinese, Japanese and Thai
# have no spaces to find them between), and read as English their sentences went to the English splitter, which
# knows none of "。", "؟" or Thai's space. Kana make Chinese characters Japanese. Arabic script with the letters
# Persian and Urdu write for "y" and "k" (ی, ک) is no Arabic.
_SCRIPTS = (
    ("korean", re.compile(f"[{HANGUL_CHARS}]")),
    ("japanese", re.compile(f"[{CJK_CHARS}]")),
    ("hebrew", re.compile("[\u05d0-\u05ea\ufb1d-\ufb4f]")),
    ("arabic", re.compile("[\u0620-\u064a\u066e-\u06d3\u0750-\u077f]")),
    ("thai", re.compile("[\u0e01-\u0e4e]")),
)
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
_ARABIC_ONLY = re.compile("[\u064a\u0643]")  # ي ك
_PERSIAN_URDU = re.compile("[\u06cc\u06a9\u06d2]")  # ی ک ے
_SCRIPT_LANGUAGES = frozenset({"korean", "japanese", "chinese", "hebrew", "arabic", "thai"})


def _script_language(sample: str) -> str | None:
    """The language of a text written mostly in a script only one supported language uses, or None."""
    if sample.isascii():
        return None
    letters = sum(1 for ch in sample if ch.isalpha())
    for name, script in _SCRIPTS:
        found = script.findall(sample)
        if len(found) * 2 <= letters:
            continue
        if name == "japanese":
            # A Japanese sentence has kana in nearly every clause; Chinese news has none.
            return "japanese" if len(_KANA.findall(sample)) * 20 >= len(found) else "chinese"
        if name == "arabic" and len(_PERSIAN_URDU.findall(sample)) > len(_ARABIC_ONLY.findall(sample)):
            return None
        return name
    return None


# The commonest function words of French and Spanish, which sumy's lists for them lack (its Italian list has 602
# words, among them "a", "un", "se", "no"): without them a short French or Spanish text ("Un incendie a ravagé une
# usine de Lyon ...") counted more Italian stop words than its own, and was split and summarized as Italian
# ("M. Dupont" lost its "M.").
_FRENCH_FUNCTION_WORDS = "a à aux de un une ont été était être avait cette ne se on lui"
_SPANISH_FUNCTION_WORDS = "de a y que del se no al más ya o este esta hay él ella otros otra"
_DETECTION_EXTRA_STOP_WORDS = {
    "french": frozenset(_FRENCH_FUNCTION_WORDS.split()),
    "spanish": frozenset(_SPANISH_FUNCTION_WORDS.split()),
}


def _stop_word_hits(words: list[str]) -> dict[str, int]:
    """How many of ``words`` are stop words of each language told apart by stop words (not by script)."""
    hits: dict[str, int] = {}
    for name in LANGUAGES.values():
        if name not in _SCRIPT_LANGUAGES:
            sw = _detection_stop_words(name)
            hits[name] = sum(1 for w in words if w in sw)
    return hits


@lru_cache(maxsize=32)
def _detection_stop_words(language: str) -> frozenset[str]:
    return stop_words(language) | _DETECTION_EXTRA_STOP_WORDS.get(language, frozenset())


def detect_language(text: str) -> str:
    """Cheap guess of the language name of a text (by script, else stop-word overlap); English when in doubt."""
    sample = text[:5000].lower()
    by_script = _script_language(sample)
    if by_script is not None:
        return by_script
    words = _WORD.findall(sample)
    if not words:
        return "english"
    all_hits = _stop_word_hits(words)
    if len(words) <= _SHORT_TEXT_WORDS:
        all_hits = _without_foreign_letters(all_hits, sample)
    english_hits = all_hits.get("english", 0)
    best_hits = max(all_hits.values(), default=0)
    tied = [name for name, hits in all_hits.items() if hits == best_hits]
    best = _tie_broken(tied, words) if best_hits else "english"
    # A handful of matches in a long text is noise (names, numbers); stay with English. A headline or a
    # one-line teaser has few function words at all: two of another language, fewer English ones and a letter
    # English does not write decide ("Governo quer reduzir impostos até ao fim do ano": "ao", "do" and "é";
    # "Man bites dog in Berlin" has Swedish "man" and "in" but stays English).
    short_and_clear = (
        len(words) <= _SHORT_TEXT_WORDS
        and best_hits >= 2
        and english_hits < best_hits
        and any(ch.isalpha() and not ch.isascii() for ch in sample)
    )
    if best_hits < max(3, len(words) // 20) and not short_and_clear:
        return "english"
    return _cyrillic_told_apart(best, sample)


# Letters a Romance language never writes. A headline has a stop word or two, which its neighbours share ("de",
# "no", "durante"): "La policía detuvo a un sospechoso durante la operación" counted as Italian, and Portuguese
# headlines as Spanish; "í", "ó" are no Italian, "ç", "ã" no Spanish.
_FOREIGN_LETTERS = {
    "italian": frozenset("áíóúñçãõâêô"),
    "spanish": frozenset("ãõçàèìòùâêô"),
    "portuguese": frozenset("ñèìòù"),
    "french": frozenset("ñãõáíóúìò"),
}


def _without_foreign_letters(hits: dict[str, int], sample: str) -> dict[str, int]:
    """``hits`` without the Romance languages whose foreign letters ``sample`` has, when one that has none of them
    is left with as many stop words but one (else a name decides: "São Paulo" would make a Spanish headline
    Swedish by its "en")."""
    letters = {ch for ch in sample if not ch.isascii()}
    kept = {name: n for name, n in hits.items() if not letters & _FOREIGN_LETTERS.get(name, frozenset())}
    if len(kept) == len(hits) or not kept:
        return hits
    best = max(kept, key=lambda name: (kept[name], name in _FOREIGN_LETTERS))
    return kept if best in _FOREIGN_LETTERS and kept[best] >= max(hits.values()) - 1 else hits


def _tie_broken(tied: list[str], words: list[str]) -> str:
    """Of languages with as many stop words in ``words``, the one with more words the others lack, else more of
    its own list's (not the words added for detection), else the first.

    The words added for detection are Portuguese too ("de", "o", "no"): a Portuguese headline tied Spanish on
    them, and Spanish came first.
    """
    if len(tied) == 1:
        return tied[0]

    def key(name: str) -> tuple[int, int]:
        own = _detection_stop_words(name)
        others = [_detection_stop_words(other) for other in tied if other != name]
        distinct = sum(1 for w in words if w in own and not any(w in sw for sw in others))
        return distinct, sum(1 for w in words if w in stop_words(name))

    return max(tied, key=key)


def _cyrillic_told_apart(name: str, sample: str) -> str:
    """``name``, or for a Cyrillic language the one its own letters say: Russian and Ukrainian share stop words."""
    if name in _CYRILLIC_LANGUAGES:
        ukrainian = sum(sample.count(ch) for ch in _UKRAINIAN_LETTERS)
        russian = sum(sample.count(ch) for ch in _RUSSIAN_LETTERS)
        if ukrainian != russian:
            return "ukrainian" if ukrainian > russian else "russian"
    return name


def text_language(text: str, declared: str | None = None) -> str:
    """The sumy language name of a text: the declared language, or the guessed one.

    A declared English is checked: page templates and feeds say "en" by default, and German pages marked so
    were summarized with English sentence rules ("Der 1." / "FC Köln gewann ..."). Another declared language
    stands unless the text clearly says otherwise (see _evident_language): the guess defaults to English when
    unsure, and close languages share stop words.
    """
    name = language_name(declared)
    if name is not None and name != "english":
        return _evident_language(text, name) or name
    return detect_language(text)


# How much text it takes to overrule a declared language by stop words: a teaser of a few sentences may be mostly
# an English quote in a German story. And the share of its words that must be stop words of the other language:
# prose in any supported language has them (English news about 45%, German 12-40%: its list is short, show notes
# terse), a list of names, numbers or product titles does not.
_EVIDENT_MIN_WORDS = 100
_EVIDENT_STOP_WORD_SHARE = 0.1


def _evident_language(text: str, declared: str) -> str | None:
    """The language a text is plainly written in when that is not ``declared``, else None.

    Templates declare a default language: English Business Insider pages say lang="de", and were tagged and
    split with German rules. The text wins only on strong evidence: another script, or a text of some length
    whose stop words are mostly another language's, at least twice as many as the declared language's (close
    languages, Czech and Slovak, Portuguese and Italian, share too many to tell apart that way).
    """
    sample = text[:5000].lower()
    by_script = _script_language(sample)
    if by_script is not None:
        # Chinese and Japanese share their characters: a Japanese headline may have no kana at all.
        han = {"chinese", "japanese"}
        return None if by_script == declared or {by_script, declared} <= han else by_script
    words = _WORD.findall(sample)
    if len(words) < _EVIDENT_MIN_WORDS:
        return None
    hits = _stop_word_hits(words)
    best = max(hits, key=hits.__getitem__)
    if (
        best == declared
        or hits[best] < _EVIDENT_STOP_WORD_SHARE * len(words)
        or hits[best] < 2 * hits.get(declared, 0)
    ):
        return None
    # What detect_language would say, without reading the text a second time: at 100 words or more a tenth
    # of them is past its noise floor.
    return _cyrillic_told_apart(best, sample)


# German writes ordinals with a full stop ("der 1. FC", "zum 2. Mal", "am 22. Spieltag"); sentencex ends a
# sentence there unless a month follows. After an article (der, zum) or a possessive (sein 100. Tor) the
# number cannot end a sentence.
_GERMAN_ORDINAL = re.compile(
    r"\b(?:der|die|das|dem|den|des|ein|eine|einem|einen|einer|eines|am|im|zum|zur|vom|beim|"
    r"fürs|ins|ans|aufs|(?:mein|dein|sein|ihr|unser|euer|eur)(?:e|em|en|er|es)?)\s+\d{1,3}\.$",
    re.IGNORECASE,
)
# Abbreviations sentencex ends a sentence after although a name, number or word must follow: French "M.
# Dupont", "Dr. Martin"; Portuguese "Av. Paulista", "Pág. 3", "dep. Amaral" (deputado), "Pe. Júlio" (padre);
# Spanish "Pdte. Ruiz" (presidente); Italian "l'on. Rossi" (onorevole, a member of parliament).
_NEVER_FINAL = {
    "french": ("M", "MM", "Mme", "Mlle", "Dr", "Pr", "Me", "St", "Ste", "p", "av", "bd", "cf"),
    "spanish": ("Sr", "Sra", "Srta", "Dr", "Dra", "Ud", "Uds", "Av", "Avda", "pág", "núm", "art", "Pdte"),
    "portuguese": ("Sr", "Sra", "Srta", "Dr", "Dra", "Prof", "Profa", "Av", "pág", "art", "cap", "Dep", "Pe"),
    "italian": ("on", "onn", "sig", "sigg", "dott", "prof", "avv", "ing", "sen", "gen", "pag"),
}
# Not after a number: there "m." is metres ("la tour mesure 330 m."), which may end a sentence; a title or an
# abbreviation never directly follows a bare number. After an elision too: Italian "l'on. Rossi".
_NEVER_FINAL_RE = {
    lang: re.compile(r"(?:^|(?<!\d)\s|\w['’])(?:" + "|".join(abbrevs) + r")\.$", re.IGNORECASE)
    for lang, abbrevs in _NEVER_FINAL.items()
}
# What closes a clause or a bracket, and so never opens a sentence: a splitter that cut before it cut where no
# space was (sentencex after "S.p.A." in "la S.p.A., si è dimesso"; nupunkt inside "(D-Minn.), the office").
_CLAUSE_GOES_ON = frozenset(",;:)]}")
# German writes a date's day as an ordinal ("Freitag, 3. Oktober, ..."); sentencex keeps "3. Oktober" together
# only when no comma or full stop follows the month.
_GERMAN_DAY = re.compile(r"(?:^|[\s(])\d{1,2}\.$")
_GERMAN_MONTH = re.compile(
    r"^(?:januar|jänner|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember)\b",
    re.IGNORECASE,
)
# What follows a split that cannot be a new sentence: the ordinal indicator of "1.º", "2.ª", "n.º" (Spanish,
# Portuguese), or a lower-case word after a short abbreviation ("au XIXe s. en France", "3 oct. prochain").
_ORDINAL_INDICATOR = re.compile(r"^[ºª°]")
_SHORT_ABBREVIATION = re.compile(r"\b[^\W\d_]{1,5}\.$")
# Abbreviations that stand before a number (or a century in Roman numerals) and never end a sentence: "l'art. 5",
# "d'env. 3 %", "séc. XX", Polish "ok. 1000", Russian "ок. 1000", Ukrainian "бл. 1000", "p. 5", "Nr. 12".
_BEFORE_NUMBER = re.compile(
    r"(?:^|[\s'’(])(?:art|arts|env|ca|ok|ок|бл|прибл|séc|sec|núm|nr|nrs|pág|págs|vol|abs|cap|fig|pkt|ust|čl|odst|"
    r"ст|str|pp|(?-i:p|s|n))\.$",
    re.IGNORECASE,
)
_NUMBER_START = re.compile(r"^(?:\d|[IVXLC]+\b)")
# sentencex cuts dotted initialisms where no space follows the dot: "EE.|UU.", "E.|U.A.", "J.|-C.", "Ph.|D.".
# A cut with no space, between two short letter groups that each end in a dot, is no sentence end; "IRS.O
# valor", a feed's sentences glued without a space, stays cut.
_INITIAL_END = re.compile(r"(?:^|[\s.(-])[^\W\d_]{1,3}\.$")
_INITIAL_GOES_ON = re.compile(r"^-?[^\W\d_]{1,3}\.")
# sentencex looks abbreviations up without regard to case, so a name in capitals that spells one ("SC" for
# "sc.", Italian "PD", "FIAT") glued the next sentence on: "... beim Bonner SC. Der 36-Jährige ...". A word
# in capitals, a full stop and a capitalised word end a sentence; not after a Roman numeral ("Ludwig XIV."
# is an ordinal) or inside a run of abbreviations ("EE. UU. Donald Trump").
_CAPITALS_END = re.compile(r"\b([^\W\d_]{2,})\.\s+(?=[^\W\d_][^\W\d_])")
_ROMAN = re.compile(r"[IVXLCDM]+")
_ABBREVIATION_BEFORE = re.compile(r"\b[^\W\d_]{1,3}\.\s*$")
# Both splitters take quadratic time over runs of sentence ends without spaces (sentencex: "A!A!A!...", 80,000
# characters in 1.3 s; nupunkt: "».».»....", 40,000 in 2 s), so a long paragraph goes to them in windows; no
# real paragraph is this long (the longest in the BBC and CNN/DailyMail sets has 3,214 characters).
_SEGMENT_CHARS = 5000
# The end of a sentence the rejoining patterns above need to see (an abbreviation or "dem 22." is far shorter).
_TAIL_CHARS = 100
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{_MAX_SENTENCE_CHARS}}}")


# A sentence end inside a run without spaces: Chinese and Japanese write a paragraph so.
_RUN_SENTENCE_END = re.compile(r"[。！？!?][」』”’)）]*")


def _run_cut(run: str) -> int:
    """Where to cut a run without spaces: after its last sentence end in its second half, else at its end."""
    cut = len(run)
    for match in _RUN_SENTENCE_END.finditer(run, len(run) // 2):
        cut = match.end()
    return cut


def _windows(paragraph: str) -> list[str]:
    """The paragraph in pieces of at most _SEGMENT_CHARS characters, cut at a space where there is one.

    A run of over _MAX_SENTENCE_CHARS characters without a space is cut at that length too: _chunk would cut it
    anyway, and inside one such run both splitters take quadratic time.
    """
    if len(paragraph) <= _SEGMENT_CHARS and _LONG_RUN.search(paragraph) is None:
        return [paragraph]
    out: list[str] = []
    start = 0
    while start < len(paragraph):
        end = start + _SEGMENT_CHARS
        # A slice, not a start position: the run may go on from the previous window, and the pattern's
        # look-behind would see that.
        run = _LONG_RUN.search(paragraph[start:end])
        if run is not None:
            cut = start + (run.start() or _run_cut(paragraph[start : start + _MAX_SENTENCE_CHARS]))
        elif end >= len(paragraph):
            cut = len(paragraph)
        else:
            cut = paragraph.rfind(" ", start + _SEGMENT_CHARS // 2, end)
            cut = end if cut < 0 else cut
        out.append(paragraph[start:cut])
        start = cut
    return out


# nupunkt leaves some sentence ends unsplit when the next sentence opens with a word it often sees inside
# sentences ("... lead to better rest. A 43-year-old man ...", "... in a row. For this year's ..."): after a
# word in lower case that is no abbreviation, a full stop (perhaps closing a quote) and a capital do end one.
# So does a capitalised word glued on with no space, as pages drop the space where a paragraph break was
# ("... as a chief physician.Police arrested ...", "... offline business.Click To Tweet"); a word of a web
# address goes on with a dot or more capitals ("www.DearAbby.com", "www.Reuters.com"), so it is not cut.
_MISSED_END = re.compile(
    r"(?<![\w.])([a-z][a-z'’-]*[a-z])([.!?][\"'”’)\]]*)(?:\s+(?=[\"“‘(]?[A-Z])|(?=[A-Z][a-z]+\s))"
)
_LOWER_ABBREVIATIONS = frozenset(
    "al approx bln ca cf co corp dept dir ed eds esp est etc fig figs ft gov govt hr hrs inc incl jr lb lbs ltd "  # noqa: SIM905
    "max min mins mln mos mt no nos op oz pct pp pts qtr ref rev sq sr st tel vol vols vs viz wk yr yrs".split()
)
# One of them ends the text before a piece in lower case: nupunkt cut after an abbreviation it does not know
# ("Growth slowed to 2.1 pct. | in the third quarter"); no English sentence opens in lower case.
_LOWER_ABBREVIATION_END = re.compile(
    r"(?:^|[\s(\"“‘'/-])(?:" + "|".join(sorted(_LOWER_ABBREVIATIONS)) + r")\.$", re.IGNORECASE
)


# ... and a name glued on so, the space gone after a capitalised word ("... on Tuesday.Police said ...", "... in
# London.The farm ..."); a title before a name is no end ("Capt.Smith"), nor three letters or fewer ("Mr.Smith").
_GLUED_AFTER_NAME = re.compile(r"(?<![\w.])([A-Z][a-z]{3,})([.!?][\"'”’)\]]*)(?=[A-Z][a-z]+\s)")
_GLUED_TITLES = frozenset(
    "Assn Atty Brig Bros Capt Cmdr Corp Dept Govt Insp Inst Intl Msgr Natl Pres Prof Sept Supt Univ".split()  # noqa: SIM905
)


def _split_missed_ends(sentence: str) -> list[str]:
    # Where each sentence the splitter missed ends, and where the next starts.
    cuts = [
        (match.end(2), match.end())
        for match in _MISSED_END.finditer(sentence)
        if match.group(1) not in _LOWER_ABBREVIATIONS  # in lower case, as _MISSED_END matched it
    ]
    cuts.extend(
        (match.end(2), match.end(2))
        for match in _GLUED_AFTER_NAME.finditer(sentence)
        if match.group(1) not in _GLUED_TITLES
    )
    cuts.sort()
    out: list[str] = []
    start = 0
    for end, next_start in cuts:
        out.append(sentence[start:end])
        start = next_start
    out.append(sentence[start:])
    return out


def _split_after_capitals(sentence: str) -> list[str]:
    """``sentence`` cut after each word in capitals that ends a sentence the splitter ran on past."""
    out: list[str] = []
    start = 0
    for match in _CAPITALS_END.finditer(sentence):
        word, following = match.group(1), sentence[match.end() : match.end() + 2]
        if (
            word.isupper()
            and following[0].isupper()
            and following[1].islower()
            and _ROMAN.fullmatch(word) is None
            and _ABBREVIATION_BEFORE.search(sentence, 0, match.start()) is None
        ):
            out.append(sentence[start : match.start() + len(word) + 1])
            start = match.end()
    out.append(sentence[start:])
    return out


# nupunkt ends a sentence after titles it does not know, though a name follows ("said Lt. | Matt Harris"), and
# after a dotted abbreviation it met after a hyphen or in lower case ("non-U.S. | competitors", "2.1 cu.ft. |
# front trunk"). Neither ends an English sentence: a title before a capital, a dotted abbreviation before a word
# in lower case. "Jr.", "St." and "No." are left alone: they end sentences ("... Main St.").
_TITLE_END = re.compile(
    r"(?:^|[\s(\"“‘'-])(?:Adm|Ald|Amb|Atty|Brig|Capt|Cdr|Cmdr|Col|Cpl|Det|Gen|Gov|Hon|Insp|Lt|Maj|Msgr|Pres|Prof|Pvt|"
    r"Rep|Rev|Sen|Sgt|Supt)\.$"
)
_DOTTED_END = re.compile(r"(?:^|[\s(\"“‘'/-])(?:[A-Za-z]{1,3}\.){2,}$")
# nupunkt ends a sentence at every "!" and "?", but names of shows, songs and brands carry them mid-sentence:
# "Hey Ya! after getting five nominations", "a report by Which? magazine", "a new report by E! News". No English
# sentence opens in lower case; a capital goes on with the name only as the rest of a brand's name.
_NAME_MARK_END = re.compile(r"\w[!?]$")
_BRAND_END = re.compile(r"(?:^|[\s(\"“‘'])(E|Yahoo|Jeopardy)!$")
_BRAND_NAME_GOES_ON = {
    "E": frozenset({"News", "Online", "Entertainment", "True"}),
    "Yahoo": frozenset("Answers Finance Groups Inc Japan Mail Messenger Music News Search Sports".split()),  # noqa: SIM905
    "Jeopardy": frozenset({"Masters", "Productions", "Tournament"}),
}


# A show named with "!" that opens the sentence: "On Jimmy Kimmel Live! Daniels appears to question it." was cut
# after "Live!". Only a sentence that so far is an opening preposition and names in capitals: "We are live! The
# show starts." and "He appeared on Jimmy Kimmel Live! The host asked." still end at the "!".
_SHOW_OPENING = re.compile(
    r"(?:(?:[A-Z][a-z]+ing|Asked|Interviewed)\s+on|On|In|During|At|From|After|Before|Via)\s+"
    r"(?:(?:[A-Z][\w'’.&-]*\s+){1,5}Live|(?:[A-Z][\w'’.&-]*\s+){0,4}(?:E|Yahoo|Jeopardy))!"
)


def _name_goes_on(tail: str, piece: str) -> bool:
    """Whether ``piece`` goes on with a name ending in "!" or "?" that nupunkt took for a sentence end."""
    if _NAME_MARK_END.search(tail) is None:
        return False
    if _starts_lower_case(piece):
        return True
    brand = _BRAND_END.search(tail)
    first_word = piece.split(None, 1)[0].rstrip(".,;:)")
    return brand is not None and first_word in _BRAND_NAME_GOES_ON[brand.group(1)]


# A quoted question or exclamation then its speaker: "'Did I?' Daniels said, refusing to answer." is one
# sentence, which nupunkt cut after the quote, so a summary read "Daniels said, refusing to answer." Only when
# the quotation opens the sentence: "He asked 'Why?' Officials said no more." is two.
_QUOTE_MARK_END = re.compile(r"[?!][\"'”’»]$")
_QUOTE_OPENINGS = "\"'“‘«„"
_SPEAKER = re.compile(
    r"(?:[A-Z][\w'’.-]*\s+){1,3}(?:said|says|asked|asks|added|adds|replied|replies|told|tells|wrote|writes|"
    r"tweeted|shouted|exclaimed|wondered|insisted|recalled|joked)\b"
)


def _rejoin_english(pieces: list[str]) -> list[str]:
    # Each sentence kept as its parts until it is whole: joining piece by piece was quadratic in a hostile
    # paragraph of "Lt. Ab Lt. Ab ...". Each part after the first carries the space it is joined with.
    groups: list[list[str]] = []
    for piece in pieces:
        tail = groups[-1][-1][-_TAIL_CHARS:] if groups else ""
        if tail and piece[:1] in _CLAUSE_GOES_ON:
            # nupunkt cut inside a bracket after an abbreviation: "Rep. Jo Marsh (D-Minn." | "), the office
            # said". No sentence opens with a closing bracket or a comma; it was cut where no space was.
            groups[-1].append(piece)
        elif tail and (
            (piece[:1].isupper() and _TITLE_END.search(tail))
            or (
                _starts_lower_case(piece)
                and (_DOTTED_END.search(tail) or _LOWER_ABBREVIATION_END.search(tail))
            )
            or _name_goes_on(tail, piece)
            or (
                len(groups[-1]) == 1
                and piece[:1].isupper()
                and _SHOW_OPENING.fullmatch(groups[-1][0]) is not None
            )
            or _rtl_title_goes_on(tail, piece)
            or (
                groups[-1][0][:1] in _QUOTE_OPENINGS
                and _QUOTE_MARK_END.search(tail) is not None
                and _SPEAKER.match(piece) is not None
            )
        ):
            groups[-1].append(" " + piece)
        else:
            groups.append([piece])
    return ["".join(group) for group in groups]


# Sentence ends nupunkt does not know, of languages newsbot reads with English rules as it has no stop words for
# them (Hindi, Urdu, Persian): the danda, the Urdu full stop and the Arabic question mark; and a Chinese or
# Japanese sentence quoted in English. And a full stop between words in Arabic letters or Hebrew, which write
# no capitals: nupunkt kept Persian "... تصویب کرد. آیا ..." together, taking "کرد." for an abbreviation (a
# one-letter one, "د. أحمد", has no two letters before its dot).
_RTL_LETTER = "\u05d0-\u05ea\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff"
_OTHER_SCRIPT_END = re.compile(rf"(?<=[।॥۔؟。！？])\s+|(?<=[{_RTL_LETTER}]{{2}}\.)\s+(?=[{_RTL_LETTER}])")
# Both splitters end a sentence after a one-letter abbreviation in Arabic letters, a title before a name ("د. أحمد"
# for Dr., Persian "م. رضایی" for Eng.): with no capitals to tell, an Arabic or Persian letter alone before its dot
# and another word in those letters go on.
_RTL_INITIAL_END = re.compile(rf"(?:^|\s)[{_RTL_LETTER}]\.$")
_RTL_WORD_START = re.compile(rf"[{_RTL_LETTER}]")
# Thai writes no full stop: a space between Thai words ends a sentence (or a clause: the nearest thing to one).
_THAI_BREAK = re.compile(r"(?<=[\u0e01-\u0e4e])\s+(?=[\u0e01-\u0e4e])")


def _rtl_title_goes_on(tail: str, piece: str) -> bool:
    """Whether ``piece`` goes on with the name after a one-letter Arabic or Persian title ending ``tail``."""
    return _RTL_WORD_START.match(piece) is not None and _RTL_INITIAL_END.search(tail) is not None


def _split_paragraph(paragraph: str, language: str) -> list[str]:
    if language == "english":
        return _rejoin_english(
            [
                part.strip()
                for window in _windows(paragraph)
                for s in nupunkt.sent_tokenize(window)
                for piece in _split_missed_ends(str(s))
                for part in _OTHER_SCRIPT_END.split(piece)
                if part.strip()
            ]
        )
    code = _ISO_BY_NAME.get(language, "en")
    # Each piece, and whether the splitter cut right before it with no space after the dot.
    pieces: list[tuple[str, bool]] = []
    for window in _windows(paragraph):
        unspaced = False
        for segment in sentencex.segment(code, window):
            text = str(segment)
            for k, piece in enumerate(_split_after_capitals(text.strip())):
                pieces.append((piece, unspaced and k == 0))
            unspaced = not text[-1:].isspace()
    never_final = _NEVER_FINAL_RE.get(language)
    out: list[str] = []
    # The sentence being rejoined, in parts, and its end: the patterns look only at how it ends, and searching
    # and re-concatenating the whole of it per piece was quadratic ("Dr. Dr. Dr. ..." is one sentence in French).
    parts: list[str] = []
    tail = ""
    for piece, unspaced in pieces:
        initialism = unspaced and _INITIAL_GOES_ON.match(piece) is not None and _INITIAL_END.search(tail)
        glued = _ORDINAL_INDICATOR.match(piece) or piece[:1] in _CLAUSE_GOES_ON
        if parts and (
            glued
            or initialism
            or (piece[:1].islower() and _SHORT_ABBREVIATION.search(tail))
            or (_NUMBER_START.match(piece) and _BEFORE_NUMBER.search(tail))
            or (never_final is not None and never_final.search(tail))
            or _rtl_title_goes_on(tail, piece)
            or (language == "german" and _GERMAN_ORDINAL.search(tail))
            or (language == "german" and _GERMAN_MONTH.match(piece) and _GERMAN_DAY.search(tail))
        ):
            # "1." + "º de mayo" is "1.º de mayo", "EE." + "UU." is "EE.UU.": no space where the splitter cut.
            part = ("" if initialism or glued else " ") + piece
            parts.append(part)
            tail = (tail + part)[-_TAIL_CHARS:]
        else:
            if parts:
                out.append("".join(parts))
            parts, tail = [piece], piece[-_TAIL_CHARS:]
    if parts:
        out.append("".join(parts))
    return out


def _chunk(sentence: str) -> list[str]:
    words = sentence.split()
    pieces = (
        [sentence]
        if len(words) <= _MAX_SENTENCE_WORDS
        else [" ".join(words[i : i + _CHUNK_WORDS]) for i in range(0, len(words), _CHUNK_WORDS)]
    )
    out: list[str] = []
    for piece in pieces:
        if len(piece) <= _MAX_SENTENCE_CHARS:
            out.append(piece)
        else:  # text without spaces (a hostile page, a pasted hash) would be one sentence of any length
            out.extend(piece[i : i + _CHUNK_CHARS] for i in range(0, len(piece), _CHUNK_CHARS))
    return out


# A list flattened onto one line ("... on Tuesday. * Power goes to ...  • Work starts ..."): the splitters left the
# marker at the end of one sentence ("... on Tuesday. *") or at the start of the next ("• Work starts ..."). Only
# where a sentence ends or starts: "U.S. - China talks" keeps its dash.
_INLINE_BULLET = re.compile(r"[-*•·▪►■●◦‣]")
_INLINE_BULLET_END = re.compile(r"(?<=[.!?…\"'”’)])\s+[-*•·▪►■●◦‣]$")
_INLINE_BULLET_START = re.compile(r"^(?:[-*•·▪►■●◦‣]\s+)+(?=\S)")


def split_sentences(text: str, language: str = "english") -> list[str]:
    """Sentences of a text (paragraph breaks are hard boundaries); run-on text is cut into word chunks."""
    language = language_name(language) or "english"
    # sentencex encodes to UTF-8, which a lone surrogate (from a JSON "\\ud800" escape) cannot be.
    text = _SURROGATES.sub("\ufffd", text)
    out: list[str] = []
    paragraphs = text.split("\n")
    if language == "thai":
        paragraphs = [part for para in paragraphs for part in _THAI_BREAK.split(para)]
    for para in paragraphs:
        para = para.strip()
        if not para:
            continue
        # A paragraph in another script (a Chinese passage in a text read as English) ends its sentences with
        # its own marks, which the English splitter does not know.
        own = language if language != "english" or para.isascii() else _script_language(para[:5000].lower())
        for sent in _split_paragraph(para, own or language):
            sent = _INLINE_BULLET_START.sub("", _INLINE_BULLET_END.sub("", sent))
            out.extend(c for c in _chunk(sent) if c and _INLINE_BULLET.fullmatch(c) is None)
    return out


def is_unspaced(text: str) -> bool:
    """Whether ``text`` has characters of a script written without spaces between words."""
    return _UNSPACED.search(text) is not None


# A run of such a script: where it meets another, a word ends ("新型iPhoneを発表").
UNSPACED_RUN = re.compile(f"[{UNSPACED_CHARS}]+")
# One character as a reader counts it: a letter with the signs written on it (a Thai consonant with its vowel
# and tone marks), so a pair of them is a pair of letters, not a letter and half of the next.
_LETTER = re.compile(f"\\w[{_BMP_MARKS}]*")


def unspaced_parts(token: str) -> tuple[list[str], list[str]]:
    """A word token's runs of an unspaced script, and the pieces between them.

    ``"新型iPhoneを発表"`` gives ``(["新型", "を発表"], ["iPhone"])``: the regex's "word" runs on across scripts.
    """
    runs = UNSPACED_RUN.findall(token)
    if not runs:
        return [], [token]
    return runs, [piece for piece in UNSPACED_RUN.split(token) if piece]


def unspaced_letters(run: str) -> list[str]:
    """The letters of a run without spaces, each with the signs written on it."""
    return _LETTER.findall(run)


def words(sentence: str) -> list[str]:
    """Word tokens of a sentence, as they appear."""
    return _WORD.findall(sentence)


class SentenceTokenizer:
    """sumy-compatible tokenizer (``to_sentences``/``to_words``) that needs no NLTK data."""

    def __init__(self, language: str = "english") -> None:
        self.language = language_name(language) or "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        """Sentences of one paragraph."""
        return tuple(split_sentences(paragraph, self.language))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """Words of one sentence."""
        return tuple(words(sentence))


@lru_cache(maxsize=32)
def stemmer(language: str) -> Callable[[str], str]:
    """sumy's stemmer for a language name (cached: NLTK builds its Snowball tables on construction)."""
    try:
        stem = Stemmer(language)
        stem("test")
    except (ValueError, ImportError, LookupError):
        # sumy's Polish and Greek stemmers need packages newsbot does not install (pystempel, greek-stemmer) and
        # raise on every word, and it has none for Thai; lower-casing is a poorer stemmer, but such articles failed.
        return _lower
    return stem


def _lower(word: str) -> str:
    return word.lower()


def stems(tokens: Iterable[str], language: str) -> list[str]:
    """Lower-cased stems of content words (stop words and one-character tokens dropped)."""
    sw = stop_words(language)
    stem = _cached_stem_function(language)
    return [stem(t) for t in (tok.lower() for tok in tokens) if t not in sw and len(t) > 1]


@lru_cache(maxsize=32)
def _cached_stem_function(language: str) -> _StemCache:
    return _StemCache(stemmer(language))


class _StemCache:
    """Memoized stemming: Snowball costs microseconds a word and news repeats its words a lot."""

    def __init__(self, stem: Callable[[str], str]) -> None:
        self._stem = stem
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        hit = self._cache.get(word)
        if hit is None:
            if len(self._cache) > 200_000:
                self._cache.clear()
            hit = self._cache[word] = self._stem(word)
        return hit
