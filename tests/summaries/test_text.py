"""Cleaning, sentence splitting and language guessing, which every summary depends on."""

from __future__ import annotations

import time

import pytest

from summaries.summarizer import summarize
from summaries.text import (
    SentenceTokenizer,
    clean_text,
    detect_language,
    is_boilerplate,
    language_name,
    split_sentences,
    text_language,
)

TITLE = "Harbour city opens floating solar farm"
GENUINE = [
    "The city of Brackwater switched on a floating solar farm in its old harbour on Tuesday.",
    "The farm has 12,000 panels on pontoons and should supply power to about 4,000 homes a year.",
    "A second floating farm is planned for the reservoir east of the city.",
]
BOILERPLATE_ARTICLE = "\n".join(
    [
        "Home > News > Technology",
        TITLE,
        "Published on 12 March 2025, 09:30 GMT",
        "img",
        "Image: The floating panels seen from the harbour wall",
        "",
        GENUINE[0] + " (Getty Images)",
        "",
        "Photo: Council workers inspect the panels / Reuters",
        GENUINE[1],
        "",
        GENUINE[2],
        "",
        "Read These Next",
        "Ten things to know about solar power",
        "",
        "Tags: energy, solar power, Brackwater",
    ]
)
LANGUAGE_TEXTS = {
    "de": ["Die Stadt hat am Dienstag einen Solarpark im alten Hafen eröffnet, der für die Region neu ist."],
    "fr": [
        "La ville a inauguré mardi une centrale solaire dans son ancien port, une première pour la région."
    ],
    "es": ["La ciudad inauguró el martes una planta solar en su antiguo puerto, la primera de la región."],
    "pt": ["A cidade inaugurou na terça-feira uma usina solar no seu antigo porto, a primeira da região."],
}


def test_clean_text_keeps_article_paragraphs_and_drops_furniture() -> None:
    cleaned = clean_text(BOILERPLATE_ARTICLE, title=TITLE)
    lines = cleaned.split("\n")
    assert lines[0] == GENUINE[0]  # crumb, title, dateline, image marker and credit gone
    assert "Tags" not in cleaned and "Read These Next" not in cleaned and "Ten things" not in cleaned
    assert lines == GENUINE


def test_title_glued_to_the_first_paragraph_is_removed() -> None:
    assert clean_text(f"{TITLE} {GENUINE[0]}", title=TITLE) == GENUINE[0]


def test_real_sentences_that_mention_photos_or_updates_survive() -> None:
    text = "Photographers gathered at the harbour on Tuesday morning. Updated figures showed growth of 3%."
    assert clean_text(text) == text


def test_dateline_prefix_is_cut_and_the_sentence_kept() -> None:
    text = "Published on 12 March 2025, 09:30 GMT - The farm opened on Tuesday."
    assert clean_text(text) == "The farm opened on Tuesday."


def test_text_hard_wrapped_into_one_line_a_paragraph_is_joined_again() -> None:
    # A page that breaks its lines with <br> comes out of extraction one line a paragraph, and the summary
    # showed "... who in 2008 won the" and "to the town website to share ..." as sentences.
    wrapped = (
        "Photos\n\nwhich were released online are making the rounds,\n\nshow the mayor looking pleased in new\n\n"
        "portraits.\n\nMayor Lind\n\nThe harbour mayor, who in 2008 won the\n\nCoastal Prize for Small Towns, "
        "has taken\n\nto the town website to share photos of the new pier.\n\nBAAR, SWITZERLAND\n\n"
        "Northwind announced a deal.\n\nAbout Northwind\n\nmy6sense and iPhone makers use its parts."
    )
    assert clean_text(wrapped).split("\n") == [
        "Photos which were released online are making the rounds, show the mayor looking pleased in new portraits.",
        "Mayor Lind",  # a caption or heading stays apart from the capitalised sentence after it
        "The harbour mayor, who in 2008 won the Coastal Prize for Small Towns, has taken to the town website "
        "to share photos of the new pier.",
        "BAAR, SWITZERLAND",
        "Northwind announced a deal.",
        "About Northwind",
        "my6sense and iPhone makers use its parts.",
    ]
    started = time.process_time()  # joined once per paragraph, not copied again for every broken line
    assert len(clean_text("the harbour,\n\n" * 50_000)) > 500_000
    assert time.process_time() - started < 2


def test_a_heading_ending_in_a_word_like_for_stays_apart_from_the_paragraph_after_it() -> None:
    # A post's quoted title ending in "for", a numbered heading ending in "to": each was glued to the next
    # paragraph's opening, and the summary ran them together ("... I have been waiting for Unhappy with ...").
    heading = "Jo Marsh: the harbour ferry timetable I have been waiting for"
    paragraph = "Unhappy with the old pier, the council moved the summer market to the harbour front."
    numbered = "12. Find someone to ask"
    answer = "Asking a neighbour which ferry to take may save you an hour on the pier."
    text = f"{heading}\n\n{paragraph}\n\n{numbered}\n\n{answer}"
    assert split_sentences(clean_text(text)) == [heading, paragraph, numbered, answer]
    # A single capital ends a name, not a sentence: table cells and list items stay apart.
    assert clean_text("Price: N/A\n\nDelivery: two days\n\nStar: Cassiopeia A\n\nStar: Vega").split("\n") == [
        "Price: N/A",
        "Delivery: two days",
        "Star: Cassiopeia A",
        "Star: Vega",
    ]


def test_related_block_is_skipped_until_prose_resumes() -> None:
    prose = "The farm opened on Tuesday, officials in the city said."
    text = "Related\nCouncil approves budget\nNew mayor sworn in\n" + prose
    assert clean_text(text) == prose


def test_once_prose_resumes_after_a_related_block_short_paragraphs_are_kept_again() -> None:
    # An eight-word sentence is prose and ends the list; the short quote after it is the story again, and
    # dropping it would cut a line out of every summary and excerpt of the article.
    prose = "The farm opened on Tuesday, city officials said."
    quote = "\u201cIt works,\u201d she said."
    text = "Related\nCouncil approves budget\nNew mayor sworn in\n" + prose + "\n" + quote
    assert clean_text(text) == prose + "\n" + quote


def test_duplicate_paragraphs_are_dropped() -> None:
    assert (
        clean_text("Same words here.\n\nSame words here.\n\nOther words.") == "Same words here.\nOther words."
    )


def test_wrapped_lines_are_joined_into_one_paragraph() -> None:
    text = "The council said the new farm would open in\nthe spring of next year after the final checks.\n"
    assert split_sentences(clean_text(text)) == [
        "The council said the new farm would open in the spring of next year after the final checks."
    ]


def test_english_abbreviations_do_not_end_sentences() -> None:
    text = "Mr. Smith met U.S. officials at 3 p.m. on Friday. They agreed on a $3.5bn deal."
    assert split_sentences(text) == [
        "Mr. Smith met U.S. officials at 3 p.m. on Friday.",
        "They agreed on a $3.5bn deal.",
    ]


def test_titles_and_dotted_abbreviations_inside_a_sentence_do_not_end_it() -> None:
    # Each came out as two "sentences": a summary ended one with "said Lt." and began the next with "Ann Ortiz,"
    # or "competitors, even ...".
    for sentence in (
        "Two men were arrested near the pier on Friday, said Lt. Ann Ortiz of the harbour police.",
        "Det. Insp. Ortiz and Cmdr. Hale led the search of the dry dock on Monday.",
        "Harbour firms find it harder to compete against non-U.S. competitors, the board said.",
        "The new ferry has a 2.1 cu.ft. locker under each bench for luggage.",
    ):
        assert split_sentences(sentence) == [sentence]
        later = "The ferry will run again in May."
        assert summarize(f"{sentence} {later}", 2) == [sentence, later]
    # A dotted abbreviation before a capital still ends its sentence.
    assert split_sentences("The firm moved to the U.S. The rest stayed in Brackwater.") == [
        "The firm moved to the U.S.",
        "The rest stayed in Brackwater.",
    ]


def test_a_sentence_cut_inside_a_bracket_after_an_abbreviation_is_whole_again() -> None:
    # A summary showed "... threatened Rep. Jo Marsh (D-Minn." as a sentence, and the next began "), the office".
    sentence = "A man admitted threatening Rep. Jo Marsh (D-Minn.), the prosecutor's office said on Monday."
    later = "He will be sentenced in February."
    assert split_sentences(f"{sentence} {later}") == [sentence, later]
    assert summarize(f"{sentence} {later}", 2) == [sentence, later]


def test_an_abbreviation_nupunkt_does_not_know_before_a_word_in_lower_case_ends_no_sentence() -> None:
    # A summary showed "Growth slowed to 2.1 pct." and then "in the third quarter, ..." as a sentence.
    sentence = "Growth slowed to 2.1 pct. in the third quarter, the statistics office said on Friday."
    later = "Exports fell 3 pct. Imports held steady."
    assert split_sentences(f"{sentence} {later}") == [
        sentence,
        "Exports fell 3 pct.",
        "Imports held steady.",
    ]


def test_sentences_glued_without_a_space_are_told_apart() -> None:
    # Pages drop the space where a paragraph break was: a summary showed "... as a chief physician.Police
    # arrested ..." as one sentence, and a blog's "... offline business.Click To Tweet" with its share button.
    first = "The fire started in the kitchen of the old ferry terminal, where he worked as a night guard."
    second = "Police closed the harbour road until the morning."
    assert split_sentences(f"{first}{second}") == [first, second]
    quote = "Every harbour town needs a ferry that runs on time, whatever the weather."
    later = "The board will vote on the new timetable in June."
    assert summarize(f"{quote}Click To Tweet\n\n{later}", 5) == [quote, later]
    # A web address is no pair of sentences.
    address = "Write to the board at www.HarbourBoard.org or call the office on Monday."
    assert split_sentences(address) == [address]


def test_sentences_glued_after_a_name_are_told_apart() -> None:
    # Only a word in lower case ended a glued sentence: "... opened in Brackwater.Police closed ..." and "... on
    # Tuesday.The board ..." each came as one sentence in the summary.
    for first, second in (
        ("The ferry terminal reopened in Brackwater.", "Police closed the harbour road until the morning."),
        ("The board met on Tuesday.", "The vote on the new timetable is in June."),
    ):
        assert split_sentences(f"{first}{second}") == [first, second]
        assert summarize(f"{first}{second}", 3) == [first, second]
    # A title before a name, and a short abbreviation, go on with it.
    for sentence in (
        "The ferry was saved by Capt.Jo Marsh on Tuesday.",
        "The ferry was saved by Mr.Marsh on Tuesday.",
        "Write to www.Harbour.Board today.",
    ):
        assert split_sentences(sentence) == [sentence]


def test_german_abbreviations_do_not_end_sentences() -> None:
    assert split_sentences("Das ist z.B. gut. Er kam am 3. Mai an.", "german") == [
        "Das ist z.B. gut.",
        "Er kam am 3. Mai an.",
    ]


def test_german_ordinals_after_an_article_do_not_end_sentences() -> None:
    text = "Der 1. FC Brackwater gewann zum 3. Mal in Folge. Sie wurde 2. Danach feierten die Fans."
    assert split_sentences(text, "german") == [
        "Der 1. FC Brackwater gewann zum 3. Mal in Folge.",
        "Sie wurde 2.",
        "Danach feierten die Fans.",
    ]


def test_paragraph_breaks_end_sentences() -> None:
    assert split_sentences("A heading without a stop\nThe text follows here.") == [
        "A heading without a stop",
        "The text follows here.",
    ]


def test_run_on_text_is_cut_into_chunks() -> None:
    chunks = split_sentences(" ".join(["word"] * 500))
    assert len(chunks) > 5 and all(len(c.split()) <= 80 for c in chunks)


def test_tokenizer_works_as_a_sumy_tokenizer() -> None:
    tok = SentenceTokenizer("en")
    assert tok.to_sentences("One here. Two there.") == ("One here.", "Two there.")
    assert tok.to_words("It's the farm's 12 panels.") == ("It's", "the", "farm's", "12", "panels")


def test_language_detection() -> None:
    assert detect_language(" ".join(GENUINE)) == "english"
    expected = {"de": "german", "fr": "french", "es": "spanish", "pt": "portuguese"}
    for code, sentences in LANGUAGE_TEXTS.items():
        assert detect_language(" ".join(sentences)) == expected[code]
    assert detect_language("12345 67890") == "english"


def test_short_french_and_spanish_news_are_not_read_as_italian() -> None:
    # sumy's Italian list has 602 stop words, its French and Spanish ones lack "a", "de", "un", "que", "y":
    # two-sentence stories in French and Spanish were Italian by count.
    french = [
        "Un incendie a ravagé une usine de Lyon dans la nuit de lundi à mardi. Aucun blessé n’a été signalé.",
        "Le club a signé un attaquant pour trois saisons. Le joueur a déjà marqué dix buts cette saison.",
        "Un tribunal a condamné l’ancien maire à deux ans de prison. Il a fait appel de la décision.",
    ]
    spanish = [
        "Un incendio destruyó una fábrica de Valencia durante la noche. No hubo heridos, informó la policía.",
        "El Sr. García dijo que la empresa invertirá más. La Sra. López no estuvo en la reunión.",
    ]
    italian = [
        "Un incendio ha distrutto una fabbrica a Torino nella notte. Non ci sono feriti, ha detto la prefettura.",
        "Un tribunale ha condannato l’ex sindaco a due anni. Lui ha fatto ricorso contro la decisione.",
    ]
    portuguese = [
        "Um incêndio destruiu uma fábrica no Porto durante a noite. Não houve feridos, disse a polícia."
    ]
    english = [
        "A fire destroyed a factory in Leeds overnight. No one was hurt, police said.",
        "No deal on a tax",
    ]
    for name, texts in [
        ("french", french),
        ("spanish", spanish),
        ("italian", italian),
        ("portuguese", portuguese),
        ("english", english),
    ]:
        assert [detect_language(text) for text in texts] == [name] * len(texts)


def test_a_headline_is_read_in_its_own_language_not_a_neighbour_sharing_its_few_stop_words() -> None:
    # Spanish detection words ("de", "no", "o") are Portuguese too: Portuguese headlines tied Spanish and went to
    # Spanish, which came first; and "durante" made a Spanish headline Italian. Its vocabulary tags a headline's
    # topics, so a Portuguese politics headline lost its topic.
    portuguese = [
        "Promotoria abre inquérito para apurar suspeita de fraude de prefeito no interior",
        "Governo anuncia novo plano de saúde para o interior",
    ]
    spanish = [
        "La policía detuvo a un sospechoso durante la operación",
        # A Portuguese name leaves a Spanish headline Spanish (not Swedish by its "en").
        "Lluvias en São Paulo dejan diez muertos y cientos de evacuados",
    ]
    assert [detect_language(text) for text in portuguese] == ["portuguese"] * 2
    assert [detect_language(text) for text in spanish] == ["spanish"] * 2


def test_a_declared_language_stands_unless_the_text_plainly_is_another() -> None:
    # Templates declare a default language (English Business Insider pages say lang="de"): a long text whose
    # stop words are plainly another language's, or another script, overrules it.
    english = " ".join(GENUINE * 3)
    assert text_language(english, "de") == "english"
    assert text_language(" ".join(LANGUAGE_TEXTS["de"] * 6), "fr") == "german"
    assert text_language("وافق المجلس البلدي على بناء جسر جديد فوق النهر.", "fr") == "arabic"
    # A teaser, a German story quoting an English sentence, a Japanese headline without kana, or a text in a
    # close language (Portuguese and Italian share many stop words) keeps the declaration.
    assert text_language(" ".join(GENUINE[:2]), "de") == "german"
    quote = (
        "Der Konzern meldete am Dienstag einen Rekordumsatz. „We are very proud of the team and of what it has "
        "achieved this year, and we think that the next year will be even better for all of us“, sagte die "
        "Chefin in London. Die Aktie stieg um drei Prozent."
    )
    assert text_language(quote, "de") == "german"
    assert text_language("東京都知事選 投開票", "ja") == "japanese"
    assert text_language(" ".join(LANGUAGE_TEXTS["pt"] * 6), "it") == "italian"


def test_languages_are_told_by_their_script() -> None:
    # Stop words cannot tell these (Chinese, Japanese and Thai have no spaces between words): all were English.
    assert detect_language("河边的新桥将在三年后通车。市长说这是最重要的决定。") == "chinese"
    assert detect_language("川に新しい橋を建設する。市長は重要な決定だと述べた。") == "japanese"
    assert detect_language("시 의회는 강 위에 새 다리를 건설하는 안을 승인했다.") == "korean"
    assert detect_language("وافق المجلس البلدي على بناء جسر جديد فوق النهر.") == "arabic"
    assert detect_language("מועצת העיר אישרה את בניית הגשר החדש מעל הנהר.") == "hebrew"
    assert detect_language("สภาเมืองอนุมัติการสร้างสะพานใหม่ข้ามแม่น้ำ") == "thai"
    assert language_name("zh-CN") == "chinese" and language_name("ja") == "japanese"
    # Urdu and Persian write Arabic letters, but are no Arabic; an English story with a title in Chinese is
    # English.
    assert detect_language("بلدیہ نے دریا پر ایک نیا پل بنانے کی منظوری دی۔") == "english"
    assert detect_language("新桥获批\n" + " ".join(GENUINE)) == "english"


def test_a_long_chinese_paragraph_is_cut_between_sentences() -> None:
    # A paragraph without spaces went to the splitter in windows of 1,000 characters, cut wherever the
    # window ended: a sentence across the cut came back as two pieces.
    sentences = [f"第{i}号桥的工程师说，这座桥明年春天开始施工，预计三年后通车。" for i in range(60)]
    assert split_sentences("".join(sentences), "chinese") == sentences


def test_a_passage_in_another_script_is_split_at_its_own_sentence_ends() -> None:
    # Read as English, a Hindi or Urdu text was cut into 35-word pieces across its sentences, and a Chinese
    # passage in an English text was one sentence with the English line after it.
    hindi = ["परिषद ने नदी पर नया पुल बनाने को मंज़ूरी दी।", "पुल तीन साल में खुलेगा।"]
    assert split_sentences(" ".join(hindi)) == hindi
    urdu = ["بلدیہ نے نیا پل بنانے کی منظوری دی۔", "کیا یہ پل تین سال میں کھلے گا؟", "میئر نے ہاں کہا۔"]
    assert split_sentences(" ".join(urdu)) == urdu
    chinese = ["河边的新桥将在三年后通车。", "市长说，这是她任期内最重要的决定！"]
    text = "".join(chinese) + "\n" + " ".join(GENUINE)
    assert summarize(text, 5) == chinese + GENUINE


def test_a_persian_full_stop_before_the_next_word_ends_the_sentence() -> None:
    # Persian is read with English rules, whose splitter took "کرد." for an abbreviation: the first two
    # sentences of a summary came back as one. Arabic letters and Hebrew have no capitals to tell it apart.
    persian = [
        "شورای شهر ساخت پل جدید را تصویب کرد.",
        "آیا پروژه تا سال ۲۰۲۷ تمام می\u200cشود؟",
        "مهندسان می\u200cگویند هزینه ۳.۵ میلیون دلار است.",
        "شرکت Apple از پروژه حمایت می\u200cکند.",
    ]
    assert split_sentences(" ".join(persian)) == persian
    assert summarize(" ".join(persian), 4) == persian


def test_a_one_letter_arabic_or_persian_title_before_a_name_does_not_end_the_sentence() -> None:
    # "د. أحمد" (Dr. Ahmad) and "م. رضایی" (Eng. Rezaei) were cut after the title: the summary showed "قال د."
    # alone as a sentence, and the name began the next one.
    arabic = [
        "قال د. أحمد إن المستشفى الجديد سيفتح أبوابه في الربيع.",
        "وأضاف أن المدينة ستوظف مئة ممرض إضافي هذا العام.",
    ]
    assert split_sentences(" ".join(arabic), "arabic") == arabic
    assert split_sentences(" ".join(arabic)) == arabic  # as a text with no language declared is split
    assert summarize(" ".join(arabic), 2, language="ar") == arabic
    persian = [
        "به گفته م. رضایی ساخت پل جدید تا پاییز تمام می\u200cشود.",
        "آیا شهرداری هزینه آن را پرداخت می\u200cکند؟",
    ]
    assert split_sentences(" ".join(persian)) == persian
    assert summarize(" ".join(persian), 2) == persian


def test_newspaper_byline_and_time_stamps_before_the_story_are_cut() -> None:
    text = (
        "By . Jane Harrow . PUBLISHED: . 12:04 EST, 3 March 2025 . | . UPDATED: . 12:11 EST, 3 March 2025 . "
        "The city of Brackwater switched on a floating solar farm on Tuesday."
    )
    assert clean_text(text) == "The city of Brackwater switched on a floating solar farm on Tuesday."
    text = "By JANE HARROW . Last updated at 9:30 AM on 4th March 2025 . The farm opened on Tuesday."
    assert clean_text(text) == "The farm opened on Tuesday."


def test_a_byline_with_its_date_is_cut_and_the_story_kept() -> None:
    # "By Jo Marsh, 18 March 2025" stayed as a line, and glued before the story it opened the summary's first
    # sentence; after the headline too: "| | <headline> by Jo Marsh Monday, March 17, 2025 The city ...".
    for header in (
        "By Jo Marsh, 18 March 2025\n\n",
        "By Jo Marsh and Tom Hale | Mar. 18, 2025 at 9:30 a.m. EST | ",
        "By Jo Marsh Tuesday, March 18, 2025 ",
        f"| | {TITLE} by Jo Marsh Tuesday, March 18, 2025 ",
    ):
        text = header + " ".join(GENUINE)
        assert clean_text(text, title=TITLE) == " ".join(GENUINE), header
        assert summarize(text, 1, title=TITLE) == [GENUINE[0]], header
    # A sentence that opens with "By" and a date keeps every word.
    for sentence in (
        "By Christmas Day, December 25, 2025, the farm should power 4,000 homes.",
        "By March 3, 2025 the farm had 12,000 panels.",
        f"{TITLE} by the old pier is the talk of the town.",
    ):
        assert clean_text(sentence, title=TITLE) == sentence


def test_bylines_with_initials_are_cut() -> None:
    # Name words are taken whole since "By " and 200 capitals took hours; an initial ("J.", "J.R.R.") must still
    # end a name word, or the byline stayed at the top of the summary.
    story = "The city of Brackwater switched on a floating solar farm on Tuesday."
    assert clean_text("By J. Smith\n\n" + story) == story
    assert clean_text("By J.R.R. Tolkien and A. B. Jones\n\n" + story) == story


def test_a_picture_caption_ending_in_a_bracketed_credit_is_furniture() -> None:
    story = "The city of Brackwater switched on a floating solar farm on Tuesday."
    for caption in (
        "The pier at dawn (Photo by Jo Bloggs/Getty Images)",
        "The pier at dawn (Jo Bloggs / Reuters)",
    ):
        assert clean_text(f"{story}\n\n{caption}") == story, caption


def test_comment_count_links_are_furniture() -> None:
    # Reddit's and forums' feed items end in "[link] [12 comments]"; the line is no part of the story.
    story = "The city of Brackwater switched on a floating solar farm on Tuesday."
    for furniture in ("[link] [12 comments]", "[link]   [comments]", "12 comments", "[1,204 comments]"):
        assert clean_text(f"{story}\n\n{furniture}") == story, furniture


def test_agency_dateline_is_cut_and_the_first_sentence_kept() -> None:
    assert clean_text("Brackwater ( CNN ) The farm opened on Tuesday.") == "The farm opened on Tuesday."
    assert clean_text("(CNN) -- The farm opened on Tuesday.") == "The farm opened on Tuesday."
    assert clean_text("LONDON (Reuters) - The farm opened on Tuesday.") == "The farm opened on Tuesday."


def test_agency_dateline_with_a_date_is_cut_in_any_language() -> None:
    assert clean_text("Porto Novo, 24 set (EFE). - A cidade abriu o parque.") == "A cidade abriu o parque."
    assert clean_text("BRACKWATER, 24 SET (ANSA) - O parque abriu.") == "O parque abriu."
    assert clean_text("Brackwater, 3. März (dpa) - Die Stadt hat eröffnet.") == "Die Stadt hat eröffnet."
    assert clean_text("LONDON, March 3 (Reuters) - The farm opened.") == "The farm opened."


def test_regional_and_joint_agency_datelines_are_cut() -> None:
    # dpa's regional services ("dpa/lno"), its finance wire ("dpa-AFX"), joint credits and two places: the
    # agency mark stayed, or the place did ("Hamburg - Die Stadt ..."), at the head of the summary.
    for line in (
        "Brackwasser (dpa/lno) - Die Stadt hat den Hafen eröffnet.",
        "Brackwasser/Kiel (dpa) - Die Stadt hat den Hafen eröffnet.",
        "Frankfurt (dpa-AFX) - Die Stadt hat den Hafen eröffnet.",
        "Brackwasser (AFP/dpa) – Die Stadt hat den Hafen eröffnet.",
    ):
        assert summarize(line, 1) == ["Die Stadt hat den Hafen eröffnet."], line


def test_sentences_that_start_like_bylines_or_stamps_survive() -> None:
    for text in (
        "By Sunday evening the water had receded.",
        "By Monday, Brackwater Power Ltd. had sold out.",
        "Updated figures showed growth of 3%.",
        "The mayor told CNN (CNN) the farm works.",
    ):
        assert clean_text(text) == text


def test_sentences_that_open_with_published_or_posted_survive_whole() -> None:
    # Taken for datelines, the first was dropped and the others lost their opening words: summaries showed
    # ", the report found that ..." (the prefix pattern's capital was read case-insensitively).
    for text in (
        "Published in The Lancet, the study of 12,000 patients found a 30% drop in deaths.",
        "Published in 2016, the report found that 1,500 homes in the valley were at risk of flooding.",
        "Posted in 2019, the video has since been viewed 3 million times.",
        "Published on Monday, the report says 4,000 jobs are at risk in the region's steel plants.",
    ):
        assert clean_text(text) == text
    for dateline in (
        "Published on 12 March 2025, 09:30 GMT",
        "Updated 2 hours ago",
        "Publié le 3 mars 2024 à 10h00, mis à jour le 4 mars 2024 à 11h00",
    ):
        assert clean_text(f"{dateline}\n\nThe farm opened on Tuesday.") == "The farm opened on Tuesday."


def test_sentences_that_open_with_a_related_links_word_survive() -> None:
    # "Related", "Recommended", "Trending" and "More from" head lists of links, but they open sentences too,
    # and such sentences were dropped from the text and from summaries.
    story = "The council met on Tuesday to discuss the harbour."
    for sentence in (
        "Related charges were filed against two other men in the city on Friday.",
        "Recommended by the health panel, the vaccine will be offered to all children over five.",
        "More from the survey showed that 40% of residents backed the plan.",
        "Trending upward since March, the index rose 3% in the last week alone.",
    ):
        assert clean_text(f"{story}\n\n{sentence}") == f"{story}\n{sentence}"
    for furniture in ("Related stories", "Recommended for you", "Trending now", "More from BBC Sport"):
        assert clean_text(f"{story}\n\n{furniture}") == story


def test_sentences_about_copyright_or_advertising_survive() -> None:
    # A copyright notice or an ad label is furniture; a sentence about copyright or advertising is news.
    story = "The council met on Tuesday to discuss the harbour."
    for sentence in (
        "Copyright holders say the new rules will cut piracy by half within two years.",
        "Advertisement spending fell 4% in the first quarter, the trade body said.",
    ):
        assert clean_text(f"{story}\n\n{sentence}") == f"{story}\n{sentence}"
    for furniture in ("Copyright 2025 Brackwater Post. All rights reserved.", "Advertisement"):
        assert clean_text(f"{story}\n\n{furniture}") == story


def test_share_prompts_and_gallery_lead_ins_are_furniture() -> None:
    # Ten-sentence summaries ended with "Share it with a friend!" (after "Like this story?") and "See more photos:".
    story = "The council met on Tuesday to discuss the harbour."
    later = "The ferry will run again in May."
    for furniture in ("Like this story? Share it with a friend!", "See more photos:", "Click To Tweet"):
        assert summarize(f"{story}\n\n{furniture}\n\n{later}", 10) == [story, later], furniture
    for sentence in (
        "Like this story, the one before it began with a storm over the harbour.",
        "Share it with your doctor before the trip, the council advised.",
        "See more photos of the harbour at the town library, which opens on Monday.",
    ):
        assert clean_text(f"{story}\n\n{sentence}") == f"{story}\n{sentence}", sentence


def test_a_copyright_line_opening_with_the_sign_is_furniture() -> None:
    # A wire story's footer "© 2025 ... All Rights Reserved. This material may not be ..." was kept: two of its
    # sentences came into a ten-sentence summary.
    story = "The council met on Tuesday to discuss the harbour."
    footer = "© 2025 Brackwater Wire. All Rights Reserved. This material may not be reprinted or shared."
    assert clean_text(f"{story}\n\n{footer}") == story
    assert summarize(f"{story} The ferry will run again in May.\n\n{footer}", 10) == [
        story,
        "The ferry will run again in May.",
    ]


def test_an_embedded_post_keeps_its_text_without_its_signature_or_picture_link() -> None:
    # A page quoting a post kept "— Harbour Board (@harbourboard) May 2, 2025" as a summary sentence, and the
    # post's text ended in "pic.twitter.com/AbC123".
    story = "The ferries returned to the harbour on Friday after a month in the dry dock."
    post = "Ferries are back on the harbour today, with the first crossing at seven"
    later = "The board said more crossings would follow in June."
    for signature in (
        "— Harbour Board (@harbourboard) May 2, 2025",
        "- Harbour Board (@harbourboard) 2 May 2025",
        "A post shared by Harbour Board (@harbour.board) on May 2, 2025 at 9:30am PDT",
    ):
        page = f"{story}\n\n{post} pic.twitter.com/AbC123\n\n{signature}\n\n{later}"
        assert summarize(page, 10) == [story, post, later], signature
    # A sentence that names an account and a date is no signature.
    sentence = "The board, which posts as @harbourboard, spoke on May 2, 2025."
    assert clean_text(sentence) == sentence


def test_brackets_that_only_start_like_an_agency_name_are_kept() -> None:
    # "(pa", "(ansa", "(lusa" begin "(part-owned ...)", "(Ansar ...)", "(Lusaka)": they were cut out as photo
    # credits, and the sentence lost what they said.
    for text in (
        "Shares in the bank (part-owned by the state since 2008) rose 4% on Monday.",
        "The group (Ansar al-Islam) claimed the attack on the base in the north.",
        "The minister flew to the capital (Lusaka) for talks on the debt deal.",
    ):
        assert clean_text(text) == text
    for credited in (
        "The harbour at dawn (PA Media) was quiet.",
        "The quake (EPA-EFE/Jane Doe) hit at dawn.",
    ):
        assert "(" not in clean_text(credited)


def test_a_credit_cut_from_inside_a_sentence_leaves_one_space() -> None:
    # The summary read "The harbour at dawn  was quiet." with two spaces where the credit was.
    assert clean_text("The harbour at dawn (PA Media) was quiet.") == "The harbour at dawn was quiet."
    assert clean_text("The pier (Photo: Getty Images) opened.") == "The pier opened."


def test_german_ordinals_after_a_possessive_do_not_end_sentences() -> None:
    assert split_sentences("Es war sein 100. Tor für den Verein. Die Fans jubelten.", "german") == [
        "Es war sein 100. Tor für den Verein.",
        "Die Fans jubelten.",
    ]


def test_spanish_and_portuguese_ordinal_indicators_stay_with_their_number() -> None:
    assert split_sentences("La feria abre el 1.º de mayo en la plaza. Habrá música.", "spanish") == [
        "La feria abre el 1.º de mayo en la plaza.",
        "Habrá música.",
    ]
    assert split_sentences(
        "No 2.º semestre, a loja da Av. Atlântica, n.º 40, fechou. Pág. 3 explica.", "pt"
    ) == [
        "No 2.º semestre, a loja da Av. Atlântica, n.º 40, fechou.",
        "Pág. 3 explica.",
    ]


def test_french_titles_and_short_abbreviations_do_not_end_sentences() -> None:
    text = "M. Lefort a ouvert le marché. Le Dr. Garnier viendra le 3 oct. prochain. Tout est prêt."
    assert split_sentences(text, "french") == [
        "M. Lefort a ouvert le marché.",
        "Le Dr. Garnier viendra le 3 oct. prochain.",
        "Tout est prêt.",
    ]


def test_abbreviations_before_a_number_do_not_end_sentences() -> None:
    # Each first sentence was cut in two at its abbreviation: a summary showed "Selon l'art." and "5 du
    # règlement, ..." as two sentences.
    cases = {
        "french": [
            "Selon l'art. 5 du règlement, la baignade est interdite.",
            "Le prix a augmenté d'env. 3 % cette année.",
        ],
        "portuguese": [
            "A ponte foi construída no séc. XIX pelos ingleses.",
            "O art. 5 da lei protege a obra.",
        ],
        "polish": ["Na festiwal przyszło ok. 1000 osób z całego regionu.", "Organizatorzy są zadowoleni."],
        "russian": ["На праздник пришли ок. 1000 человек со всего района.", "Организаторы довольны."],
        "ukrainian": ["На свято прийшли бл. 1000 людей з усього району.", "Організатори задоволені."],
    }
    for language, sentences in cases.items():
        assert split_sentences(" ".join(sentences), language) == sentences, language
    # A sentence that ends in a word, before one that opens with a number, still ends there.
    assert split_sentences("Il a dit non. 5 personnes sont mortes.", "french") == [
        "Il a dit non.",
        "5 personnes sont mortes.",
    ]


def test_dotted_initialisms_are_not_cut_apart() -> None:
    # sentencex cut at the dots inside "E.U.A.", "EE.UU.", "a.C.", "J.-C.": the summary's first sentence was
    # "As sanções dos E." and its second "U.A. contra Cuba continuam."
    cases = {
        "portuguese": ["As sanções dos E.U.A. contra Cuba continuam.", "O governo reagiu."],
        "spanish": ["Los EE.UU. y China negocian un acuerdo.", "El Gobierno reaccionó."],
        "italian": ["La città fu fondata nel 50 a.C. dai romani.", "Oggi ha 9.000 abitanti."],
        "french": ["La ville fut fondée en 50 av. J.-C. par les Romains.", "Elle compte 9 000 habitants."],
    }
    for language, sentences in cases.items():
        assert split_sentences(" ".join(sentences), language) == sentences, language
    # Two sentences a feed glued together without a space still come apart.
    assert split_sentences("Saíram as novas tabelas do IRS.O valor isento sobe.", "portuguese") == [
        "Saíram as novas tabelas do IRS.",
        "O valor isento sobe.",
    ]


def test_a_name_in_capitals_before_a_full_stop_ends_the_sentence() -> None:
    # sentencex took "SC." and Italian "PD." for abbreviations: two sentences came out as one, and a summary
    # asked for one sentence showed both.
    cases = {
        "german": ["Jens Vogt wird neuer Trainer beim Bonner SC.", "Der 41-Jährige kommt aus Kiel."],
        "italian": ["Lo ha annunciato il segretario del PD.", "Il governo non ha risposto."],
    }
    for language, sentences in cases.items():
        assert split_sentences(" ".join(sentences), language) == sentences, language
    # A Roman numeral is an ordinal, a run of abbreviations goes on, a French title keeps its name.
    for language, text in (
        ("german", "Das Schloss ließ Ludwig XIV. Anfang 1680 erweitern."),
        ("spanish", "Las sanciones de EE. UU. Donald Trump las firmó."),
        ("french", "MM. Dupont et Durand ont signé."),
    ):
        assert split_sentences(text, language) == [text], text


def test_a_french_unit_after_a_number_ends_its_sentence() -> None:
    # "m." after a number is metres, not "M." (Monsieur): the next sentence was glued on, and a summary asked
    # for one sentence showed two.
    text = (
        "La nouvelle tour de la ville mesure 330 m. Elle sera la plus haute du pays selon la mairie. "
        "Les travaux commenceront au printemps."
    )
    assert split_sentences(text, "french") == [
        "La nouvelle tour de la ville mesure 330 m.",
        "Elle sera la plus haute du pays selon la mairie.",
        "Les travaux commenceront au printemps.",
    ]
    assert split_sentences("Le président a salué M. Dupont. Puis Mme Roux.", "french") == [
        "Le président a salué M. Dupont.",
        "Puis Mme Roux.",
    ]


FURNITURE_DE_FR_ES_PT = [
    "Von Anna Brenner und Jonas Falk",
    "Par Claire Morel",
    "Por Marta Quintela e Rui Sobral",
    "Foto: Stadtwerke Brackwasser",
    "Fotografía: Ayuntamiento",
    "Crédito: Prefeitura",
    "Lesen Sie auch: Neue Fähre zwischen den Inseln",
    "Lesen Sie auch",
    "Veja também: Porto ganha nova ciclovia",
    "Saiba mais",
    "Leer más",
    "Stand: 14.03.2025, 09:30 Uhr",
    "Anzeige",
    "PUBLICIDADE",
    "Publicidad",
    "Teilen",
    "Partager sur Facebook",
    "Compartilhe",
    "Assine a newsletter",
    "Wir nutzen Cookies, um unser Angebot zu verbessern. Mit der Nutzung stimmen Sie dem zu.",
    "Utilizamos cookies para mejorar el servicio. Si sigue navegando, acepta su uso.",
    "Este site utiliza cookies. Ao continuar, você concorda com a política de privacidade.",
    "Ce site utilise des cookies. En poursuivant, vous acceptez leur utilisation.",
]


def test_german_french_spanish_portuguese_furniture_is_dropped() -> None:
    body = "Die Stadt hat am Dienstag einen Solarpark im alten Hafen eröffnet, der für die Region neu ist."
    for line in FURNITURE_DE_FR_ES_PT:
        assert clean_text(f"{line}\n{body}\n(Foto: dpa)") == body, line


def test_picture_pointers_in_other_languages_leave_the_summary() -> None:
    # German sports sites point at the photo after each name, "(Foto)" or after the age, "(24, Foto)": every
    # summary of such a feed read "Trainer Jens Vogt (Foto) ..." to the reader.
    body = (
        "Trainer Jens Vogt (Foto) verlässt den FC Brackwasser nach drei Jahren. "
        "Sein Nachfolger wird Lukas Brandt (41, Foto), der zuletzt in Kiel arbeitete.\n"
        "Le maire Paul Roux (photo) a inauguré le nouveau port de plaisance de la ville mardi matin.\n"
        "O prefeito Rui Sobral (na foto) inaugurou a nova ciclovia da cidade na terça-feira."
    )
    summary = " ".join(summarize(body, 4))
    assert "Foto" not in summary and "photo" not in summary
    assert "Trainer Jens Vogt verlässt den FC Brackwasser" in summary
    assert "Lukas Brandt (41), der zuletzt" in summary
    assert "Le maire Paul Roux a inauguré" in summary
    assert "O prefeito Rui Sobral inaugurou" in summary
    # Prose that mentions pictures keeps its words.
    for line in (
        "Die Fotos (siehe unten) zeigen den Hafen.",
        "Die Polizei sucht den Mann (Bild oben) weiter.",
    ):
        assert clean_text(line) == line


def test_sentences_that_start_like_foreign_furniture_survive() -> None:
    kept = [
        "Von Montag an fahren die Busse wieder nach Plan.",
        "Por isso, a prefeitura decidiu adiar a obra.",
        "Teilen sich zwei Familien eine Wohnung, steigen die Kosten.",
        "Publicidade enganosa rendeu multa de 2 mil reais à empresa, disse o Procon.",
        "Die Verbraucherzentrale kritisiert, dass viele Seiten Cookies ohne Zustimmung setzen.",
        "Laut dem Urteil müssen Sie Cookies künftig mit einem Klick ablehnen können.",
        "Mehr dazu wollte der Minister am Dienstag nicht sagen.",
    ]
    for line in kept:
        assert clean_text(line) == line, line


def test_follow_contact_newsletter_and_reprint_lines_are_dropped_and_prose_like_them_kept() -> None:
    body = "The city of Brackwater switched on a floating solar farm in its old harbour on Tuesday."
    for line in (
        "Follow The Brackwater Post Opinion section on Facebook, Twitter (@BPopinion) and Instagram.",
        "Follow him on Twitter @jomarsh.",
        "Follow @BPDeals on Twitter to keep up with the latest deals from around the web.",
        "Follow the Post's full coverage of the harbour at https://brackwater.example/harbour",
        "Be sure to visit Brackwater Farms on Facebook, Twitter, and Instagram.",
        "Reach the reporter on Twitter at https://twitter.com/jomarsh",
        "Email Jo Marsh at jo@brackwater.example or follow her @jomarsh.",
        "Jo Marsh may be reached at jo@brackwater.example.",
        "Contact the desk at www.brackwater.example or P.O. Box 4410, Brackwater.",
        "And here's our email: letters@brackwater.example.",
        "jo@brackwater.example",
        "www.brackwater.example",
        "Tickets: https://brackwater.example/tickets",
        "Link to the festival's website – https://festival.brackwater.example/",
        "Subscribe to Brackwater.example’s newsletters.",
        "You can also subscribe to this newsletter here — just tick the box.",
        "Harbour Week Newsletter",
        "This article was originally published by Brackwater Science.",
        "This article was reprinted on Example.com.",
        "Order Reprints",
        "For non-personal use or to order multiple copies, please contact Post Reprints at 555-0100.",
        "Distribution and use of this material are governed by our Subscriber Agreement and by copyright law.",
    ):
        assert clean_text(f"{body}\n{line}") == body, line
    for prose in (
        "Follow the money, the mayor said on Twitter.",
        "Like many on Twitter, the harbour master was angry about the closure.",
        "First published in 1962, the novel was banned in three states.",
        "A spokesperson said in an email that the council was cooperating with the inquiry.",
        "Subscribers to the newsletter doubled last year, the company said.",
        "The scammers used the address help@bank-verify.example to write to thousands of customers.",
        "Follow him on Twitter @jomarsh. The council voted on Tuesday to close the harbour for a week.",
    ):
        assert clean_text(prose) == prose, prose


def test_an_email_sign_up_prompt_and_a_line_of_labelled_links_are_dropped() -> None:
    # Both were summary sentences of real feed items: a cartoon's "sign up" line (only "newsletter" was known)
    # and a picture's address with the writer's after "Also:" (only "and", "or" and "|" joined addresses).
    body = "The city of Brackwater switched on a floating solar farm in its old harbour on Tuesday."
    for footer in (
        "Sign up here to get an email whenever new Harbour Cat cartoons are published",
        "Sign up for email alerts from the Brackwater Post.",
        "Subscribe to our daily email.",
        "Sign up to receive our e-mail bulletin.",
        "https://img.brackwater.example/p/8f3a=w600-h800 Also: https://social.example/jomarsh",
        "Photos: https://img.brackwater.example/album Video – https://video.brackwater.example/v/12",
    ):
        assert clean_text(f"{body}\n{footer}") == body, footer
    for prose in (
        "Register of Deeds staff sent an email to every owner on the harbour front.",
        "Subscribers to the email edition doubled last year, the company said.",
        "See https://brackwater.example/solar for the council's figures, a spokesperson said.",
    ):
        assert clean_text(f"{body}\n{prose}") == f"{body}\n{prose}", prose


def test_a_long_line_of_addresses_and_labels_that_is_no_address_line_is_judged_at_once() -> None:
    # Each label's spaces split two ways between its words and the space after it: a hostile line of forty
    # "address label -" pieces ending in a word was tried every way, doubling with each piece (never returned).
    body = "The city of Brackwater switched on a floating solar farm in its old harbour on Tuesday."
    hostile = "https://img.brackwater.example/p ab cd ef - " * 60 + "end"
    started = time.process_time()
    assert clean_text(f"{body}\n{hostile}") == f"{body}\n{hostile}"
    assert time.process_time() - started < 3.0


def test_prose_that_reads_like_a_reader_prompt_is_kept_and_the_footers_still_go() -> None:
    # Each of these story sentences was dropped as a follow/contact/newsletter/republished line, so a summary
    # lost it: a lower-case word before "newsletter", an address in the middle of a sentence or after a long
    # clause, an agency called "Visit ...", a year then a clause with no comma.
    body = "The city of Brackwater switched on a floating solar farm in its old harbour on Tuesday."
    for prose in (
        "Nobody opened the newsletter.",
        "Sie gründete einen Newsletter.",
        "Email sent from alerts@harbour-pay.example told tenants to confirm their bank details.",
        "Tips sent to desk@brackwater.example led police to the warehouse.",
        "Contact with the ferry was lost soon after it sent a last position from www.ferrytrack.example",
        "Visit Brackwater reported on Twitter that hotel bookings doubled.",
        "Originally published in 1971 the pamphlet was seized by the harbour police.",
        # A prompt is one short sentence: a long one that opens like one is the story's.
        "Follow the harbour ferries on Twitter and you would never guess that the council has spent three years"
        " and most of its reserves trying to keep the oldest of them running past the new bridge.",
    ):
        assert clean_text(f"{body}\n{prose}") == f"{body}\n{prose}", prose
    for footer in (
        "Harbour Week Newsletter",
        "The Morning Tide newsletter",
        "Email Jo Marsh at jo@brackwater.example",
        "Email Jo Marsh at jo@brackwater.example or follow her @jomarsh.",
        "Send your letters to the editor to letters@brackwater.example.",
        "Contact us: desk@brackwater.example",
        "Email desk@brackwater.example with tips.",
        "Contact the desk at www.brackwater.example or P.O. Box 4410, Brackwater.",
        "Visit us on Facebook.",
        "Visit Brackwater Farms on Instagram and Facebook.",
        "Visit the Post's website at www.brackwater.example",
        "Originally published on Brackwater Science.",
        "Reprinted with permission from The Brackwater Review.",
        "This article is republished from Harbour Notes under a Creative Commons license.",
    ):
        assert clean_text(f"{body}\n{footer}") == body, footer


def test_a_line_of_addresses_that_is_not_only_addresses_is_kept_in_linear_time() -> None:
    # "www.x@y.z" is both a www address and an e-mail address: each of 24 joined by "and" could be read either
    # way, and a line that then went on with a word tried all 2**24 readings (22 of them took 4 s; a hostile
    # page's line stalled its summary for good).
    line = " and ".join(["www.jo@brackwater.example"] * 24) + " said the council"
    started = time.process_time()
    assert clean_text(line) == line
    assert time.process_time() - started < 1.5
    assert clean_text(" and ".join(["www.jo@brackwater.example"] * 24)) == ""


@pytest.mark.parametrize("furniture", ["newsletter", "click to tweet"])
def test_a_line_of_furniture_and_a_run_of_spaces_is_read_in_linear_time(furniture: str) -> None:
    # A broken line is checked for furniture before its spaces are collapsed: "newsletter" (or a share button),
    # 100,000 spaces and a word were tried at every split of the spaces between two "\s*" (20-25 s; a 5 MB page,
    # hours).
    text = (
        f"The ferry timetable changes on Monday\n{furniture}" + " " * 100_000 + "readers wrote in about it."
    )
    started = time.process_time()
    assert clean_text(text) == f"The ferry timetable changes on Monday {furniture} readers wrote in about it."
    assert time.process_time() - started < 1


def test_related_and_follow_us_lines_in_other_languages_are_dropped() -> None:
    # Each survived cleaning; "Te puede interesar: <another headline>" could become a summary sentence, and a
    # "Notícias relacionadas" header kept the headlines listed under it.
    body = "Die Stadt hat am Dienstag einen Solarpark im alten Hafen eröffnet, der für die Region neu ist."
    for line in (
        "Te puede interesar: Madrid abre un nuevo museo del puerto",
        "Leer también: El puerto de Vigo amplía su terminal",
        "Ver más",
        "Sur le même sujet",
        "Ähnliche Artikel",
        "Meistgelesen",
        "Mais lidas",
        "Folgen Sie uns auf Twitter",
        "Suivez-nous sur Instagram",
        "Síguenos en Twitter",
        "Siga-nos no Instagram",
        "Partilhe",
        "Continua após a publicidade",
    ):
        assert clean_text(f"{line}\n{body}") == body, line
    related = "Notícias relacionadas\nPorto abre nova ciclovia\nBraga fecha o mercado\n" + body
    assert clean_text(related) == body
    for prose in (
        "Ver más allá de la crisis es la tarea del nuevo gobierno, dijo el ministro.",
        "Siga-nos, disse o polícia aos jornalistas na terça-feira.",
    ):
        assert clean_text(prose) == prose


def test_related_links_lines_in_italian_are_dropped() -> None:
    # Italian is summarized, but its "Leggi anche" header stayed and came into a ten-sentence summary.
    body = "La città ha inaugurato martedì un parco solare galleggiante nel vecchio porto, il primo della regione."
    for line in (
        "Leggi anche",
        "Leggi anche: Il porto di Genova amplia il terminal",
        "Potrebbe interessarti",
    ):
        assert clean_text(f"{line}\n{body}") == body, line
    related = "Articoli correlati\nIl porto di Genova amplia il terminal\nTorino chiude il mercato\n" + body
    assert clean_text(related) == body


RUSSIAN = (
    "Город Бракуотер во вторник открыл плавучую солнечную электростанцию в старой гавани. Станция состоит из "
    "12 000 панелей на понтонах и должна обеспечивать электричеством около 4 000 домов в год. По словам мэра, "
    "проект обошёлся в девять миллионов евро."
)
UKRAINIAN = (
    "Місто Бракуотер у вівторок відкрило плавучу сонячну електростанцію в старій гавані. Станція має 12 000 "
    "панелей на понтонах і має забезпечувати електрикою близько 4 000 будинків на рік. За словами мера, "
    "проєкт коштував дев'ять мільйонів євро."
)


def test_russian_is_told_apart_from_ukrainian() -> None:
    assert detect_language(RUSSIAN) == "russian"
    assert detect_language(UKRAINIAN) == "ukrainian"
    # A one-sentence teaser without ы, э, ъ or ё (the letters Ukrainian lacks) is still Russian.
    assert detect_language("Мэр заявил, что новая станция будет работать уже этим летом.") == "russian"
    assert language_name("ru") == language_name("ru-RU") == "russian"


def test_german_heading_longer_than_a_short_line_stays_apart_from_its_paragraph() -> None:
    heading = "Schwimmender Solarpark im alten Hafen soll ab Sommer 4000 Haushalte versorgen"
    body = (
        "Die Stadt hat am Dienstag einen schwimmenden Solarpark im alten Hafen eröffnet. Die Anlage hat "
        "12.000 Module auf Pontons und soll im ersten Jahr rund vier Millionen Kilowattstunden liefern."
    )
    assert clean_text(f"{heading}\n{body}").split("\n") == [heading, body]


def test_a_sentence_wrapped_before_a_capitalised_noun_stays_one_paragraph() -> None:
    # Hard-wrapped at 72 columns; German capitalises nouns, so the next line starting in upper case proves
    # nothing: the line before is as long as the block's lines, so the wrapper broke it, not the writer.
    wrapped = [
        "Die Stadt hat am Dienstag einen schwimmenden Solarpark im alten Hafen",
        "Brackwater eröffnet, der nach Angaben der Stadtwerke ab dem kommenden",
        "Sommer Strom für rund viertausend Haushalte in der Altstadt liefern soll.",
    ]
    assert clean_text("\n".join(wrapped)) == " ".join(wrapped)


def test_source_credits_and_bare_dates_are_furniture() -> None:
    lines = [
        "25 November 2026",
        "Die Stadt hat am Dienstag einen schwimmenden Solarpark im alten Hafen eröffnet.",
        "Quelle: dpa, Stadtwerke Brackwater",
        "3 de marzo de 2025",
        "La planta tiene 12.000 paneles y debe abastecer a unos 4.000 hogares al año.",
        "Fonte: Agência Brasil",
        "Dienstag, 12. März 2025, 14:30 Uhr",
        "12.03.2025",
        "Source : ministère de la Transition écologique",
    ]
    assert clean_text("\n".join(lines)).split("\n") == [lines[1], lines[4]]


def test_sentences_that_mention_sources_or_start_with_a_date_survive() -> None:
    kept = [
        "Quelle des Streits war ein Gutachten der Stadtwerke über die Kosten der Anlage.",
        "Fonte de energia limpa, a usina deve abastecer quatro mil casas por ano.",
        "25 November 2026 is the date the council set for the second solar farm to open.",
        "Source: a council official said the panels had been damaged by the storm on Monday.",
        "Am 3. März 2025 wurde der Solarpark im alten Hafen von der Bürgermeisterin eröffnet.",
    ]
    assert clean_text("\n\n".join(kept)).split("\n") == kept


def test_sentence_ends_without_spaces_split_in_linear_time() -> None:
    # sentencex is quadratic over "A!A!A!...": 80,000 characters took 1.3 s, 200,000 took about 8 s.
    started = time.process_time()
    sentences = split_sentences("A!" * 100_000, "french")
    assert time.process_time() - started < 1.5
    assert "".join(sentences) == "A!" * 100_000


def test_punctuation_without_spaces_splits_in_linear_time() -> None:
    # nupunkt is quadratic inside a run without whitespace: 40,000 characters of "»." took 2 s.
    started = time.process_time()
    sentences = split_sentences("»." * 100_000, "english")
    assert time.process_time() - started < 1.5
    assert "".join(sentences) == "»." * 100_000


def test_a_long_run_of_abbreviations_is_rejoined_in_linear_time() -> None:
    # Each "Dr." piece was glued onto the growing sentence, which was searched whole again: 120 KB of "Dr. "
    # took over 8 s in French.
    started = time.process_time()
    sentences = split_sentences("Dr. " * 30_000, "french")
    assert time.process_time() - started < 1.5
    assert " ".join(sentences) == ("Dr. " * 30_000).strip()


def test_feed_cut_marker_is_dropped_and_a_mid_sentence_cut_shows_as_an_ellipsis() -> None:
    # Classified-ad and WordPress feeds end a cut teaser with "[...]" or "[&hellip;]".
    text = "Bright two-room flat near the park. Modern kitche [...]\n\nThe lease runs a year. [&hellip;]"
    assert clean_text(text) == "Bright two-room flat near the park. Modern kitche…\nThe lease runs a year."
    assert clean_text("[…]") == ""


def test_short_sentences_after_source_are_not_credits() -> None:
    # A credit is a few names; "Source:" followed by eight words or fewer ending in a full stop was dropped too.
    kept = [
        "Source: a council official said the panels were damaged.",
        "Sources: police said two people were hurt.",
    ]
    assert clean_text("\n\n".join(kept)).split("\n") == kept
    credits = ["Source: Reuters.", "Quelle: dpa, Stadtwerke Brackwater.", "Source : Insee"]
    assert all(is_boilerplate(line) for line in credits)


def test_a_tag_header_on_its_own_line_takes_its_list_with_it() -> None:
    # "Tags" alone, then the list in lower case: the list was joined to the header as a broken sentence
    # and reached summaries ("Tags calendario stock car 2018, stock car brasil, ...").
    text = (
        "O Benfica venceu o clássico de domingo por dois golos a um.\n\n"
        "O treinador elogiou a equipa depois do jogo no Estádio da Luz.\n\n"
        "Tags\n\nfutebol, benfica, fc porto, clássico, primeira liga\n\n"
        "Palavras-chave:\n\nestádio da luz, treinador\n\n"
        "Schlagworte: Fußball, Bundesliga"
    )
    assert clean_text(text) == (
        "O Benfica venceu o clássico de domingo por dois golos a um.\n"
        "O treinador elogiou a equipa depois do jogo no Estádio da Luz."
    )


def test_the_same_paragraph_in_two_unicode_forms_is_kept_once() -> None:
    # Pages mix precomposed "é" with "e" + combining accent; unnormalised, the repeat is not seen as one and
    # the reader gets the same sentence twice.
    text = "The caf\u00e9 opened on Tuesday.\n\nThe cafe\u0301 opened on Tuesday.\n\nMore text here."
    assert clean_text(text) == "The caf\u00e9 opened on Tuesday.\nMore text here."


def test_lines_without_a_single_letter_are_not_paragraphs() -> None:
    # Section breaks and bare times between paragraphs would show as lines of their own in an excerpt.
    text = "First paragraph of the story.\n\n* * *\n\n\u2014\n\n12:45\n\nSecond paragraph of it."
    assert clean_text(text) == "First paragraph of the story.\nSecond paragraph of it."


def test_a_paragraph_after_by_and_a_long_capitalised_word_is_cleaned_at_once() -> None:
    # The byline pattern could cut the word into up to six names at any letter: 80 capitals took nearly a
    # minute of a summarizing thread, 200 would take hours; a feed item costs a few bytes to send.
    line = "By " + "A" * 80 + " said the council approved the tram line."
    started = time.process_time()
    assert clean_text(line) == line
    assert time.process_time() - started < 2


def test_a_block_of_link_and_a_long_run_of_spaces_is_cleaned_at_once() -> None:
    # Reddit's "[link] [12 comments]" pattern split the spaces between two "\s*" every way: 20,000 spaces
    # took 9 s, a 200 kB feed item a quarter of an hour.
    started = time.process_time()
    assert clean_text("the harbour,\n\n[link]" + " " * 30_000 + "pier") == "the harbour, [link] pier"
    assert time.process_time() - started < 2


def test_a_picture_credit_and_a_long_run_of_spaces_is_cleaned_at_once() -> None:
    # The same two "\s*" after a credit ("... / Reuters)"): 40,000 spaces and tabs took 6 s, twice as many 24 s.
    started = time.process_time()
    line = "the harbour,\n\nThe pier by Getty Images" + " \t" * 40_000 + "at dawn"
    assert clean_text(line) == "the harbour, The pier by Getty Images at dawn"
    assert time.process_time() - started < 2


def test_a_videos_show_notes_are_no_summary_sentences() -> None:
    # A real feed's video descriptions list their sources by the time they are shown ("(0:13) Source: ...,
    # June 2017. http://..."), one a line, and end with the episode's number: 43 such lines, glued into run-on
    # sentences, and "Episode 138" were summary sentences. Chapter markers ("00:00 Intro") are the same notes.
    story = [
        "Winner: The harbour ferries, back on the water after a month in the dry dock.",
        "Loser: The old pier, closed for good after the winter storms broke its deck.",
    ]
    notes = "\n".join(
        [
            "(0:13) Source: \u201cFerries Return to Brackwater,\u201d The Harbour Post, June 2017. http://example.org/a",
            "(1:02) \u201cPier Closes After Storms,\u201d Brackwater Radio, May 2017. http://example.org/b",
            "(12:45) Source: Brackwater Council Minutes, 2017.",
            "00:00 Intro",
            "1:03:15 - Listener mail about the ferries",
        ]
    )
    body = f"{story[0]}\n\n{story[1]}\n\n{notes}\n\nEpisode 138"
    assert summarize(body, 10, title="Ferries and piers") == story
    # A time in a sentence, or opening one that ends as a sentence does, is the story.
    for sentence in (
        "At 10:30 the first ferry left the pier with 40 passengers on board.",
        "10:30 was the time the first ferry left, the harbour master said.",
        "Episode 4 of the series follows the ferry crews through the winter.",
    ):
        assert clean_text(sentence) == sentence


def test_a_live_blogs_entries_led_by_a_clock_time_are_its_story() -> None:
    # Show notes open with a time too, but a live blog's or timeline's entries are the news: an item of nothing
    # else was summarized as nothing at all.
    blog = "\n".join(
        [
            "09:15 The ferry minister arrives at the harbour",
            "09:40 Talks with the pier owners begin behind closed doors",
            "10:30 Fishermen gather outside the harbour office",
        ]
    )
    assert summarize(blog, 3, title="Harbour talks: live") == blog.splitlines()
    timeline = (
        "(10:30) Police said the coast road was shut.\n(11:00) The fire brigade arrived soon after.\n"
        "(14:05) The minister said the new sea wall would be finished in 2027."
    )
    assert summarize(timeline, 3) == timeline.splitlines()


def test_a_podcasts_own_prompts_are_furniture_and_sentences_about_podcasts_stay() -> None:
    # A podcast's page summed up its episode with "This week's Tennis Podcast is sponsored by ..." and "How to
    # listen to ...".
    story = "The harbour board met on Tuesday to talk about the new ferry timetable for the winter."
    for prompt in (
        "Subscribe on Apple Podcasts or Spotify",
        "Listen to the Harbour Hour on Spotify, Overcast or wherever you get your podcasts.",
        "How to listen to The Harbour Hour",
        "This week's Harbour Hour podcast is sponsored by Brackwater Ferries, which runs boats to the islands.",
        "This episode is brought to you by Brackwater Ferries.",
    ):
        assert summarize(f"{story}\n\n{prompt}", 10) == [story], prompt
    for sentence in (
        "Spotify said 20 million people now listen to podcasts on its app every week.",
        "The regatta is sponsored by the harbour board, which pays for the boats.",
        "Listen to the gulls, the harbour master told the visitors on the pier.",
    ):
        assert clean_text(sentence) == sentence


def test_a_german_podcasts_rating_and_call_in_prompts_are_furniture_and_news_with_numbers_stays() -> None:
    # A German podcast's feed closed its episodes with "bewertet uns gerne bei Apple Podcasts ..." and a WhatsApp
    # number to send voice messages to; six of its summaries ended with one of them.
    story = "Die Hafenbehörde stellt am Dienstag den neuen Fahrplan für die Fähren im Winter vor."
    for prompt in (
        "Wenn euch die Folge gefallen hat, dann bewertet uns gerne bei Apple Podcasts (falls ihr das nutzt) oder "
        "schickt uns eine Nachricht.",
        "Abonniert uns auf Spotify!",
        "Schreibt uns per WhatsApp an die 0171 23 45 678.",
        "Schickt uns eure beste Möwen-Imitation mit dem Stichwort „Hafen“ an die 0171 23 45 678.",
        "Wenn ihr sonst was sagen wollt, geht das hier: 0171 2345678.",
        "Unsere WhatsApp-Nummer für Feedback: 0171 23 45 678 – sagt uns, welche Gäste ihr hören wollt.",
    ):
        assert summarize(f"{story}\n\n{prompt}", 10, language="de") == [story], prompt
    for sentence in (
        "Die Polizei bittet Zeugen, sich unter 0711 8990 zu melden.",
        "Die Leitstelle ist unter 0711 899 0 erreichbar, hieß es am Abend.",
        "Der Verein hat 2019 rund 1200 Sprachnachrichten von Hörern ausgewertet.",
        "Der Hund folgt uns auf Schritt und Tritt durch den Park.",
        "Die Hörer bewerten uns bei Apple Podcasts im Schnitt mit vier Sternen, sagte die Sprecherin.",
    ):
        assert clean_text(sentence) == sentence


def test_a_police_appeal_by_whatsapp_or_to_a_number_is_news_not_a_call_in() -> None:
    # A police report's appeal ended its summary; with "WhatsApp" or "an die" before the number it was taken for a
    # podcast's call for voice messages and dropped. A show speaks to its listeners ("uns", "ihr"); police do not.
    story = "Ein Radfahrer ist am Montagabend an der Hafenstraße von einem Lieferwagen angefahren worden."
    for appeal in (
        "Zeugen können sich auch per WhatsApp unter 0160 1234567 melden.",
        "Die Polizei bittet um Hinweise an die 0711 8990-0.",
        "Die Polizei hat für Hinweise eine WhatsApp-Nummer eingerichtet: 0172 1234567.",
    ):
        assert clean_text(appeal) == appeal
        assert summarize(f"{story}\n\n{appeal}", 3, language="de") == [story, appeal]


def test_a_photos_credit_and_camera_settings_are_no_summary_sentences() -> None:
    # A photo blog's feed printed each picture's camera and settings under it ("Leica TL2, Sigma 30mm F1.4 ...,
    # \u01924, 45mm, ISO100, 1/500s"), three of its summaries ending with that line; pages left "Main image credit:
    # Getty" and "Image by ..." under their pictures.
    story = "The fog lifted over the harbour just after dawn, and the old lighthouse came into view."
    for furniture in (
        "Harbour Cam X2, Brackwater 35mm F1.4, \u01924, 35mm, ISO100, 1/500s",
        "f/2.8 1/200s ISO 100",
        "Harbour Cam X2 Brackwater 40mm 1:1.4",
        "Main image credit: Getty",
        "Photo credit: Jo Marsh",
        "Image by Jo Marsh",
        "Photo by Jo Marsh on Unsplash",
        "Credits: Fog over the pier: Jo Marsh",
    ):
        assert summarize(f"{story}\n\n{furniture}", 10) == [story], furniture
    for sentence in (
        "The new 50mm f/1.8 lens costs about 200 pounds and ships in May.",
        "Photos by the harbour board showed the damage to the pier.",
        "Image by image, the exhibition tells the story of the harbour.",
    ):
        assert clean_text(sentence) == sentence


@pytest.mark.parametrize(
    "line",
    [
        "00:00 " + "intro " * 16_000,
        "(0:13" * 20_000,
        "Episode #" + " " * 100_000 + "1",
        "listen" + " " * 100_000 + "on spotify",
        "this week's " + "harbour " * 12_000 + "podcast is",
        "Photo by " + "Jo " * 33_000 + "said",
        "Image by Jo" + " " * 100_000 + "x",
        "35mm f/2 " * 11_000,
        "wenn " + "x " * 50_000 + "bewertet uns bei spotify",
        "bewertet uns " + " " * 100_000 + "bei spotify x",
        "0171 23 " * 12_500 + "whatsapp",
        "an die " + "0" * 100_000,
        "Flattr " + " " * 100_000 + "@x",
        "Intro " * 16_000 + "00:01:20",
    ],
)
def test_show_notes_credit_and_camera_lines_are_read_in_linear_time(line: str) -> None:
    # 100 KB of near-misses of the show-notes, podcast-prompt, picture-credit and camera-settings rules.
    started = time.process_time()
    clean_text(f"The ferry timetable changes on Monday.\n\n{line}")
    summarize(line, 3)
    assert time.process_time() - started < 2


@pytest.mark.parametrize(
    "line",
    [
        "10:30" + " " * 100_000 + "x the pier.",
        "Episode" + " " * 100_000 + "x",
        # A call-in cue ("hier") then spaces, a number elsewhere: the spaces could be split around its ":".
        "Nummer 0172 1234 5678, ruf hier" + " " * 100_000 + "x.",
    ],
)
def test_a_clock_or_episode_before_a_long_run_of_spaces_is_read_in_linear_time(line: str) -> None:
    # A block after one that broke off mid-sentence is checked with its spaces as they are: "00:00" or "Episode"
    # then 100 KB of spaces took 45 seconds when the spaces could be split between two runs of them.
    started = time.process_time()
    summarize(f"The harbour board met on Tuesday.\n\nThe mayor said\n\n{line}", 3)
    assert time.process_time() - started < 2


def test_a_sentence_that_goes_on_after_a_podcast_app_is_the_story() -> None:
    # "Download ... on Spotify" read as a podcast's prompt (where to listen) though the sentence went on: news
    # about the apps lost its sentences. A prompt ends where it names the apps.
    for sentence in (
        "Download speeds on Spotify fell sharply last week, the company said.",
        "Find out why Apple Podcasts lost a million listeners to Spotify in a year.",
        "Review: the new Spotify app is faster but drops old playlists.",
    ):
        assert clean_text(sentence) == sentence
    story = "The harbour board met on Tuesday to talk about the new ferry timetable for the winter."
    for prompt in (
        "Follow The Harbour Hour on Apple Podcasts, Spotify and Pocket Casts.",
        "Subscribe: Spotify | Stitcher",
    ):
        assert summarize(f"{story}\n\n{prompt}", 10) == [story], prompt


# The dateline, list-item and missed-sentence-end rules at their edges.
OPENING = "The harbour's floating solar farm opened on Tuesday."
LATER = "Its builder — a local firm from Port Ellis — says the panels work as planned."


def test_a_dateline_is_cut_although_a_later_sentence_has_a_pair_of_dashes() -> None:
    # The pair-of-dashes check looks only to the end of the dateline's own sentence: a name set off by dashes
    # further on must not keep "PORT ELLIS — " at the head of every alert of the feed.
    text = f"PORT ELLIS — {OPENING} {LATER}"
    assert summarize(text, 1, algorithm="lead") == [OPENING]


def test_a_name_set_off_by_a_pair_of_hyphens_is_not_a_dateline() -> None:
    # Writers without a dash key type " - ": the name in capitals must stay, not be cut as "KLBC - ".
    sentence = "KLBC - Brackwater's biggest lender - said its profit rose by a tenth on Tuesday."
    assert summarize(sentence, 1) == [sentence]


def test_each_list_item_stays_its_own_line_when_it_fills_the_width() -> None:
    # An unpunctuated item as wide as the block looked like a hard-wrapped line, and the next item was glued to
    # it: "... to the harbour front - Ferries now run ...".
    first = "The council moved the summer market from the old square to the harbour front"
    second = "Ferries now run every hour from the pier until late August"
    assert clean_text(f"- {first}\n- {second}") == f"{first}\n{second}"


def test_names_with_an_exclamation_or_question_mark_do_not_end_sentences() -> None:
    # nupunkt cut after every "!" and "?": summaries showed "... a new report by E!" and "News." as sentences,
    # and "... one half of pop duo Wham!" with "to his arrest ..." on its own.
    for sentence in (
        "The couple confirmed the wedding in a new report by E! News on Tuesday.",
        "Shares of Yahoo! Inc. rose by a tenth after the harbour deal.",
        "The ferryman won 30,000 dollars on Jeopardy! last year.",
        "The mayor rose to fame as one half of pop duo Whoosh! in the 1980s.",
        "A recent report by Which? magazine found the ferry fares too high.",
    ):
        assert split_sentences(sentence) == [sentence]
    # A real exclamation still ends its sentence, also after a brand.
    assert split_sentences("He left Yahoo! The company said so. We won! The crowd cheered.") == [
        "He left Yahoo!",
        "The company said so.",
        "We won!",
        "The crowd cheered.",
    ]


def test_a_show_named_with_an_exclamation_mark_does_not_cut_the_sentence_it_opens() -> None:
    # nupunkt cut after "Live!": a summary read "On Jimmy Kimmel Live!" and then "Daniels appears to ...".
    for sentence in (
        "On Jimmy Kimmel Live! Daniels appears to question the harbour plan.",
        "Speaking on ABC's Jimmy Kimmel Live! Tuesday, the ferryman laughed it off.",
        "On Jeopardy! Marsh won the car and the ferry tickets.",
    ):
        assert split_sentences(sentence) == [sentence]
    # A real exclamation still ends its sentence, also after the show's name.
    assert split_sentences(
        "We are live! The show starts. He appeared on Jimmy Kimmel Live! The host asked."
    ) == [
        "We are live!",
        "The show starts.",
        "He appeared on Jimmy Kimmel Live!",
        "The host asked.",
    ]


def test_a_quoted_question_stays_with_its_speaker() -> None:
    # nupunkt cut after the quote's "?": a feed item's summary read "Marsh said, refusing to answer directly."
    for sentence in (
        "'Did I sign it?' Jo Marsh said, refusing to answer directly.",
        "“Why now?” Mayor Jo Marsh asked the harbour board.",
        "“Close the harbour!” Marsh told the crowd.",
    ):
        assert split_sentences(sentence) == [sentence]
    # A quotation inside a sentence, or one followed by no speaker, still ends its sentence.
    assert split_sentences("He asked “Why?” Officials said no more. “Go!” The crowd ran.") == [
        "He asked “Why?”",
        "Officials said no more.",
        "“Go!”",
        "The crowd ran.",
    ]
    # Only a question or exclamation is joined, and only one the sentence ends with: a statement ends there.
    assert split_sentences("“Will the bridge hold?” one resident asked. Officials said it would.") == [
        "“Will the bridge hold?” one resident asked.",
        "Officials said it would.",
    ]
    assert split_sentences("“We will rebuild.” Officials said the work would take a year.") == [
        "“We will rebuild.”",
        "Officials said the work would take a year.",
    ]


def test_a_title_abbreviation_in_capitals_does_not_end_a_sentence() -> None:
    # "Mrs." and "Gov." end in lower-case letters: only the whole word, never its tail "rs", is looked at.
    for sentence in (
        "The award went to Mrs. Ortiz of the harbour board on Tuesday.",
        "Gov. Ortiz of Wessex opened the floating solar farm on Tuesday.",
    ):
        assert split_sentences(sentence) == [sentence]


def test_a_missed_end_inside_quotes_still_ends_the_sentence() -> None:
    # A quote may close after the full stop, or open the next sentence: the pair still came as one "sentence".
    first = "A warm coat might not always lead to better rest."
    second = "A 43-year-old ferryman found that out in May."
    for one, two in ((first.replace("better rest.", '"better rest."'), second), (first, f'"{second}"')):
        assert split_sentences(f"{one} {two}") == [one, two]


def test_lower_case_abbreviations_before_a_capital_keep_the_sentence_whole() -> None:
    # Irish counties and prices name these before a capital: each split a sentence in two.
    for sentence in (
        "The farm was built by a firm from Listowel, co. Kerry on the west coast.",
        "Tickets cost 12 euros incl. VAT on the harbour ferry this summer.",
    ):
        assert split_sentences(sentence) == [sentence]


def test_a_dash_a_wrapper_carried_to_the_next_line_keeps_the_sentence_whole() -> None:
    # Hard-wrapped text (a pasted e-mail, a <br> page) may break a line just before a " - ": the line then
    # opens with "- " like a list item, and the summary showed the sentence cut in two, the first half unended.
    sentence = (
        "The ferry company raised its fares by nine per cent across the whole of the network"
        " - the biggest rise since the harbour reopened, its chief said on Tuesday."
    )
    head, _, tail = sentence.partition(" - ")
    text = f"{head}\n- {tail}\nPassengers on the island routes will pay the most."
    assert split_sentences(clean_text(text)) == [
        sentence,
        "Passengers on the island routes will pay the most.",
    ]
    # Items of a list in lower case still stay apart.
    assert clean_text("You will need:\n- two jars\n- a spoon") == "You will need:\ntwo jars\na spoon"
    lead_in = "The council listed what it will pay for over the next two years in the harbour:"
    assert clean_text(f"{lead_in}\n- a new pier\n- a bus lane") == f"{lead_in}\na new pier\na bus lane"


def test_a_dateline_with_a_second_stamp_ending_in_a_full_stop_is_dropped() -> None:
    # The "lower-case clause after a comma is prose" rule kept these page stamps as the first sentence of a
    # summary: the clause after the comma holds a time of day, as a sentence's seldom does.
    for stamp in (
        "Publié le 12 mars 2024 à 10h30, modifié le 12 mars 2024 à 14h00.",
        "Publicado el 12 de marzo de 2024, a las 10:30 hora de Madrid.",
        "Veröffentlicht am 12. März 2024, zuletzt geändert am 13. März 2024 um 10:30 Uhr.",
    ):
        assert is_boilerplate(stamp), stamp
    assert not is_boilerplate(
        "Published in The Lancet, the study of 12,000 patients found that the drug cut deaths by a third."
    )


STORY = "The farm opened on Tuesday."


def test_a_posted_by_author_on_date_line_is_cut_as_a_dateline() -> None:
    # Blogs head a post with its author and date; read as a sentence it opened the summary.
    for header in (
        "Posted by Jo Marsh on November 19, 2019, 6:21 AM EST",
        "Posted by Jo Marsh on 19 November 2019",
    ):
        assert clean_text(f"{header}\n\n{STORY}") == STORY
        assert clean_text(f"{header} {STORY}") == STORY
    # Prose that opens the same way stays whole.
    sentence = "Posted by the council in 2019, the notice warned that 40 homes were at risk of flooding."
    assert clean_text(sentence) == sentence


def test_a_dateline_with_a_second_stamp_after_a_comma_leaves_no_fragment() -> None:
    # The date followed by a comma refused the cut, and the pattern went on to a later place to cut at:
    # 'T, updated on ...' or 'at 10:00 GMT.' reached the text; the whole line is a dateline.
    for header in (
        "Published on 12 March 2025, 09:30 GMT, updated on 13 March 2025, 10:00 GMT",
        "Published on 12 March 2025, updated on 13 March 2025 at 10:00 GMT.",
        "PUBLISHED: 12 March 2025, updated on 13 March 2025 at 10:00 GMT.",
    ):
        assert clean_text(f"{header}\n\n{STORY}") == STORY


def test_a_stamp_with_its_time_of_day_is_cut_whole_and_the_story_kept_whole() -> None:
    # The time after the date stayed: "10:30 BST" or "at 10:30" became a summary sentence, or opened the story's
    # first one; and a zone read in any case took the story's first word ("farm opened on Tuesday.").
    for stamp in (
        "Updated: 5 May 2025 10:30 BST",
        "Last updated 5 May 2025 10:30am",
        "Posted on 05/05/2025 at 10:30",
        "Published 5 May 2025 10:30 GMT",
        "Published on 3 May 2024, 10:00",
        "Published on 3 May 2024, 10:00 a.m. ET",
    ):
        for story in (STORY, "US officials said the farm opened on Tuesday."):
            assert clean_text(f"{stamp}\n\n{story}") == story, stamp
            assert clean_text(f"{stamp} {story}") == story, stamp
            assert summarize(f"{stamp}\n{story}\n{GENUINE[0]}", 3) == [story, GENUINE[0]], stamp


def test_datelines_in_each_keyword_are_dropped() -> None:
    # A keyword dropped from the list left its datelines at the top of the text (and of short summaries).
    for dateline, story in (
        ("Posted 2 hours ago", STORY),
        ("Published 12 March 2025, updated 13 March, 10:00.", STORY),
        ("Actualizado: 3 de mayo de 2024", "La granja abrió el martes."),
        ("Publicado em 3 de maio de 2024", "A fazenda abriu na terça."),
        ("Atualizado em 3 de maio de 2024", "A fazenda abriu na terça."),
        ("Publié le 3 mars 2024, mis à jour le 4 mars 2024 à 11h00.", "La ferme a ouvert mardi."),
    ):
        assert clean_text(f"{dateline}\n\n{story}") == story


def test_a_short_lower_case_clause_after_a_dated_comma_is_still_a_dateline() -> None:
    # WordPress: "Posted on <date>, in <categories>": four words, or more without a full stop, are no sentence.
    for dateline in (
        "Posted on May 3, 2024, in news and politics.",
        "Posted on May 3, 2024, in world news and local politics",
    ):
        assert clean_text(f"{dateline}\n\n{STORY}") == STORY


def test_sentences_that_open_like_a_dateline_stay_whole() -> None:
    for sentence in (
        # Five words after the comma make a clause, the first of them a single letter or accented.
        "Published in May 2016, the study found deaths fell.",
        "Published in May 2016, a review found deaths fell.",
        "Publié le 3 mars 2016, étudié par deux chercheurs du CNRS pendant dix ans.",
        # "Stand" is a dateline only before a colon.
        "Stand 2019 lebten 3.000 Menschen im Tal, sagte der Bürgermeister.",
        # A lower-case word is no date: the prefix is not cut off ("the report found ..." was left).
        "Published in 2016 the report found that 1,500 homes in the valley were at risk of flooding within a decade or two.",
        "Last updated in 2016 the rules say that every farm in the valley must report its water use to the council every spring.",
        # A comma after a stamp's date opens a clause ("Last updated 12 March 2025" was cut, leaving ", the ...").
        "Last updated 12 March 2025, the rules say farms must report their water use.",
    ):
        assert clean_text(f"{STORY}\n\n{sentence}") == f"{STORY}\n{sentence}"


def test_related_links_headers_in_title_case_are_still_furniture() -> None:
    # Prose goes on in lower case; a header in title case is a list of links however long.
    for header in (
        "More From Our Partners In The Region Today.",
        "Related Charges Were Filed Against Two Other Men On Friday.",
    ):
        assert clean_text(f"{STORY}\n\n{header}") == STORY


def test_a_comma_after_a_dotted_company_form_does_not_start_a_sentence() -> None:
    # sentencex ended the sentence after "S.p.A." and a summary showed ", si è dimesso." as a sentence.
    text = "Il sig. Corradi, presidente della Lanterna S.p.A., si è dimesso. La società cerca un sostituto."
    assert split_sentences(text, "italian") == [
        "Il sig. Corradi, presidente della Lanterna S.p.A., si è dimesso.",
        "La società cerca un sostituto.",
    ]


def test_italian_portuguese_and_spanish_titles_do_not_end_sentences() -> None:
    assert split_sentences("L'on. Ferretti ha risposto in aula. Il dibattito continua.", "italian") == [
        "L'on. Ferretti ha risposto in aula.",
        "Il dibattito continua.",
    ]
    assert split_sentences("O dep. Amaral votou contra. A Câmara aprovou.", "portuguese") == [
        "O dep. Amaral votou contra.",
        "A Câmara aprovou.",
    ]
    assert split_sentences("El Pdte. Ruiz habló ayer. Nadie respondió.", "spanish") == [
        "El Pdte. Ruiz habló ayer.",
        "Nadie respondió.",
    ]


def test_german_dates_with_a_comma_after_the_month_stay_one_sentence() -> None:
    # "Freitag, 3. Oktober, ..." was cut after "3.": "Am Freitag, 3." and "Oktober, fahren ..." in a summary.
    text = "Am Freitag, 3. Oktober, fahren wieder Züge nach Brackwater. Die Bahn rechnet mit vollen Zügen."
    assert split_sentences(text, "german") == [
        "Am Freitag, 3. Oktober, fahren wieder Züge nach Brackwater.",
        "Die Bahn rechnet mit vollen Zügen.",
    ]


def test_table_rows_from_a_page_are_no_sentences_but_a_laid_out_paragraph_is_kept() -> None:
    # Page extraction writes tables as Markdown: a 7-sentence summary showed "| Brackwater to Saltmouth crossing
    # | 12,400 passengers in March |", pipes and all. A page laid out in a table keeps its paragraphs.
    story = "Ferry traffic across the bay rose sharply in March, the port authority said."
    laid_out = "Officials expect the numbers to climb again once the summer timetable begins."
    text = "\n\n".join(
        [
            story,
            "| Route | Passengers |",
            "|---|:---:|",
            "| Brackwater to Saltmouth crossing | 12,400 passengers in March |",
            "| Saltmouth \\| Brackwater | 11,900 |",
            f"| | {laid_out} |",
            "The pier | the harbour | the ferry.",
        ]
    )
    assert clean_text(text).split("\n") == [story, laid_out, "The pier | the harbour | the ferry."]
