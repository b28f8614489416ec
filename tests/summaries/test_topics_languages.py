"""Topic tagging of news in German, French, Spanish, Portuguese and Italian (texts written for these tests)."""

from __future__ import annotations

import pytest

from summaries import tag_topics
from summaries.sources.feeds import item_to_article, parse_feed
from summaries.text import detect_language
from summaries.topics import default_catalogue

# (title, body, topics the article must get)
STORIES = {
    "german tech": (
        "Neue KI-Software für Entwickler",
        "Der Konzern stellt eine Programmiersprache und ein Betriebssystem für Smartphones vor. Entwickler "
        "können den Quellcode als Open-Source herunterladen; die Software läuft auch auf Servern im "
        "Rechenzentrum.",
        {"technology"},
    ),
    "portuguese football": (
        "Benfica vence o FC Porto no clássico",
        "O Benfica venceu o FC Porto por 2-1 no Estádio da Luz. O avançado marcou dois golos na segunda "
        "parte e o treinador elogiou a equipa. Com a vitória, o clube lidera o campeonato.",
        {"sport"},
    ),
    "french election": (
        "Élection présidentielle : le second tour se précise",
        "Les électeurs sont appelés aux urnes dimanche. Selon un sondage, le candidat du parti au pouvoir "
        "devance l'opposition. Le gouvernement et le Premier ministre ont fait campagne pour l'élection.",
        {"politics"},
    ),
    "spanish carmaker": (
        "El fabricante de automóviles invertirá 3.000 millones en coches eléctricos",
        "La empresa anunció que sus ventas crecieron un 12 % y que sus beneficios superan las previsiones. "
        "El fabricante de automóviles producirá vehículos eléctricos en su fábrica para el mercado europeo.",
        {"automotive", "business"},
    ),
}


@pytest.mark.parametrize("name", list(STORIES))
def test_stories_in_other_languages_get_their_topics(name: str) -> None:
    title, body, expected = STORIES[name]
    assert set(tag_topics(title, body)) == expected


# Everyday words that English lexicons would read as evidence: German "war" (was), "Art" (kind); French
# "mars" (March), "pain" (bread), "j'ai eu"; Portuguese "eu" (I), "data" (date), "meta" (goal), "ai";
# Spanish "mayor" (bigger), "esa" (that), "sales" (you leave). And words that only look English ("Rat",
# "Gift", "Kind", "pasta", "once").
FALSE_FRIENDS = {
    "german": (
        "Der Rat warnt vor Gift im Garten",
        "Das Kind war mit seiner Mutter im Garten, als der Rat der Gemeinde vor dem Gift warnte. Es war ein "
        "warmer Tag; die Art der Pflanze war unbekannt.",
    ),
    "french": (
        "J'ai eu du pain en mars",
        "Car le boulanger a fait un coup de maître : il est revenu au village en mars avec du pain, et j'ai "
        "eu la chance d'en avoir.",
    ),
    "portuguese": (
        "Receita de pasta com tomate",
        "Eu fiz a pasta ontem. A data do almoço foi marcada e a meta é cozinhar mais vezes. Ai, que bom! Eu "
        "gosto de cozinhar com a minha família.",
    ),
    "spanish": (
        "Las once recetas de la abuela",
        "Sales de casa a las once. Esa es la mayor diferencia: la mayor parte de la familia prepara la cena "
        "en casa de la abuela.",
    ),
}


@pytest.mark.parametrize("language", list(FALSE_FRIENDS))
def test_everyday_words_of_other_languages_are_no_topic(language: str) -> None:
    title, body = FALSE_FRIENDS[language]
    assert tag_topics(title, body) == []


def test_english_loan_words_still_count_in_other_languages() -> None:
    # Brands and names need no translation: a German Tesla story is still automotive.
    topics = default_catalogue().tag(
        "Tesla und Volkswagen bauen neue Elektroautos",
        "Tesla und Volkswagen wollen mehr Elektroautos verkaufen. Die Autobauer investieren in Ladesäulen.",
        language="de",
    )
    assert "automotive" in topics


@pytest.mark.parametrize(
    ("language", "title", "body"),
    [
        (
            "de",
            "Amazon Web Services fällt aus",
            "Amazon Web Services war am Dienstag stundenlang gestört. Viele Webseiten waren nicht erreichbar, "
            "teilte Amazon Web Services mit.",
        ),
        (
            "pt",
            "Falha na Amazon Web Services",
            "A Amazon Web Services ficou fora do ar durante horas na terça-feira. Muitos sites ficaram "
            "inacessíveis, disse a Amazon Web Services.",
        ),
    ],
)
def test_a_cloud_outage_at_amazon_is_technology_not_e_commerce_in_other_languages(
    language: str, title: str, body: str
) -> None:
    # The English lexicon's "not this topic" phrases are loan words too: in German and Portuguese an AWS outage
    # is no shopping news.
    assert default_catalogue().tag(title, body, language=language) == ["technology"]


def test_an_everyday_english_word_that_is_a_german_word_is_no_topic() -> None:
    # "Brand" is a fire in German, "Fall" a case: the English lexicon's everyday words (a brand, a fall in
    # prices) would make a warehouse fire business news.
    body = (
        "Ein Brand hat in der Nacht eine Lagerhalle am Hafen zerstört. Die Feuerwehr kämpfte stundenlang gegen "
        "den Brand. Der Brand brach gegen Mitternacht aus, verletzt wurde niemand. Die Polizei ermittelt in dem "
        "Fall. Ob der Brand gelegt wurde, ist offen; der Fall soll bis Freitag geklärt sein."
    )
    assert "business" not in default_catalogue().tag(
        "Brand in Lagerhalle: Polizei ermittelt", body, language="de"
    )


def test_a_german_virus_outbreak_is_health_not_technology() -> None:
    # "Virus" weighs 3 for health in the English lexicon and 2 in the German one: the stronger weight counts,
    # or the outbreak read nearly as much like a computer virus as an illness.
    body = (
        "Ein neues Virus breitet sich in Kliniken aus. Das Virus befällt vor allem ältere Menschen, sagen Ärzte. "
        "Gegen das Virus gibt es noch keinen Impfstoff."
    )
    assert default_catalogue().tag("Virus breitet sich aus", body, language="de") == ["health"]


def test_a_german_story_about_a_tv_show_is_entertainment() -> None:
    # The German vocabulary has "Show" as a plain word; the English "~show" (it needs a film or a band beside it:
    # "research shows") is as strong and came first, so the story got no topic at all.
    body = (
        "Die neue Show startet am Samstag. In der Show treten Familien gegeneinander an; die Show dauert zwei "
        "Stunden."
    )
    assert default_catalogue().tag("Neue Show am Samstagabend", body, language="de") == ["entertainment"]


def test_feed_language_picks_the_vocabulary() -> None:
    feed = parse_feed(
        b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Nachrichten</title>
        <link>https://news.example/</link><language>de-DE</language><item><title>Bundestag stimmt ab</title>
        <link>https://news.example/1</link><description>Der Bundestag hat das Gesetz beschlossen; die Koalition
        und die Opposition stritten lange.</description></item></channel></rss>"""
    )
    article = item_to_article(feed.items[0], feed)
    assert article.topics == ("politics",)


def test_news_sections_in_other_languages_tag_their_topics() -> None:
    # A Portuguese paper files each item under its section; "Economia" and "Mundo" resolved to nothing, so a
    # chat following business missed a story about electricity bills that the paper itself called business.
    feed = parse_feed(
        """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Diário</title>
        <link>https://diario.example/</link><language>pt-PT</language>
        <item><title>Contas da luz trazem erros de leitura</title><link>https://diario.example/1</link>
        <category>Economia</category><description>Clientes dizem que as contagens da empresa vêm
        altas demais.</description></item>
        <item><title>Tempestade deixa milhares sem luz</title><link>https://diario.example/2</link>
        <category>Mundo</category><description>Ventos fortes atingem o norte do continente.</description></item>
        <item><title>Treinador castigado</title><link>https://diario.example/3</link>
        <category>Desportos</category><description>O técnico foi expulso no domingo.</description></item>
        <item><title>Lisboa abre novo museu</title><link>https://diario.example/4</link>
        <category>Wissenschaft &amp; Technik</category><description>O museu abre em maio.</description></item>
        </channel></rss>""".encode()
    )
    topics = [item_to_article(item, feed).topics for item in feed.items]
    assert "business" in topics[0]
    assert "world" in topics[1]
    assert "sport" in topics[2]
    assert "science" in topics[3]
    # Only feed categories: "economia" sent to /subscribe stays a keyword, as before.
    assert default_catalogue().resolve("economia") is None


def test_a_german_football_transfer_is_sport_not_world_news() -> None:
    # "Regionalliga" matched the English "region*" (world), and transfer words were no sport: a chat following
    # sport missed most of a German football feed, and one following world news got the fourth division.
    catalogue = default_catalogue()
    assert catalogue.tag(
        "Wechsel in die Regionalliga | Kiel gibt Verteidiger ab",
        "Innenverteidiger Tom Berger (24) verlässt den Zweitligisten nach drei Jahren und wechselt zu einem "
        "Regionalligisten. Der Klub nannte keine Ablösesumme.",
        language="de",
    ) == ["sport"]
    assert catalogue.tag(
        "Neuer Trainerposten | Vogt übernimmt in Bonn",
        "Jens Vogt übernimmt das Traineramt beim Regionalliga-Klub. Der Sportdirektor lobte seine Arbeit.",
        language="de",
    ) == ["sport"]


def test_a_headline_alone_is_read_in_its_own_language() -> None:
    # A feed with no declared language and an item with no text: the headline's two Portuguese function words
    # were too few, it was read as English, and a chat following politics missed it.
    headline = "Governo quer reduzir impostos sobre combustíveis até ao fim do ano"
    assert detect_language(headline) == "portuguese"
    assert tag_topics(headline, "") == ["politics"]
    assert detect_language("Bürgermeister kündigt neuen Radweg im Norden an") == "german"
    # English headlines with a foreign name or a word other languages share stay English.
    for headline in (
        "Man bites dog in Berlin",
        "La La Land wins best picture",
        "Café owner in São Paulo wins the lottery",
        "Nicolás Maduro says no to talks in Caracas",
    ):
        assert detect_language(headline) == "english", headline


def test_german_text_declared_english_gets_german_topics() -> None:
    # lang="en" is many templates' default; the German "war" (was) once made such pages "world".
    topics = default_catalogue().tag(
        "Der Bundestag stimmt über das Gesetz ab",
        "Die Koalition war sich lange nicht einig, die Opposition war dagegen. Die Abgeordneten stimmten am "
        "Abend über das Gesetz ab; der Bundeskanzler war zufrieden.",
        language="en",
    )
    assert topics == ["politics"]


def test_english_text_declared_german_gets_english_topics() -> None:
    # Templates declare a default language the other way too (English Business Insider pages say lang="de"):
    # read as German, where "war" is "was", this story of a war had no topic, and a chat following world news
    # never saw it.
    title = "Two years of war leave the river towns empty"
    body = (
        "The war has now lasted two years, and the towns along the river are almost empty. Most of the families "
        "who lived there have left for the capital, where they wait in schools and sports halls for news of "
        "their homes. Those who stayed say that the shelling has stopped for now, but that nobody believes it "
        "will last. The war has cut the only road to the coast, and food comes in by boat when it comes at all. "
        "A teacher who runs the last shop in one of the towns said she would stay as long as there was bread."
    )
    assert default_catalogue().tag(title, body, language="de") == ["world"]


# Languages with no vocabulary of their own keep the borrowed English entries, so their everyday words that
# look like English keywords must not count either: Italian "ai" (to the), "dietro" (behind), "lungo" (long),
# "Camera" (the lower house), "data" (date); Swedish "sedan" (since, ago), "mars" (March), "art" (species);
# Polish "temu" (ago), "data" (date).
EVERYDAY_WORDS_ELSEWHERE = {
    "italian": (
        "Il governo porta la manovra alla Camera",
        "Il consiglio dei ministri ha approvato la legge di bilancio, che ora passa alla Camera. Il testo destina "
        "nuove risorse ai comuni e ai pensionati; dietro la misura c'è un lungo negoziato. Gli aiuti alle "
        "famiglie arriveranno in una data ancora da fissare, ha detto il ministro ai giornalisti.",
    ),
    "swedish": (
        "Stormen drog in över kusten",
        "Sedan i går kväll har stormen drabbat kusten. Det är första gången sedan mars 1999 som så många hushåll "
        "blir utan ström, och sedan dess har kommunen öppnat ett krisstöd för de boende.",
    ),
    "polish": (
        "Powódź wróciła do miasta",
        "Dwa lata temu rzeka zalała centrum miasta. Tydzień temu woda znowu podniosła się, a mieszkańcy, którzy "
        "jeszcze miesiąc temu remontowali domy, musieli uciekać przed tą datą.",
    ),
}


@pytest.mark.parametrize("language", list(EVERYDAY_WORDS_ELSEWHERE))
def test_everyday_words_of_languages_without_a_vocabulary_are_no_topic(language: str) -> None:
    # A politics story in Italian came out "technology" (its "ai"), a Swedish storm "automotive" ("sedan"), a
    # Polish flood "e-commerce" ("temu"): alerts for subscribers of those topics.
    title, body = EVERYDAY_WORDS_ELSEWHERE[language]
    topics = tag_topics(title, body)
    assert not {"technology", "automotive", "e-commerce", "health"} & set(topics)


def test_an_italian_story_about_diet_keeps_its_health_topic() -> None:
    # Masking "diet*" for Italian "dietro" (behind) took "dieta" with it: a diet story lost "health".
    title = "Dieta mediterranea contro l'obesità"
    body = (
        "Secondo uno studio dell'ospedale, una dieta ricca di verdure riduce l'obesità e il diabete. I dietologi "
        "consigliano la dieta mediterranea ai pazienti con il colesterolo alto."
    )
    assert "health" in tag_topics(title, body)


# (language, masked word, the topic it would bring, title, body): each body leans on that one word, so dropping
# it from FALSE_FRIENDS sends the story to subscribers of that topic.
EVERYDAY_WORD_STORIES = [
    (
        "italian",
        "diet*",
        "health",
        "Dietro la crisi del governo",
        "Dietro la crisi c'è una lite sul bilancio. Dietro le quinte i partiti trattano da giorni, e dietro "
        "ogni proposta si vede la campagna elettorale che si avvicina in tutto il paese.",
    ),
    (
        "italian",
        "lung*",
        "health",
        "Un lungo inverno per il porto",
        "Lungo la costa il porto ha chiuso per un lungo inverno. La lunga attesa delle navi è finita solo "
        "ieri, quando le barche sono tornate lungo il molo dopo mesi di lavori.",
    ),
    (
        "italian",
        "code",
        "technology",
        "Esodo estivo, code ai caselli",
        "Code ai caselli e code sulle strade per il primo fine settimana di agosto. Le code più lunghe si sono "
        "formate vicino a Bologna, dove gli automobilisti hanno atteso per ore sotto il sole.",
    ),
    (
        "italian",
        "data",
        "technology",
        "Fissata la data del voto",
        "Il governo ha fissato la data del voto per la primavera. La data era attesa da settimane; i partiti "
        "avevano chiesto una data certa per preparare le liste dei candidati nelle regioni.",
    ),
    (
        "italian",
        "fame",
        "entertainment",
        "La fame nel mondo cresce ancora",
        "La fame colpisce ancora milioni di persone. Secondo il rapporto la fame è cresciuta per il terzo anno, "
        "e contro la fame servono più fondi per i paesi più poveri del mondo.",
    ),
    (
        "italian",
        "meta",
        "technology",
        "Il lago torna meta dei turisti",
        "Il lago è tornato meta dei turisti stranieri. La meta più amata resta il centro storico, ma anche i "
        "paesi vicini sono diventati una meta per chi cerca la calma della montagna.",
    ),
    (
        "swedish",
        "mars",
        "science",
        "Snön kom tillbaka i mars",
        "I mars föll mer snö än på tio år. Redan i början av mars stängdes vägarna, och i slutet av mars var "
        "det fortfarande kallt i hela landet, säger meteorologerna.",
    ),
    (
        "swedish",
        "art",
        "entertainment",
        "En ny art hittad i skogen",
        "Forskarna har hittat en ny art av skalbagge i skogen. Det är första gången en sådan art ses i landet, "
        "och nu ska den nya arten skyddas av kommunen, säger de.",
    ),
    (
        "polish",
        "data",
        "technology",
        "Data wyborów znana",
        "Prezydent podał, jaka będzie data wyborów. Data została ogłoszona w poniedziałek, a ta data oznacza, że "
        "partie mają tylko dwa miesiące na kampanię. Opozycja mówi, że to zła data dla rolników w całym kraju.",
    ),
]


@pytest.mark.parametrize(
    ("language", "word", "topic", "title", "body"),
    EVERYDAY_WORD_STORIES,
    ids=[f"{s[0]}-{s[1]}" for s in EVERYDAY_WORD_STORIES],
)
def test_an_everyday_word_alone_brings_no_topic(
    language: str, word: str, topic: str, title: str, body: str
) -> None:
    assert topic not in tag_topics(title, body)


# Italian had no vocabulary of its own: only English loan words counted, so these stories got no topic at all
# and an Italian reader following politics, science or technology heard of none of them.
ITALIAN_STORIES = {
    "politics": (
        "Il governo approva la manovra",
        "Il Consiglio dei ministri ha approvato la legge di bilancio. L'opposizione critica i tagli e in "
        "Parlamento promette battaglia; il voto al Senato è previsto a dicembre.",
    ),
    "science": (
        "Scoperto un pianeta simile alla Terra",
        "Un gruppo di ricercatori ha osservato con un telescopio un pianeta roccioso attorno a una stella "
        "vicina. Gli astronomi pubblicheranno lo studio il mese prossimo.",
    ),
    "technology": (
        "Arriva un nuovo visore per la realtà virtuale",
        "L'azienda di Cupertino ha presentato un visore con un processore più veloce. Il sistema operativo "
        "integra l'intelligenza artificiale e permette di usare le applicazioni senza schermo.",
    ),
    "entertainment": (
        "Il nuovo film di una giovane regista arriva al cinema",
        "La regista presenta il suo primo film alla Mostra del Cinema di Venezia. L'attrice protagonista "
        "canta anche la canzone della colonna sonora.",
    ),
    "sport": (
        "La Juventus vince il derby",
        "I bianconeri battono il Torino 2-0 e restano in testa al campionato di Serie A. L'allenatore elogia "
        "la squadra dopo la partita.",
    ),
}


@pytest.mark.parametrize("topic", list(ITALIAN_STORIES))
def test_italian_news_gets_its_topic(topic: str) -> None:
    title, body = ITALIAN_STORIES[topic]
    assert topic in tag_topics(title, body)


def test_italian_born_is_not_nato() -> None:
    # "nato" is "born" in Italian: an obituary read as world news about the alliance.
    title = "Addio al pittore nato a Lucca"
    body = "Il pittore, nato a Lucca nel 1938, aveva esposto a lungo in città. Lascia la moglie e tre nipoti."
    assert "world" not in tag_topics(title, body)


def test_tv_hosts_film_shoots_and_ceasefires_have_their_words() -> None:
    # Stories told in words the vocabularies lacked ("Moderatorin", "apresentadora", "rodaje", "Waffenruhe")
    # got no topic.
    assert "entertainment" in tag_topics(
        "Moderatorin verlässt die Samstagabendshow",
        "Nach zwölf Jahren hört die beliebte Moderatorin auf. Die Zuschauer der Sendung reagierten traurig.",
    )
    assert "entertainment" in tag_topics(
        "Apresentadora deixa o programa da manhã",
        "A apresentadora despediu-se dos fãs em direto depois de dez anos no ar.",
    )
    assert "entertainment" in tag_topics(
        "Empieza el rodaje de la nueva serie",
        "El rodaje durará tres meses en Sevilla; la serie se estrenará en otoño y la taquilla del cine sufre.",
    )
    assert "world" in tag_topics(
        "Waffenruhe in Nahost hält",
        "Die Waffenruhe zwischen beiden Seiten hält seit drei Tagen. Vermittler aus Katar verhandeln weiter.",
    )
