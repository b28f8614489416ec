"""Each everyday word masked for Italian, Swedish and Polish, on its own (hand mutations, review-mut7)."""

import pytest

from summaries.topics import tag_topics

# (language, masked word, the topic it would bring, title, body): each body leans on that one word, so dropping
# it from FALSE_FRIENDS sends the story to subscribers of that topic.
STORIES = [
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
    ("language", "word", "topic", "title", "body"), STORIES, ids=[f"{s[0]}-{s[1]}" for s in STORIES]
)
def test_an_everyday_word_alone_brings_no_topic(
    language: str, word: str, topic: str, title: str, body: str
) -> None:
    assert topic not in tag_topics(title, body)
