"""Who gets which story: topics, whole-word keywords, one alert per story per chat, quiet hours, pause."""

from __future__ import annotations

import gc
import time

from bot.delivery import keyword_matcher, match_articles, plan_rows
from bot.delivery.planning import plan_outbox_rows
from bot.scheduling import utc
from bot.store.deliveries import PlanningTarget
from summaries.articles import Article


def article(
    aid: int,
    title: str,
    body: str = "",
    topics: tuple[str, ...] = (),
    *,
    story: int | None = None,
    source: str = "Daily Wire",
) -> Article:
    return Article(
        url=f"https://news.example/{aid}",
        title=title,
        body=body,
        source=source,
        topics=topics,
        id=aid,
        story_id=story if story is not None else aid,
    )


def matches(keyword: str, text: str) -> bool:
    from bot.delivery.planning import _normalized_words

    return keyword_matcher(keyword)(text, _normalized_words(text))


def test_keywords_match_whole_words_and_phrases_case_insensitively() -> None:
    assert matches("tesla", "Shares of TESLA rose")
    assert not matches("car", "Cars and carpets")
    assert matches("electric car", "the new Electric  car market")
    assert not matches("electric car", "electric cars")
    assert matches("e-commerce", "E-commerce sales grew")


def test_keywords_match_across_unicode_spellings() -> None:
    # "İstanbul" case-folds to "i" + a combining dot, and a decomposed "é" is "e" + a combining accent: both
    # used to split the word, so a chat following "istanbul" or "café" never heard of these headlines.
    assert matches("istanbul", "İstanbul'da büyük yangın")
    assert matches("i\u0307stanbul", "İSTANBUL MARATHON")  # as /subscribe İstanbul stored it once
    assert matches("café", "Le cafe\u0301 du coin ferme")
    assert matches("cafe\u0301 crème", "Café crème prices rise")
    assert matches("straße", "STRASSE GESPERRT")
    assert not matches("istanbul", "Istanbuller")
    plan = match_articles(
        [article(1, "İSTANBUL'DA YANGIN", "Cafe\u0301 Central closed.")], [(7, "keyword", "café")]
    )
    assert [m.article_id for m in plan[7]] == [1]


def test_keywords_in_german_french_and_portuguese_news() -> None:
    # As /subscribe stores them (lower case). Accents count neither way, as in /search: "sao paulo" (typed on a
    # keyboard without them) finds "São Paulo", and "élection" the English "Election".
    articles = [
        article(1, "SÃO PAULO: chuva forte", "A cidade de São Paulo teve alagamentos."),
        article(2, "Frankreich vor der Wahl", "Vor l'élection présidentielle spricht die KI-Branche."),
        article(3, "Das E-Auto und die STRASSE", "Neue Ladesäulen an der Strasse."),
        article(4, "Election day in Ohio", "Voters queue."),
        article(5, "Kinder und Straßenbahnen", "Eine Straßenbahn für E-Autos."),
    ]
    subscriptions = [
        (1, "keyword", "são paulo"),
        (2, "keyword", "sao paulo"),
        (3, "keyword", "élection"),
        (4, "keyword", "election"),
        (5, "keyword", "straße"),
        (6, "keyword", "e-auto"),
        (7, "keyword", "ki"),
    ]
    plan = match_articles(articles, subscriptions)
    got = {chat: sorted(m.article_id for m in plan.get(chat, [])) for chat in range(1, 8)}
    assert got == {1: [1], 2: [1], 3: [2, 4], 4: [2, 4], 5: [3], 6: [3], 7: [2]}


def test_a_keyword_typed_with_accents_finds_the_word_printed_without_them() -> None:
    # A chat following "são paulo" or "müller" missed the English wires' "Sao Paulo" and "Muller", and one
    # following "élection" every French headline in capitals, which drop accents ("L'ELECTION"), though
    # /search finds them all.
    articles = [
        article(1, "Floods in Sao Paulo", "Heavy rain hit the city."),
        article(2, "Muller scores twice for Bayern", "A late goal."),
        article(3, "L'ELECTION PRESIDENTIELLE APPROCHE", "Les candidats se pressent."),
        article(4, "Nuevo cafe en Madrid", "Abre el lunes."),
        article(5, "Thomas Müller verlängert", "Ein Jahr mehr."),
    ]
    subscriptions = [(1, "keyword", "são paulo"), (2, "keyword", "müller"), (3, "keyword", "élection")]
    subscriptions += [(4, "keyword", "café"), (5, "keyword", "muller")]
    plan = match_articles(articles, subscriptions)
    got = {chat: sorted(m.article_id for m in plan.get(chat, [])) for chat in range(1, 6)}
    assert got == {1: [1], 2: [2, 5], 3: [3], 4: [4], 5: [2, 5]}
    assert matches("élection", "L'ELECTION") and matches("são paulo", "SAO PAULO")


def test_a_keyword_typed_the_german_way_without_umlauts_finds_the_umlaut_and_back() -> None:
    # German keyboards without the keys, URLs and many feeds write "Mueller" for "Müller": a chat following
    # "mueller" never heard of "Thomas Müller", and one following "müller" never of the "Mueller" of a wire.
    # Only umlauts change: "joe" is not "jo", nor "blue" "Blu-ray".
    articles = [
        article(1, "Thomas Müller verlängert", "Ein Jahr mehr."),
        article(2, "Mueller scores twice", "A late goal."),
        article(3, "KÖLN IM REGEN", "Der Dom bleibt trocken."),
        article(4, "Koeln holds a carnival", "Crowds in the streets."),
        article(5, "Jo Smith and the Blu-ray", "Die Straße in München."),
        article(6, "Joe Smith sings the blues", "Mario Goetze und der Bär."),
        article(7, "Muller wins", "In Munchen."),
    ]
    keywords = ["mueller", "müller", "koeln", "köln", "joe", "jo", "blue", "muenchen", "götze", "baer"]
    keywords += ["muller", "münchen"]
    plan = match_articles(articles, [(chat, "keyword", kw) for chat, kw in enumerate(keywords)])
    got = {keywords[chat]: sorted(m.article_id for m in plan.get(chat, [])) for chat in range(len(keywords))}
    assert got == {
        "mueller": [1, 2],
        "müller": [1, 2, 7],
        "koeln": [3, 4],
        "köln": [3, 4],
        "joe": [6],
        "jo": [5],
        "blue": [],
        "muenchen": [5],
        "götze": [6],
        "baer": [6],
        "muller": [1, 7],
        "münchen": [5, 7],
    }
    # As a phrase too (/subscribe stores it without its quotes), and a word with an umlaut decomposed.
    plan = match_articles(
        [article(1, "Koeln holds a carnival"), article(2, "Köln holds a vote"), article(3, "Mu\u0308ller")],
        [(1, "keyword", "köln holds"), (2, "keyword", "mueller")],
    )
    assert [m.article_id for m in plan[1]] == [1, 2] and [m.article_id for m in plan[2]] == [3]


def test_keywords_in_chinese_and_japanese_are_found_inside_the_text() -> None:
    # Written without spaces, "東京で地震" is one \w+ run: a chat following 東京 never heard of it.
    assert matches("東京", "東京で震度4の地震、けが人なし")
    assert matches("地震", "東京で震度4の地震、けが人なし")
    assert matches("上海", "上海港的集装箱吞吐量创新高")
    assert not matches("大阪", "東京で震度4の地震、けが人なし")
    plan = match_articles([article(1, "東京で地震", "被害は確認されていない。")], [(7, "keyword", "東京")])
    assert [m.article_id for m in plan[7]] == [1]


def test_a_latin_keyword_finds_its_word_glued_to_chinese_or_japanese_text() -> None:
    # Chinese and Japanese news write brand names with no space around them: "新型iPhoneを発表" was one word,
    # so a chat following iphone, c++ or "iphone 16" never heard of these headlines.
    assert matches("iphone", "アップル、新型iPhoneを発表")
    assert matches("iphone 16", "新型iPhone 16を発表")
    assert matches("tesla", "特斯拉Tesla股价大涨")
    assert matches("c++", "新しいC++の規格")
    assert not matches("iphone", "新型iPhonesを発表")
    assert not matches("c++", "ObjC++の規格")
    assert matches("東京", "東京Marathonが開催")
    plan = match_articles(
        [article(1, "アップル、新型iPhoneを発表", "詳細は後日。"), article(2, "Apple news", "iPhones sold.")],
        [(7, "keyword", "iphone")],
    )
    assert [m.article_id for m in plan[7]] == [1]


def test_a_keyword_typed_full_width_is_the_same_word_as_in_ascii() -> None:
    # A Japanese keyboard types "ｔｅｓｌａ", and Japanese news print "ｉＰｈｏｎｅ": neither ever matched.
    assert matches("ｔｅｓｌａ", "Tesla cuts prices")
    assert matches("iphone", "アップル、新型ｉＰｈｏｎｅを発表")
    assert matches("ｃ＋＋", "Written in C++ today")
    assert not matches("ｔｅｓｌａ", "Teslas everywhere")
    assert matches("tesla", "Tesla™ cuts prices")  # only the width changes, unlike NFKC's "teslatm"
    plan = match_articles([article(1, "Tesla cuts prices", "")], [(7, "keyword", "ｔｅｓｌａ")])
    assert [m.article_id for m in plan[7]] == [1]


def test_a_russian_keyword_finds_its_word_with_or_without_the_dots_of_yo() -> None:
    # Russian news mostly print "е" for "ё": a chat following "королёв" never heard of "Королев", and one
    # following "елка" missed "Ёлка".
    assert matches("королёв", "Город Королев получил премию")
    assert matches("елка", "Главная Ёлка страны")
    assert matches("ЁЛКА", "главная елка")
    assert not matches("елка", "елками")
    plan = match_articles([article(1, "Главная Ёлка страны", "")], [(7, "keyword", "елка")])
    assert [m.article_id for m in plan[7]] == [1]


def test_a_korean_keyword_finds_its_word_with_a_particle_attached() -> None:
    # Korean writes particles onto nouns ("서울에서", "삼성전자는"): a chat following 서울 heard only of the rare
    # headline where the bare noun stood alone.
    assert matches("서울", "서울에서 정상회의 열려")
    assert matches("삼성", "삼성전자는 오늘 실적을 발표했다")
    assert matches("삼성 전자", "삼성 전자가 발표했다")
    assert not matches("서울", "경기도에서 회의")
    assert not matches("서울", "남서울에서 회의")  # a word that only ends with it is another place
    plan = match_articles(
        [article(1, "서울에서 정상회의 열려", ""), article(2, "부산 소식", "")], [(7, "keyword", "서울")]
    )
    assert [m.article_id for m in plan[7]] == [1]


def test_a_keyword_in_a_script_with_vowel_signs_is_a_whole_word() -> None:
    # Words were found with \w, which leaves out combining marks: "भारत" was "भ" + "रत", as in "भारती", so a chat
    # following "भारत" (India) was alerted on every story about someone called Bharti.
    assert matches("भारत", "भारत ने मैच जीता")
    assert not matches("भारत", "भारती ने मैच जीता")
    assert not matches("भारत", "भरत ने मैच जीता")
    assert matches("ঢাকা", "ঢাকা শহরে বৃষ্টি")
    assert not matches("ঢাকা", "ঢাক বাজল")
    assert matches("தமிழ்", "தமிழ் நாடு அரசு")
    assert matches("กรุงเทพ", "ฝนตกหนักในกรุงเทพวันนี้")  # Thai is written without spaces: a substring
    assert not matches("กรุงเทพ", "ฝนตกหนักในกรงเทพวันนี้")
    plan = match_articles(
        [article(1, "भारती ने मैच जीता", ""), article(2, "भारत ने मैच जीता", "")], [(7, "keyword", "भारत")]
    )
    assert [m.article_id for m in plan[7]] == [2]


def test_a_greek_keyword_finds_its_word_with_or_without_accents() -> None:
    # Greek capitals drop the tonos: a chat following "οδός" never heard of the headline "ΚΛΕΙΣΤΗ Η ΟΔΟΣ", and
    # one that typed "αθηνα" without accents missed "Αθήνα".
    assert matches("οδός", "ΚΛΕΙΣΤΗ Η ΟΔΟΣ ΠΑΝΕΠΙΣΤΗΜΙΟΥ")
    assert matches("αθηνα", "Σεισμός στην Αθήνα")
    assert matches("προϊόν", "ΝΕΟ ΠΡΟΙΟΝ")
    assert not matches("οδός", "Οι οδοί έκλεισαν")
    plan = match_articles([article(1, "ΚΛΕΙΣΤΗ Η ΟΔΟΣ", "")], [(7, "keyword", "οδός")])
    assert [m.article_id for m in plan[7]] == [1]


def test_keywords_are_never_regular_expressions() -> None:
    assert not matches(".*", "anything at all")
    assert not matches("a|b", "a b")
    assert matches("c++", "Written in C++ today")
    assert not matches("c++", "Written in C today")
    assert matches("(beta)", "release (beta) now")
    # A symbol keyword is still a whole word at both ends: "c++" is not the end of "ObjC++".
    assert not matches("c++", "Written in ObjC++ today")


def test_a_keyword_typed_with_a_straight_apostrophe_or_hyphen_finds_the_typographic_one() -> None:
    # Phones send "o'neill"; news sites print "O’Neill" and sometimes "Covid 19" for "covid-19".
    assert matches("o'neill", "Minister O’Neill resigns")
    assert matches("covid-19", "New Covid 19 rules")


def test_a_keyword_with_symbols_finds_its_apostrophe_typed_either_way() -> None:
    # "/subscribe ben & jerry’s" (a phone's apostrophe) never matched "Ben & Jerry's" as feeds print it: a keyword
    # with "&" is matched as typed, and "’" was another character than "'".
    texts = [article(1, "Ben & Jerry's sold"), article(2, "BEN & JERRY’S CLOSES"), article(3, "Ben & Jerrys")]
    for typed in ("ben & jerry’s", "ben & jerry's"):
        plan = match_articles(texts, [(7, "keyword", typed)])
        assert [m.article_id for m in plan[7]] == [1, 2], typed


def test_a_keyword_stored_with_a_hashtag_cashtag_or_handle_sign_matches_its_word() -> None:
    # Before /subscribe dropped the sign, "#tesla", "$tsla" and "@elonmusk" were stored as typed and matched
    # only the rare article printing the tag: the chat silently got nothing about Tesla.
    texts = [
        article(1, "Tesla sales rise"),
        article(2, "TSLA falls 3%"),
        article(3, "Musk posted as @elonmusk"),
        article(4, "The tag #Tesla trends"),
        article(5, "Teslas everywhere; $5 tickets; the #1 album"),
    ]
    subs = [(7, "keyword", "#tesla"), (8, "keyword", "$tsla"), (9, "keyword", "@elonmusk")]
    plan = match_articles(texts, [*subs, (10, "keyword", "$5"), (11, "keyword", "#1")])
    assert [m.article_id for m in plan[7]] == [1, 4]
    assert [m.article_id for m in plan[8]] == [2]
    assert [m.article_id for m in plan[9]] == [3]
    # "$5" is money and "#1" a rank, not tags: they keep their sign.
    assert [m.article_id for m in plan[10]] == [5] and [m.article_id for m in plan[11]] == [5]
    assert not matches("$5", "5 tickets") and not matches("#1", "the 1 album")


def test_one_story_per_chat_whatever_matched() -> None:
    art = article(
        1, "Carmaker expands into new markets", "Tesla said sales rose.", ("automotive", "business")
    )
    subs = [
        (7, "topic", "automotive"),
        (7, "topic", "business"),
        (7, "keyword", "tesla"),
        (8, "topic", "sport"),
    ]
    plan = match_articles([art], subs)
    assert list(plan) == [7]
    assert len(plan[7]) == 1
    assert plan[7][0].matched in ("automotive", "business")  # a topic wins over the keyword
    assert plan[7][0].score == 3.0


def test_same_story_from_two_sources_is_one_delivery() -> None:
    a = article(1, "Bank raises rates", "The central bank raised rates.", ("business",), source="Wire A")
    b = article(2, "Rates raised by bank", "Rates went up.", ("business",), story=1, source="Wire B")
    plan = match_articles([a, b], [(7, "topic", "business")])
    assert [(m.story_id, m.article_id) for m in plan[7]] == [(1, 1)]
    assert plan[7][0].score == 1.0  # one subscription; the digest adds its sources when it is sent


def test_a_story_matched_by_keyword_first_then_by_topic_is_the_first_article_under_its_topic() -> None:
    # Subscriptions come in any order: the alert shows the batch's first article of the story, and the
    # topic's emoji rather than the keyword's fallback.
    a = article(1, "Bank raises rates", "Rates rose.", ("business",), source="Wire A")
    b = article(2, "Bank raises rates", "Lagarde spoke.", ("business",), story=1, source="Wire B")
    plan = match_articles([a, b], [(7, "keyword", "lagarde"), (7, "topic", "business")])
    assert [(m.article_id, m.matched) for m in plan[7]] == [(1, "business")]


def test_keyword_only_in_second_source_picks_that_article() -> None:
    a = article(1, "Bank raises rates", "Rates rose.", source="Wire A")
    b = article(2, "Bank raises rates", "Lagarde spoke.", story=1, source="Wire B")
    plan = match_articles([a, b], [(7, "keyword", "lagarde")])
    assert plan[7][0].article_id == 2


def test_plan_rows_quiet_hours_digest_and_paused() -> None:
    arts = [article(1, "Match day", "", ("sport",)), article(2, "Derby", "", ("sport",))]
    subs = [(1, "topic", "sport"), (2, "topic", "sport"), (3, "topic", "sport"), (4, "topic", "sport")]
    now = utc(2026, 1, 1, 23)
    targets = {
        1: PlanningTarget(1, "instant", "UTC", None, None),
        2: PlanningTarget(2, "instant", "UTC", "22:00", "07:00"),
        3: PlanningTarget(3, "digest", "UTC", "22:00", "07:00"),
        # chat 4 is paused: planning_targets leaves it out, so it gets nothing
    }
    rows = plan_rows(match_articles(arts, subs), targets, now)
    assert {(r.chat_id, r.story_id) for r in rows} == {(1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 2)}
    by_chat = {r.chat_id: r for r in rows}
    assert by_chat[1].kind == "alert" and by_chat[1].not_before == 0
    assert by_chat[2].not_before == utc(2026, 1, 2, 7)
    assert by_chat[3].kind == "digest" and by_chat[3].not_before == 0
    # article-major order: story 1 for every chat before story 2
    assert [r.story_id for r in rows] == [1, 1, 1, 2, 2, 2]


def test_planning_10000_chats_is_fast() -> None:
    arts = [
        article(i, f"Headline {i}", "Tesla and Volkswagen news " * 50, ("automotive",)) for i in (1, 2, 3)
    ]
    subs = [(c, "topic", "automotive") for c in range(10_000)]
    subs += [(c, "keyword", f"word{c % 500}") for c in range(10_000)]
    targets = {c: PlanningTarget(c, "instant", "UTC", None, None) for c in range(10_000)}
    started = time.process_time()
    rows = plan_rows(match_articles(arts, subs), targets, 0.0)
    assert len(rows) == 30_000
    assert time.process_time() - started < 1.0


def test_a_polls_plan_is_rows_the_garbage_collector_lets_go_of() -> None:
    # A poll's plan holds 100,000s of rows. As objects, every full garbage collection walked them all again,
    # holding the GIL 0.1-0.5 s each time, many times a plan: the event loop, and every chat's command with it,
    # stopped as long. Plain tuples leave the collector's tracking; the plan is the same.
    arts = [
        article(1, "Tesla cuts prices", "Tesla and Volkswagen news.", ("automotive",)),
        article(2, "Markets", "Tesla shares rose.", ("business",)),
    ]
    subs = [(c, "topic", "automotive") for c in range(300)]
    subs += [(c, "keyword", "tesla") for c in range(0, 300, 2)] + [
        (c, "topic", "business") for c in range(100)
    ]
    targets = {c: PlanningTarget(c, "instant" if c % 3 else "digest", "UTC", None, None) for c in range(250)}
    # Article 2 was found late: its alerts (not digest rows) wait for the catch-up gathering.
    rows = plan_outbox_rows(arts, subs, targets, 0.0, late={2}, catchup_until=600.0)
    gc.collect()
    assert not [row for row in rows if gc.is_tracked(row)]
    typed = plan_rows(match_articles(arts, subs), targets, 0.0, late={2}, catchup_until=600.0)
    assert rows == [tuple(row) for row in typed]
    assert len(rows) == 250 + 175 and rows[0] == (0, 1, 1, "digest", "automotive", 2.0, 0.0, 0.0)
    assert (1, 2, 2, "alert", "business", 1.0, 600.0, 600.0) in rows
    assert (0, 2, 2, "digest", "business", 2.0, 0.0, 0.0) in rows


def test_a_feeds_edit_is_planned_only_for_the_chats_it_makes_the_story_match() -> None:
    # The headline now names Tesla and the story is about cars too: the chats following "tesla" or
    # automotive hear of it; the one following business had it (or chose not to, paused) before the edit.
    before = article(5, "Carmaker cuts prices", "Prices fall across the range.", ("business",))
    after = article(5, "Tesla cuts prices", "Prices fall across the range.", ("business", "automotive"))
    subs = [
        (1, "topic", "business"),
        (2, "keyword", "tesla"),
        (3, "topic", "automotive"),
        (4, "topic", "sport"),
    ]
    subs += [(5, "topic", "business"), (5, "keyword", "tesla")]
    targets = {c: PlanningTarget(c, "instant", "UTC", None, None) for c in range(1, 6)}
    rows = plan_outbox_rows([after], subs, targets, 0.0, before=[before])
    assert [(row[0], row[4]) for row in rows] == [(2, "tesla"), (3, "automotive")]
    assert plan_outbox_rows([after], subs, targets, 0.0, before=[after]) == []


def test_keyword_index_finds_exactly_what_scanning_every_article_finds() -> None:
    # match_articles tests a plain keyword only on articles holding all its words; it must agree with
    # testing every article, for phrases, repeated words, Unicode spellings, symbols and unspaced scripts.
    from bot.delivery.planning import _normalized_words

    arts = [
        article(1, "Electric car sales", "The new electric  car market grew. C++ and C# jobs."),
        article(2, "İSTANBUL'DA YANGIN", "Cafe\u0301 Central closed. New new york york."),
        article(3, "東京で地震", "被害は確認されていない。Electric cars only."),
        article(4, "Straße gesperrt", "Car electric, not the phrase. new york new york 서울에서 회의"),
    ]
    keywords = [
        "서울",
        "electric car",
        "car electric",
        "electric",
        "cars",
        "istanbul",
        "café",
        "strasse",
        "c++",
        "c#",
        "new york",
        "york new york",
        "york york",
        "東京",
        "地震",
        "absent",
        "new new",
        "'",
        "car market grew",
    ]
    plan = match_articles(arts, [(i, "keyword", k) for i, k in enumerate(keywords)])
    for i, keyword in enumerate(keywords):
        test = keyword_matcher(keyword)
        expected = [a.id for a in arts if test(*(lambda t: (t, _normalized_words(t)))(_fold_text(a)))]
        assert [m.article_id for m in plan.get(i, [])] == expected, keyword


def _fold_text(a: Article) -> str:
    from bot.delivery.planning import _fold

    return _fold(f"{a.title}\n{a.body}")
