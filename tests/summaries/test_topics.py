"""The topic catalogue: lookup by the words people type, and multi-label tagging."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from summaries import tag_topics
from summaries.topics import Topic, TopicCatalogue, default_catalogue

REQUIRED = (
    "automotive",
    "business",
    "technology",
    "science",
    "health",
    "politics",
    "world",
    "sport",
    "entertainment",
    "e-commerce",
)


def test_catalogue_has_required_topics_with_title_emoji_aliases() -> None:
    catalogue = default_catalogue()
    ids = [t.id for t in catalogue.all()]
    assert set(REQUIRED) <= set(ids)
    for topic in catalogue.all():
        assert topic.title and topic.emoji and topic.aliases and topic.keywords
        assert topic.label.endswith(topic.title)


@pytest.mark.parametrize(
    ("word", "topic"),
    [
        ("automotive", "automotive"),
        ("Autos", "automotive"),
        ("cars", "automotive"),
        ("CAR", "automotive"),
        ("Business", "business"),
        ("economy", "business"),
        ("Tech", "technology"),
        ("technologies", "technology"),
        ("sports", "sport"),
        ("Sport", "sport"),
        ("E-commerce", "e-commerce"),
        ("ecommerce", "e-commerce"),
        ("online shopping", "e-commerce"),
        ("World News", "world"),
        ("politics", "politics"),
        ("Science", "science"),
        ("health", "health"),
        ("showbiz", "entertainment"),
        ("#business", "business"),
        ("businesses", "business"),
        ("Well-being", "health"),
    ],
)
def test_resolve_ids_titles_aliases_any_case_and_plurals(word: str, topic: str) -> None:
    found = default_catalogue().resolve(word)
    assert found is not None and found.id == topic


# "its" is no plural of "it" (technology's alias).
@pytest.mark.parametrize("word", ["football", "bitcoin", "cat", "", "   ", "busines", "its"])
def test_resolve_does_not_guess(word: str) -> None:
    assert default_catalogue().resolve(word) is None


@pytest.mark.parametrize(
    ("word", "topic"),
    [
        ("busines", "business"),
        ("polítics", "politics"),
        ("tecnology", "technology"),
        ("entertainmnet", "entertainment"),
        ("healht", "health"),
    ],
)
def test_suggest_near_misses(word: str, topic: str) -> None:
    found = default_catalogue().suggest(word)
    assert found is not None and found.id == topic


# "police" and "spacex" are news words of their own, not typos of "policy" (politics) and "space" (science);
# "wealth" differs from "health" in its first letter, where slips are rare.
@pytest.mark.parametrize(
    "word", ["cat", "bitcoin", "weather", "football", "xyzzy", "bus", "police", "spacex", "wealth"]
)
def test_suggest_does_not_guess_wildly(word: str) -> None:
    assert default_catalogue().suggest(word) is None


def test_carmaker_market_plans_are_automotive_and_business() -> None:
    topics = tag_topics(
        "Carmaker unveils plan to double its market share in Asia",
        "Northwind Motors told investors it expects sales of its electric vehicles to "
        "lift profits as it expands "
        "into new markets. The chief executive said the company would build two "
        "factories, and its shares rose "
        "6 percent on the stock exchange.",
    )
    assert {"automotive", "business"} <= set(topics)


@pytest.mark.parametrize(
    ("title", "body", "topic"),
    [
        (
            "Striker scores twice as United reach cup final",
            "The striker scored in each half and the goalkeeper saved a late penalty as the "
            "club reached the final "
            "of the tournament in front of 60,000 fans at the stadium.",
            "sport",
        ),
        (
            "Parliament votes on new immigration bill",
            "MPs backed the legislation by 320 votes to 250 after the prime minister "
            "promised changes; opposition "
            "parties said the government had rushed the vote before the election.",
            "politics",
        ),
        (
            "New smartphone chip doubles battery life",
            "The chipmaker said its processor uses less power, letting smartphones and "
            "laptops run longer; software "
            "developers get new tools for artificial intelligence apps.",
            "technology",
        ),
        (
            "Actress wins award for debut film",
            "The actress won the best actress prize at the film festival for her role in the "
            "drama, and the director "
            "thanked the cast at the ceremony before the premiere in Hollywood.",
            "entertainment",
        ),
        (
            "Vaccine cuts hospital admissions",
            "Doctors said patients who received the vaccine were less likely to need "
            "hospital treatment, and the "
            "health service will offer it to people with chronic disease this winter.",
            "health",
        ),
        (
            "Telescope spots water on distant planet",
            "Astronomers using the space telescope found water vapour in the atmosphere of a "
            "planet orbiting a "
            "nearby star, a discovery scientists said could guide the search for life.",
            "science",
        ),
        (
            "Online retailer expands same-day delivery",
            "The e-commerce company will offer same-day delivery to online shoppers in ten "
            "more cities and open "
            "three new warehouses before Black Friday as parcel volumes grow.",
            "e-commerce",
        ),
        (
            "Ceasefire talks resume as troops pull back",
            "Diplomats from both countries met in Geneva under United Nations auspices as "
            "soldiers withdrew from the "
            "border and refugees began returning after the war.",
            "world",
        ),
    ],
)
def test_each_topic_recognised(title: str, body: str, topic: str) -> None:
    assert tag_topics(title, body)[0] == topic


def test_nothing_topical_gets_no_topic() -> None:
    assert tag_topics("Hello", "This is a short note to say that lunch is at noon today.") == []
    assert tag_topics("", "") == []


def test_tag_with_declared_topics_and_categories() -> None:
    catalogue = default_catalogue()
    got = catalogue.tag(
        "Notes", "Nothing much here.", declared=["Tech", "Sci/Tech", "Local", "Business News"]
    )
    assert got == ["technology", "business"]


def test_word_boundaries_respected() -> None:
    # "scar" is not "car", "articles" is not "art", "authorities" is not "author".
    assert tag_topics("Scar tissue", "Authorities published articles about the scar.") == []


def test_operator_file_extends_and_adds_topics(tmp_path: Path) -> None:
    path = tmp_path / "topics.json"
    path.write_text(
        json.dumps(
            {
                "topics": [
                    {
                        "id": "climate",
                        "title": "Climate",
                        "emoji": "🌱",
                        "aliases": ["environment news"],
                        "keywords": {"climate": 3, "emissions": 3, "heatwave*": 3, "carbon": 2},
                    },
                    {"id": "sport", "aliases": ["footy"], "keywords": ["hurling", "camogie"]},
                ]
            }
        ),
        encoding="utf-8",
    )
    catalogue = TopicCatalogue.load(path)
    climate = catalogue.get("climate")
    assert climate is not None and climate.emoji == "🌱"
    assert catalogue.resolve("Environment News") == climate
    sport = catalogue.resolve("footy")
    assert sport is not None and sport.id == "sport" and sport.title == "Sport"
    assert "climate" in catalogue.tag(
        "Heatwaves and emissions", "Climate scientists warn carbon emissions rise."
    )
    assert (
        catalogue.tag("Hurling final", "Hurling and camogie clubs met for the hurling final.")[0] == "sport"
    )
    assert default_catalogue().get("climate") is None  # the default catalogue is untouched


def test_an_operator_file_renames_a_built_in_topic_and_reweighs_its_words(tmp_path: Path) -> None:
    # A gadget fans' bot: every "Apple" headline is technology there, where the built-in catalogue needs another
    # technology word beside it (an apple harvest is no technology news); the button reads the operator's title.
    path = tmp_path / "topics.json"
    topics = [{"id": "technology", "title": "Gadgets", "keywords": {"apple": 3}}, {"id": "Space News"}]
    path.write_text(json.dumps({"topics": topics}), encoding="utf-8")
    catalogue = TopicCatalogue.load(path)
    technology = catalogue.get("technology")
    assert technology is not None and technology.label == "💻 Gadgets"
    rumour = (
        "Apple is said to be planning a thinner model for next year, people familiar with the plans said."
    )
    assert "technology" not in default_catalogue().tag("Apple plans a thinner model", rumour)
    assert "technology" in catalogue.tag("Apple plans a thinner model", rumour)
    # An id written with a space becomes one word, as commands and buttons need.
    space = catalogue.resolve("space news")
    assert space is not None and space.id == "space-news"


def test_operator_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(
        '[[topics]]\nid = "gaming"\ntitle = "Gaming"\nemoji = "🎮"\naliases = ["games"]\n'
        'keywords = { "esports" = 3, "console*" = 2 }\n',
        encoding="utf-8",
    )
    catalogue = TopicCatalogue.load(path)
    assert catalogue.resolve("games") == catalogue.get("gaming")


def test_an_operator_toml_file_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    # Notepad's UTF-8 starts with a byte order mark: start-up stopped with "Invalid statement (at line 1, column 1)".
    path = tmp_path / "topics.toml"
    path.write_bytes('[[topics]]\nid = "climate"\nemoji = "🌱"\n'.encode("utf-8-sig"))
    catalogue = TopicCatalogue.load(path)
    climate = catalogue.get("climate")
    assert climate is not None and climate.emoji == "🌱" and catalogue.resolve("climate") == climate


@pytest.mark.parametrize("content", ["not json", '{"topics": "x"}', '{"topics": [{"title": "no id"}]}'])
def test_bad_operator_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "topics.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=r"topic"):
        TopicCatalogue.load(path)


# Each of these loaded without a word: a misspelt field dropped the operator's keywords, "#" made a topic with
# an empty id, a list became the title "['x']", "green" a button reading "green Climate", NaN a topic that tagged
# nothing, and an alias another topic already had did nothing ("/subscribe cars" still followed Automotive).
@pytest.mark.parametrize(
    ("topic", "message"),
    [
        (
            {"id": "climate", "keyword": {"heatwave": 3}},
            "unknown field 'keyword' (a topic has id, title, emoji",
        ),
        ({"id": "sport", "disabled": True}, "unknown field 'disabled'"),
        ({"id": "#"}, "the id needs letters or digits"),
        ({"id": "climate", "title": ["Climate"]}, '"title" must be text'),
        ({"id": "climate", "emoji": 5}, '"emoji" must be text'),
        ({"id": "climate", "emoji": "green"}, "'green' is not an emoji"),
        ({"id": "climate", "emoji": "🌱 green"}, "'🌱 green' is not an emoji"),
        ({"id": "climate", "keywords": "heatwave"}, '"keywords" must be a list or a table'),
        ({"id": "climate", "aliases": [["green"]]}, '"aliases" must be a list of words'),
        ({"id": "climate", "keywords": {"heatwave": float("nan")}}, "every keyword needs a number"),
        ({"id": "climate", "aliases": ["cars"]}, "'cars' already names the topic 'automotive'"),
        ({"id": "climate", "title": "Money"}, "'Money' already names the topic 'business'"),
        # A built-in's emoji: "/subscribe 🚗" still followed Automotive, and two topics showed 🚗.
        (
            {"id": "motorsport", "emoji": "🚗"},
            "'🚗' already names the topic 'automotive'; leave it out or choose another emoji.",
        ),
        ({"id": "climate", "emoji": "🏛"}, "'🏛' already names the topic 'politics'"),
        # A topic "all" could be followed, but "/unsubscribe all" then dropped every subscription of the chat.
        ({"id": "All"}, "'All' means every topic to /subscribe and /unsubscribe"),
        ({"id": "news", "title": "Everything"}, "'Everything' means every topic"),
        ({"id": "sport", "aliases": ["*"]}, "'*' means every topic"),
    ],
)
def test_an_operator_file_mistake_is_named_at_start_up(
    tmp_path: Path, topic: dict[str, object], message: str
) -> None:
    path = tmp_path / "topics.json"
    path.write_text(json.dumps({"topics": [topic]}), encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        TopicCatalogue.load(path)
    assert str(path) in str(error.value)


# Automotive comes first in the catalogue, so it kept a name it was given over business, which also has it: the
# file loaded, "/subscribe 💼" and "/subscribe money" followed Automotive, and two topics showed 💼.
@pytest.mark.parametrize(
    "topic", [{"id": "automotive", "emoji": "💼"}, {"id": "automotive", "aliases": ["money"]}]
)
def test_a_built_in_topic_given_another_topics_name_is_refused(
    tmp_path: Path, topic: dict[str, object]
) -> None:
    path = tmp_path / "topics.json"
    path.write_text(json.dumps({"topics": [topic]}), encoding="utf-8")
    with pytest.raises(ValueError, match="already names the topic 'business'"):
        TopicCatalogue.load(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        # Both answered "could not be read: Expecting value: line 1 column 1 (char 0)".
        ("topics.json", "\n", 'is empty; it needs a "topics" list'),
        (
            "topics.yaml",
            "topics:\n  - id: climate\n",
            "could not be read as JSON (or name it .toml): Expecting",
        ),
        ("topics.toml", "[[topics]\n", "could not be read as TOML:"),
    ],
)
def test_an_empty_or_unparsable_operator_file_says_what_it_should_be(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"The topic file {path} {message}")):
        TopicCatalogue.load(path)


def test_an_operator_topic_may_take_a_built_in_alias_as_its_id_and_flag_emojis(tmp_path: Path) -> None:
    # "climate" is an alias of science; a "climate" topic of its own takes the word over, which is no clash.
    path = tmp_path / "topics.json"
    topics = [
        {"id": "climate", "title": "Climate", "emoji": "🌱", "aliases": ["klima"]},
        {"id": "germany", "emoji": "🇩🇪"},
        {"id": "top-ten", "emoji": "1️⃣"},
    ]
    path.write_text(json.dumps({"topics": topics}), encoding="utf-8")
    catalogue = TopicCatalogue.load(path)
    assert catalogue.resolve("climate") == catalogue.get("climate")
    assert catalogue.resolve("Klima") == catalogue.get("climate")


def test_an_operator_topic_may_keep_or_move_a_built_in_emoji_it_overrides(tmp_path: Path) -> None:
    # Overriding a built-in by its id is no emoji clash: neither keeping its emoji nor freeing it for another.
    path = tmp_path / "topics.json"
    topics = [
        {"id": "automotive", "emoji": "🏎️"},
        {"id": "motoring-deals", "title": "Car deals", "emoji": "🚗"},
        {"id": "sport", "emoji": "⚽"},
        {"id": "climate"},
        {"id": "gardening"},  # two topics without an emoji share the default, which nobody chose
    ]
    path.write_text(json.dumps({"topics": topics}), encoding="utf-8")
    catalogue = TopicCatalogue.load(path)
    assert catalogue.resolve("🚗") == catalogue.get("motoring-deals")
    assert catalogue.resolve("🏎") == catalogue.get("automotive")
    assert catalogue.resolve("⚽") == catalogue.get("sport")


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Scrum Day 2016: call for talks",
            "The agile conference invites Scrum masters and product owners to talk about sprint "
            "planning, retrospectives and backlog grooming in software teams.",
        ),
        (
            "Pattern matching in Elixir",
            "Our game module adds a player to the lobby: add_player matches on the game struct and "
            "appends the new player to game.players. The goal is to tell, not ask; each player is a map.",
        ),
        (
            "Wild flavours all year round",
            "Dry infusions keep the season's herbs: finish each round of cooking with a pinch of "
            "wild salt, and record which blends you like best.",
        ),
        ("How I play my horror games", "I play horror games with the lights on and the sound down."),
        (
            "New laptop keyboard expected in first half of 2020",
            "The company will ship the new keyboard in the first half of next year, analysts said.",
        ),
    ],
)
def test_everyday_words_alone_are_not_sport(title: str, body: str) -> None:
    # "scrum", "game", "player", "match", "round", "season", "first half" need sport's strong words around them.
    assert "sport" not in tag_topics(title, body)


def test_marathon_talks_a_flower_show_an_arsenal_of_weapons_and_a_persons_ashes_are_not_sport() -> None:
    # "marathon", "Chelsea", "Arsenal" and "Ashes" counted for sport in every sense: all-night pay talks, the
    # flower show, a police find and a funeral alerted the chats following sport.
    talks = "After marathon talks that lasted all night, the union and the rail company reached a pay deal."
    assert tag_topics("Marathon talks end in pay deal", talks) == ["business"]
    gardens = (
        "The Chelsea Flower Show opened its gates on Tuesday, with gardens from designers around the country."
    )
    assert tag_topics("Chelsea Flower Show opens", gardens) == []
    assert tag_topics("Chelsea Flower Show opens", "") == []
    flat = "Police found an arsenal of weapons in a flat, including guns and knives."
    assert tag_topics("Arsenal of weapons found in flat", flat) == []
    sea = "Her ashes were scattered at sea as she had wished, her family said."
    assert tag_topics("Ashes scattered at sea", sea) == []
    fire = "The town has risen from the ashes of the great fire, and its market reopens today."
    assert "sport" not in tag_topics("Ashes of the old town", fire)
    # The race, the clubs and the series stay sport, headline alone too.
    runners = "A record 50,000 runners will start the London Marathon on Sunday, the organisers said."
    assert tag_topics("London Marathon: record field of runners", runners)[0] == "sport"
    assert tag_topics("London Marathon: record field of runners", "")[0] == "sport"
    assert tag_topics("Chelsea beat Arsenal in derby", "") == ["sport"]
    assert tag_topics("England regain the Ashes", "") == ["sport"]
    # A team's or a captain's Ashes are the series: "their Ashes" is no funeral.
    assert tag_topics("England begin their Ashes defence in Perth", "") == ["sport"]
    assert tag_topics("Stokes leads England into his Ashes farewell", "") == ["sport"]


def test_boxing_day_tennis_elbow_and_golf_ball_sized_hail_are_not_sport() -> None:
    # "boxing", "tennis" and "golf" counted for sport in every phrase: the sales and floods of 26 December, a sore
    # elbow and a hailstorm alerted the chats following sport.
    floods = "Floods hit homes on Boxing Day after the river burst its banks."
    assert tag_topics("Boxing Day floods", floods) == []
    assert tag_topics("Boxing Day floods", "") == []
    sales = "Shoppers queued outside stores for the Boxing Day sales, and retailers said takings were up."
    assert "sport" not in tag_topics("Boxing Day sales", sales)
    elbow = "Doctors offer a new treatment for tennis elbow, which affects one adult in a hundred."
    assert tag_topics("Tennis elbow treatment", elbow) == ["health"]
    hail = "Golf ball sized hail fell on the town, smashing car windscreens."
    assert "sport" not in tag_topics("Golf ball sized hail", hail)
    # Boxing, Boxing Day matches and the Boxing Day Test stay sport, headline alone too.
    assert tag_topics(
        "Boxing champion retires", "The heavyweight boxing champion retired after 40 fights."
    ) == ["sport"]
    assert tag_topics("Boxing Day fixtures announced", "") == ["sport"]
    assert "sport" in tag_topics("Boxing Day Test: Australia bat first", "")


def test_a_chirping_or_farmed_cricket_is_not_sport() -> None:
    # "cricket*" counted for sport in every form: the insect chirping in the heat, a cricket farm and crickets
    # on a school menu alerted the chats following sport.
    heat = (
        "A cricket chirps faster and louder when the weather is warm, because the insect's muscles work "
        "faster in the heat."
    )
    assert tag_topics("Cricket chirps louder in hot summers", heat) == []
    assert tag_topics("Cricket chirps louder in hot summers", "") == []
    night = "The family could not find the cricket behind the fridge; it sang all night."
    assert tag_topics("Chirping cricket keeps family awake", night) == []
    farm = "A cricket farm has opened, breeding insects to be milled into cricket flour for protein bars."
    assert "sport" not in tag_topics("Cricket farm opens", farm)
    menu = "Pupils were offered crickets and mealworms as a protein snack in a trial at the canteen."
    assert tag_topics("Crickets on the menu at school canteen", menu) == []
    # The game stays sport, with a body or a headline alone; so do its players.
    test = (
        "England's bowlers took the last four wickets on the final morning to win the first Test by 50 runs."
    )
    assert tag_topics("England win first cricket Test in Mumbai", test) == ["sport"]
    assert tag_topics("England win first cricket Test in Mumbai", "") == ["sport"]
    assert tag_topics("Cricket: Root named England captain", "") == ["sport"]
    assert tag_topics("Cricketer banned for two years", "") == ["sport"]


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "Rovers edge through on penalties",
            "Rovers won 4-2 on penalties after extra-time; their central defender equalised with a "
            "header in injury time and the goalkeeper saved twice in the shoot-out.",
        ),
        (
            "Top seed reaches the final",
            "The top seed won the first-set tie-break and broke serve twice to beat the defending "
            "champion, and will play the third seed in Sunday's final.",
        ),
    ],
)
def test_sport_words_count_with_sport_context(title: str, body: str) -> None:
    assert tag_topics(title, body)[:1] == ["sport"]


def test_world_prefixes_do_not_match_unrelated_words() -> None:
    # "coup*", "border*" and "bomb*" used to catch couple, coupon, Borderlands and a podcast called Bombcast.
    topics = tag_topics(
        "Bombcast 512: a couple of coupons",
        "This week on the Bombcast: Borderlands 3, a couple of new puzzle games and the coupon codes "
        "from the summer sale.",
    )
    assert "world" not in topics
    assert "world" in tag_topics(
        "Border clashes after coup", "Troops were bombed at the border days after the coup."
    )


@pytest.mark.parametrize(
    ("categories", "topics"),
    [
        (["video games", "PS3"], ["technology"]),
        (["gaming"], ["technology"]),
        (["Television & radio", "Comedy"], ["entertainment"]),
        (["books"], ["entertainment"]),
        (["Personal finance"], ["business"]),
    ],
)
def test_feed_categories_name_topics(categories: list[str], topics: list[str]) -> None:
    # Podcast and subreddit labels: a video game podcast is technology (as the BBC files games), not sport.
    assert default_catalogue().tag("How I play my horror games", "", declared=categories) == topics


def test_studio_alone_is_not_entertainment() -> None:
    # A studio flat or Visual Studio is not showbiz; a film studio next to films and actors is.
    assert "entertainment" not in tag_topics(
        "Bright studio with garden, cat OK", "Sunny studio flat with a new studio kitchen, near the station."
    )
    assert "entertainment" in tag_topics(
        "Studio buys film rights", "The Hollywood studio will make the film with two actors from the series."
    )


def test_factory_analyst_and_battery_words_alone_are_not_science() -> None:
    # Battery cells, a car plant and market analysts used to make a carmaker's factory story "Science" too.
    title = "Carmaker picks a river town for its first battery plant"
    body = (
        "The carmaker will build a plant to make battery cells for electric cars. Analysts said the cells "
        "would cut costs, and the plant will employ 2,000 people. Analysts expect shares to rise."
    )
    assert "science" not in tag_topics(title, body)
    lab = (
        "Researchers grew the cells in a laboratory and scientists analysed how the plant tissue responded. "
        "The study was published in a peer-reviewed journal."
    )
    assert "science" in tag_topics("Lab-grown plant cells survive drought", lab)


def test_a_category_with_a_long_run_of_spaces_is_resolved_in_linear_time() -> None:
    # The separator pattern began with "\s*": 10,000 spaces took 4 s, 20,000 took 15 s. The label names no topic
    # as a whole, so it is split (" " * 50_000 + "Business" resolves whole and never reached the pattern).
    catalogue = default_catalogue()
    started = time.process_time()
    assert catalogue.resolve_declared([" " * 20_000 + "Business, Harbour"]) == ["business"]
    assert time.process_time() - started < 1
    labels = ["Sci / Tech", "Arts & Culture", " World  News ", "Business and Finance", '"Sport"']
    assert catalogue.resolve_declared(labels) == ["technology", "entertainment", "world", "business", "sport"]


def test_a_category_that_names_two_topics_tags_both() -> None:
    # "Business & Technology" alone gave business only (the first part that named a topic ended the label),
    # while after a "Business" category it gave both: technology readers missed the item depending on order.
    catalogue = default_catalogue()
    quiet = ("Notes", "Nothing much here.")
    assert catalogue.tag(*quiet, declared=["Business & Technology"]) == ["business", "technology"]
    assert catalogue.tag(*quiet, declared=["Business", "Business & Technology"]) == ["business", "technology"]
    assert catalogue.tag(*quiet, declared=["Health, Science"]) == ["health", "science"]
    # A label that is a topic's name as a whole still says that one topic.
    assert catalogue.tag(*quiet, declared=["Science and Technology"]) == ["technology"]


@pytest.mark.parametrize(
    ("typed", "topic"), [("economies", "business"), ("Health News", "health"), ("science news", "science")]
)
def test_a_plural_or_a_trailing_news_still_finds_the_topic(typed: str, topic: str) -> None:
    found = default_catalogue().resolve(typed)
    assert found is not None and found.id == topic


def test_an_operator_alias_never_hides_another_topics_id() -> None:
    # An operator's "markets" topic lists "business" among its aliases: /subscribe business still means business.
    catalogue = TopicCatalogue(
        [Topic("markets", "Markets", "📈", aliases=("business",)), Topic("business", "Business", "💼")]
    )
    found = catalogue.resolve("business")
    assert found is not None and found.id == "business"


@pytest.mark.parametrize(
    ("title", "body", "topics"),
    [
        # A possessive is the name itself.
        ("Toyota's plan", "Toyota’s new plant opens.", ["automotive"]),
        # Two-word phrases count ("interest rate"), and a starred phrase in the plural ("electric vehicles").
        (
            "Rates",
            "The central bank raised the interest rate again. Savers welcomed the interest rate rise.",
            ["business"],
        ),
        ("Update", "Electric vehicles sold well. Electric vehicles are cheaper now.", ["automotive"]),
        # One everyday word said over and over is not a topic, in the body or in the headline.
        ("Weekend", " ".join(["Driving was fun, they said."] * 10), []),
        ("Fuel, fuel, fuel", "Prices.", []),
        # ... nor a word of another topic said over and over in a story about sport, in its body or headline.
        (
            "Deal, deal, deal: striker joins champions",
            "The striker signed for the champions on Monday. The footballer scored 20 goals in the league last "
            "season.",
            ["sport"],
        ),
        (
            "Striker joins champions",
            "The striker signed for the champions on Monday. The footballer scored 20 goals in the league last "
            "season. " + " ".join(["The deal is done, his agent said."] * 8),
            ["sport"],
        ),
        # Ambiguous words ("team", "players", "game") need a strong word of the topic, not just "sporting".
        (
            "A sporting chance",
            "The team and its players met the fans at the club. The coach said the game was close.",
            [],
        ),
    ],
)
def test_what_counts_as_evidence_for_a_topic(title: str, body: str, topics: list[str]) -> None:
    assert default_catalogue().tag(title, body, language="en") == topics


def test_french_elided_articles_are_read_through() -> None:
    # "l'élection" is "élection": a French story about an election is politics.
    body = (
        "Les résultats de l'élection sont attendus ce soir. Le gouvernement prépare déjà l'élection suivante."
    )
    assert default_catalogue().tag("Une soirée serrée", body, language="fr") == ["politics"]


def test_a_declared_topic_the_text_confirms_is_listed_once() -> None:
    # The feed says "Business" and the text is about business: one topic, not "business, business".
    body = "The central bank raised the interest rate again. Shares fell on the stock market."
    assert default_catalogue().tag("Rates rise", body, declared=["Business"]) == ["business"]


def test_a_car_in_a_police_story_is_not_automotive() -> None:
    # Crime and crash news is full of cars, drivers, roads and traffic; none of it is news about cars.
    police = (
        "Officers stopped a car on the main road after a short chase in heavy traffic and found drugs in "
        "the vehicle. The driver was arrested, a second vehicle was towed to a garage, and a witness "
        "recalled the car speeding past the parking lot on the highway."
    )
    assert "automotive" not in tag_topics("Two arrested after traffic stop", police)
    recall = (
        "The carmaker recalled the vehicles after drivers reported the brakes failing on wet roads; "
        "owners can take their cars to any dealer for a free repair."
    )
    assert "automotive" in tag_topics("Carmaker recalls 40,000 cars over brakes", recall)


def test_electronics_microblogs_and_rocketing_shares_are_not_science() -> None:
    # "electron*", "microb*" and "rocket*" used to read electronics, a microblog and rocketing shares as science.
    body = (
        "Shares in the consumer electronics chain rocketed after it said on its microblog that sales of "
        "electronic gadgets and electronics accessories had doubled before the holidays."
    )
    assert "science" not in tag_topics("Electronics retailer's shares rocketed", body)
    assert "science" in tag_topics("Physicists test general relativity with a neutrino beam", "")
    assert "science" in tag_topics(
        "Gut microbes", "Microbes in the gut shape the immune system, microbiologists say."
    )


def test_the_amazon_rainforest_is_not_e_commerce() -> None:
    # "amazon" is the shop; deforestation in the Amazon rainforest used to alert e-commerce subscribers.
    body = (
        "Deforestation in the Amazon rainforest rose again this year, and fires spread along the Amazon "
        "river, satellite images show. Loggers cleared land across the Amazon basin."
    )
    assert "e-commerce" not in tag_topics("Amazon rainforest loses more trees", body)
    shop = "Amazon said online shoppers ordered more parcels than ever on Black Friday."
    assert "e-commerce" in tag_topics("Amazon has its busiest day", shop)


def test_house_windows_and_a_photo_caught_on_camera_are_not_technology() -> None:
    # "windows" and "camera" used to make an old house for sale and a theft caught on camera "Technology".
    house = (
        "The 1930s house has its original stained-glass windows, bay windows in every bedroom and leaded "
        "windows over the stairs. The windows were never replaced, and the new owners can keep them."
    )
    assert "technology" not in tag_topics("Untouched 1930s house goes up for sale", house)
    theft = "A man was caught on camera taking a bike; the camera above the door filmed him twice."
    assert "technology" not in tag_topics("Bike thief caught on camera", theft)
    update = "Microsoft will stop updating Windows 10 on older computers and laptops next year."
    assert "technology" in tag_topics("Windows update ends for older PCs", update)
    assert "technology" in tag_topics("A week with a Windows Phone", "He used the Windows Phone every day.")


def test_atom_feeds_discoveries_and_court_evidence_are_not_science() -> None:
    # "atom*" read the Atom feed format as physics; "discover*" and "evidence" read a court story as science.
    feeds = "The library parses RSS and Atom feeds quickly; Atom entries and atom links are read in one pass."
    assert "science" not in tag_topics("A faster Atom feed parser", feeds)
    court = (
        "The body was discovered on the beach, the court heard. Police discovered a phone in his car, and "
        "the evidence showed he had been drinking. Further evidence was discovered later."
    )
    assert "science" not in tag_topics("Inquest hears how graduate died", court)
    physics = "Physicists split the atom again in a new experiment and discovered a short-lived particle."
    assert "science" in tag_topics("Atom smasher finds a new particle", physics)


def test_a_headline_naming_the_atom_feed_format_does_not_make_the_story_science() -> None:
    # "Atom" is a strong science word only beside other strong science evidence; a headline saying it made a
    # browser story with a study in it science as well, however far behind technology its score was.
    body = (
        "The browser's next version reads Atom and RSS feeds again, its developers said. A study by a university "
        "found that readers who follow websites by feed visit more of them; the data came from tests with 2,000 "
        "users of the app. Web publishers welcomed the software update, and the study's authors said online "
        "readers want fewer apps."
    )
    assert default_catalogue().tag("Atom feeds come back to the browser", body, language="en") == [
        "technology"
    ]


def test_an_ordinary_word_of_a_topic_in_the_headline_does_not_keep_that_topic() -> None:
    # Only a strong word ("Carmaker") in the headline keeps a topic far behind the best; "Company" above a
    # gadget review with one mention of revenue does not make it business news.
    body = (
        "The smartphone folds in half and runs the latest Android software. Its app store, browser and camera "
        "apps were rewritten for the folding screen, and the phone connects to 5G and wi-fi networks. Online "
        "reviewers praised the laptop-like display; the software update comes later this year, with revenue "
        "from it expected in spring."
    )
    assert default_catalogue().tag("Company shows a folding smartphone", body, language="en") == [
        "technology"
    ]


def test_a_programming_gig_is_not_entertainment() -> None:
    # "gig" is also a job and a gigabyte: a developer's first gig is no concert.
    body = "My first programming gig paid little, and the 500 gig disk in that server was always full."
    assert "entertainment" not in tag_topics("How I got my first gig", body)
    assert "entertainment" in tag_topics(
        "Band plays a surprise gig", "The band played songs from its new album."
    )


def test_a_conflict_of_interest_is_not_world_news() -> None:
    # "conflict*" is about wars; an official resigning over conflicts of interest is not world news.
    body = (
        "The agency director resigned over conflicts of interest in her share dealings. A conflict of "
        "interest made it hard to do the job, the health department said."
    )
    assert "world" not in tag_topics("Agency director resigns over conflicts of interest", body)
    assert "world" in tag_topics("Border conflict", "Troops clashed in the border conflict overnight.")


def test_star_wars_a_price_war_and_a_war_of_words_are_not_world_news() -> None:
    # "war" and "wars" count for world on their own: a film actor's museum, two supermarkets cutting prices and
    # a row over school meals alerted the chats following world news.
    museum = (
        "The actor, who played a pilot in the Star Wars films, opened a small museum of film props in his home "
        "town on Saturday."
    )
    assert tag_topics("Star Wars actor opens museum", museum) == ["entertainment"]
    assert "world" not in tag_topics("Star Wars actor opens museum", "")
    milk = "Two supermarket chains cut the price of milk again as the price war between them deepened."
    assert "world" not in tag_topics("Supermarkets in price war over milk", milk)
    meals = "The row between the council and parents over school meals turned into a war of words on Monday."
    assert "world" not in tag_topics("War of words over school meals", meals)
    bids = (
        "Two buyers are locked in a bidding war for the football club, and the party has a bigger war chest."
    )
    assert "world" not in tag_topics("Bidding war for club", bids)
    # A war stays world news, also beside a war of words.
    front = (
        "Russian troops shelled Ukrainian positions overnight as the war entered its fourth year, and leaders "
        "traded a war of words at the United Nations."
    )
    assert tag_topics("War in Ukraine enters fourth year", front)[0] == "world"


def test_a_nyse_listing_and_a_pitchers_innings_are_recognised() -> None:
    # NYSE stood beside Nasdaq unlisted, and a baseball column that never says "baseball" had no topic.
    assert "business" in tag_topics(
        "Chat app's listing", "The chat app (NYSE: CHAT) sold 2,000 shares after its IPO."
    )
    column = (
        "His home run rate will fall, and the pitcher who got the last out will regress. In the ninth "
        "inning this season he faced fewer hitters."
    )
    assert tag_topics("Who regresses in May", column) == ["sport"]


def test_a_tax_band_a_harvest_festival_a_novel_virus_and_an_artists_impression_are_not_entertainment() -> (
    None
):
    # "band", "festival", "novel" and "artist" counted for entertainment in every sense: council tax, a church
    # harvest festival, a new virus and a planned hospital's drawing alerted the chats following entertainment.
    tax = "Homes will move to a new council tax band next year after the revaluation, the council said."
    assert "entertainment" not in tag_topics("Council tax band changes", tax)
    assert "entertainment" not in tag_topics("Council tax band changes", "")
    surgery = "More patients are having gastric band surgery, the NHS said."
    assert tag_topics("Gastric band surgery numbers rise", surgery) == ["health"]
    church = "The village church held its harvest festival on Sunday, with hymns and a lunch."
    assert tag_topics("Harvest festival at village church", church) == []
    virus = "A novel coronavirus has spread to five countries, health officials said."
    assert "entertainment" not in tag_topics("Novel coronavirus spreads", virus)
    plans = "An artist's impression shows the new hospital, which will open in 2030."
    assert "entertainment" not in tag_topics("Artist's impression of new hospital", plans)
    # Bands, festivals, novels and artists stay entertainment.
    assert tag_topics("Band announces farewell tour", "") == ["entertainment"]
    booker = "The novel has topped the bestseller list since it won the Booker Prize."
    assert tag_topics("Booker winner's novel tops chart", booker) == ["entertainment"]
    gallery = "The artist's first exhibition in ten years opened at the gallery."
    assert tag_topics("Artist's new exhibition opens", gallery) == ["entertainment"]


def test_an_agency_or_company_director_is_not_entertainment() -> None:
    # "director" alone put an FBI director's statement, a health agency director resigning and a company
    # director's share sale at the top of the entertainment digest; beside a film or actors it still counts.
    agency = (
        "The bureau's director said in a statement that the memo left out facts. The agency director, "
        "appointed last year, raised grave concerns before its release."
    )
    assert "entertainment" not in tag_topics("Bureau director raises grave concerns about memo", agency)
    shares = "A director of the chat app (NYSE: CHAT) sold 20,000 shares of the firm's stock on Friday."
    assert "entertainment" not in tag_topics("Chat app director sells $4m in stock", shares)
    film = "The director cast two actors for the film, which she directed in a month, and it opens in May."
    assert "entertainment" in tag_topics("Director finishes new film", film)


def test_a_feed_filing_items_under_a_field_tags_that_fields_topic() -> None:
    # A science journal's feed files items under "Genetics", "Neuroscience", "Geochemistry, Geophysics": half
    # of its items had no topic, so a chat following science missed them.
    from summaries.sources.feeds import item_to_article, parse_feed

    items = [
        ("A fast-growing moss keeps its secrets", "Genetics"),
        ("How a fly keeps its bearings", "Neuroscience"),
        ("Slow slips under the seabed", "Geochemistry, Geophysics"),
        ("A clean-up crew in the gut", "Immunology"),
        ("Folding a protein in the cell", "Molecular Biology"),
        ("Late transfer saves a title race", "European club football"),
        ("Talks stall in the region", "Middle East and North Africa"),
    ]
    feed = parse_feed(
        (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Weekly notes</title>'
            "<link>https://notes.example/</link>"
            + "".join(
                f"<item><title>{title}</title><link>https://notes.example/{n}</link>"
                f"<category>{category}</category></item>"
                for n, (title, category) in enumerate(items)
            )
            + "</channel></rss>"
        ).encode()
    )
    topics = [item_to_article(item, feed).topics for item in feed.items]
    assert topics == [("science",)] * 5 + [("sport",), ("world",)]
    # Only as a feed's label: "/subscribe genetics" follows that word, not all of science.
    catalogue = default_catalogue()
    for word in ("genetics", "Neuroscience", "football", "middle east"):
        assert catalogue.resolve(word) is None
    assert catalogue.suggest("genetic") is None
    # A catalogue built without science (a script's own subset) reads "Genetics" as no topic, not a crash.
    without_science = TopicCatalogue([t for t in catalogue.all() if t.id != "science"])
    assert without_science.resolve_declared(["Genetics", "Football"]) == ["sport"]


def test_a_veto_a_blood_moon_and_market_research_alone_make_no_topic() -> None:
    # A club's veto of a transfer was politics, a blood moon health, and a market research firm's survey of
    # chat apps science (and "research shows" entertainment): each from one everyday use of a word.
    transfer = "Der Klub wollte den Stürmer holen, doch der Trainer war dagegen."
    assert "politics" not in tag_topics("Wechsel geplatzt – Veto vom Trainer", transfer)
    moon = (
        "Skywatchers saw the moon turn blood red in a total eclipse. The blood moon rose before dawn, "
        "and the next blood moon comes in three years, Nasa says."
    )
    assert "health" not in tag_topics("Blood moon over the bay - in pictures", moon)
    survey = (
        "A survey by a market research firm shows the office chat software is losing users to its rival, "
        "especially in large companies."
    )
    # "shows" there is no TV show either.
    assert tag_topics("Latest research shows chat app losing ground", survey) == ["technology", "business"]
    # Beside their topics' own words they still count.
    assert "politics" in tag_topics("Governor vetoes budget bill", "Lawmakers may override the veto.")
    assert "health" in tag_topics("Blood tests for patients", "Doctors check blood pressure in clinics.")
    lab = "Researchers at the laboratory found the species in an experiment, scientists said."
    assert "science" in tag_topics("New research on deep-sea species", lab)
    assert "entertainment" in tag_topics(
        "The show goes on", "The cast said the show opens on Broadway in May."
    )


def test_a_headline_that_mars_something_and_a_warehouse_fire_are_not_science_or_shopping() -> None:
    # "mars" is the headline verb as often as the planet, and a warehouse burns or is raided in local news: a
    # riot that "mars" an election day was science news, and a warehouse fire e-commerce.
    riot = "Clashes between rival supporters left three people hurt as voters went to the polls."
    assert "science" not in tag_topics("Violence mars election day in the capital", riot)
    rain = "Heavy rain forced organisers to cut the parade short, and stalls closed early."
    assert tag_topics("Rain mars village carnival", rain) == []
    fire = "Firefighters were called to a warehouse fire near the ring road overnight. Nobody was hurt."
    assert tag_topics("Fire at warehouse on industrial estate", fire) == []
    # The planet and an online shop's warehouse keep their topics, with their own words or without.
    assert tag_topics("Mission to Mars delayed", "The launch of the probe slips by two years.") == ["science"]
    rover = "The rover drilled into rock that once lay under water, the space agency said."
    assert tag_topics("Mars rover finds signs of an ancient lake", rover) == ["science"]
    dust = "A dust storm now covers all of Mars, astronomers say."
    assert tag_topics("Dust storm engulfs Mars", dust) == ["science"]
    jobs = "The online retailer said its new warehouse would open next year near the motorway."
    assert "e-commerce" in tag_topics("New warehouse to create 500 jobs", jobs)
    parcels = "Amazon said the warehouse will ship parcels to shoppers across the region."
    assert "e-commerce" in tag_topics("Amazon opens a new warehouse", parcels)


def test_a_party_holding_a_seat_or_a_minister_dodging_questions_is_not_automotive() -> None:
    # Seat, Dodge and Fiat are carmakers and everyday words: every "Labour holds seat" of an election night and
    # a minister who "dodges" questions alerted the chats following automotive.
    held = "Labour held the seat in the by-election on Thursday with a majority of 4,000 votes."
    assert tag_topics("Labour holds seat", held) == ["politics"]
    council = "A council seat is vacant after the councillor resigned; the election is in May."
    assert "automotive" not in tag_topics("Council seat up for grabs", council)
    dodge = "The minister was accused of trying to dodge questions about the contract."
    assert "automotive" not in tag_topics("Minister accused of trying to dodge questions", dodge)
    assert "automotive" not in tag_topics(
        "Fiat currency debate heats up", "Economists argue over fiat money."
    )
    # The carmakers keep their topic, beside other car words or with a model's name.
    leon = "The Spanish carmaker Seat showed its new hatchback in Barcelona."
    assert tag_topics("Seat unveils a new Leon", leon) == ["automotive"]
    ibiza = "The Seat Ibiza supermini will get a hybrid engine next year."
    assert tag_topics("Seat Ibiza gets a hybrid engine", ibiza) == ["automotive"]
    charger = "The Dodge Charger muscle car ends production, Stellantis said."
    assert tag_topics("Dodge ends Charger production", charger) == ["automotive"]


def test_a_flu_virus_is_health_news_only_and_a_computer_virus_still_technology() -> None:
    # "virus" counted for technology on its own: every bird flu or new variant story alerted the chats
    # following technology too.
    cows = "The virus was found in milk from cows on three farms. Officials said the risk to people was low."
    assert tag_topics("Bird flu virus found in dairy cows", cows) == ["health"]
    assert "technology" not in tag_topics(
        "Cold virus spreads in schools", "A cold virus spread through schools."
    )
    phones = "The virus steals passwords from Android phones, security researchers said."
    assert tag_topics("New virus targets Android phones", phones)[0] == "technology"
    mail = "The virus arrives as an email attachment and deletes files."
    assert tag_topics("Virus spreads through email attachments", mail)[0] == "technology"


def test_an_apple_harvest_and_a_chip_shop_are_not_technology() -> None:
    # "Apple" and "chip" counted for technology on their own: an orchard's harvest and a fish-and-chip shop's
    # birthday alerted the chats following technology.
    orchard = (
        "Growers say the warm spring means picking has started two weeks early. Pickers filled crates of "
        "Bramley and Gala apples on Monday, and the farm expects its best crop in years."
    )
    assert tag_topics("Apple picking season opens early in Kent orchards", orchard) == []
    assert tag_topics("Apple picking season opens early in Kent orchards", "") == []
    chippy = (
        "A family-run chip shop on the seafront marked its centenary on Saturday. Regulars queued for fish "
        "and chips while the owners cut a cake."
    )
    assert "technology" not in tag_topics("Chip shop celebrates 100 years", chippy)
    # The company and the semiconductor keep their topic beside their own words, or named as a product.
    iphone = "Apple showed its latest iPhone at an event in California, with a faster processor."
    assert tag_topics("Apple unveils new iPhone", iphone) == ["technology"]
    results = "Apple sold more iPads and MacBooks than analysts expected, the company said."
    assert "technology" in tag_topics("Apple results beat forecasts", results)
    assert tag_topics("Apple Watch gets a blood oxygen feature back", "") == ["technology"]
    chips = "Demand for its chips from data centres doubled, the semiconductor firm said."
    assert "technology" in tag_topics("Chip sales soar", chips)


def test_a_weather_forecast_is_not_business() -> None:
    # "forecast*" counted for business on its own: every snow warning and weekend outlook alerted the chats
    # following business.
    snow = "Up to 10cm of snow is forecast on high ground, the Met Office said, with warnings for ice."
    assert tag_topics("Snow forecast for Scotland", snow) == []
    assert tag_topics("Snow forecast for Scotland", "") == []
    outlook = "The forecast for the weekend is sunny spells and showers, with highs of 18C."
    assert tag_topics("Weather forecast: sunny spells and showers", outlook) == []
    # A business forecast stays business, beside its own words or named as one.
    bank = "The Bank of England cut its growth forecast for next year as inflation stays high."
    assert tag_topics("Bank of England cuts forecast", bank) == ["business"]
    shops = "The retailer cut its profit forecast after weak Christmas trading."
    assert tag_topics("Retailer cuts forecast", shops)[0] == "business"
    assert tag_topics("Growth forecast cut", "") == ["business"]
    assert tag_topics("Sales forecast to fall", "")[0] == "business"


def test_james_bond_and_bond_street_are_not_business() -> None:
    # "bond*" counted for business in every sense: a Bond actor's death, a Bond film's delay and shops on Bond
    # Street reopening alerted the chats following business.
    actor = "The actor who played a Bond villain in two films has died aged 80, his family said."
    assert tag_topics("Bond villain actor dies", actor) == ["entertainment"]
    assert tag_topics("Bond villain actor dies", "") == ["entertainment"]
    delay = "The new James Bond film has been delayed until next year, the studio said."
    assert tag_topics("James Bond film delayed", delay) == ["entertainment"]
    shops = "Shops on Bond Street reopened on Monday after the protest."
    assert "business" not in tag_topics("Bond Street shops reopen", shops)
    # Bonds stay business.
    yields = "Yields on government bonds rose as investors sold, pushing up the cost of borrowing."
    assert tag_topics("Bond yields rise", yields)[0] == "business"
    assert tag_topics("Company sells bonds to fund expansion", "") == ["business"]


def test_paracetamol_and_dishwasher_tablets_are_not_technology() -> None:
    # "tablet" counted for technology on its own: a shortage of painkillers at the chemist's alerted the chats
    # following technology.
    shelves = (
        "Customers in several towns found empty shelves as pharmacies ran short of paracetamol tablets. "
        "Pharmacists said supplies should return next week."
    )
    assert tag_topics("Pharmacies run short of paracetamol tablets", shelves) == ["health"]
    assert tag_topics("Pharmacies run short of paracetamol tablets", "") == ["health"]
    recall = "The supermarket recalled its own-brand dishwasher tablets after complaints of burns."
    assert "technology" not in tag_topics("Dishwasher tablets recalled", recall)
    # A tablet computer stays technology, beside its own words or named as one.
    launch = "Samsung launched a new tablet with a bigger screen and a faster processor on Tuesday."
    assert tag_topics("Samsung launches new tablet", launch) == ["technology"]
    lessons = "Every pupil will get a tablet to use in lessons and at home, with apps for maths and reading."
    assert tag_topics("Schools give every pupil a tablet", lessons) == ["technology"]
    assert tag_topics("New tablet computer launched", "") == ["technology"]


def test_a_spiders_web_and_a_web_of_lies_are_not_technology() -> None:
    # "web" counted for technology on its own: a gardener's find and a fraud trial alerted the chats following
    # technology.
    garden = (
        "A gardener found a spider web more than two metres wide between two apple trees. The spider had spun "
        "the web overnight."
    )
    assert tag_topics("Spider spins record web in garden", garden) == []
    assert tag_topics("Spider spins record web in garden", "") == []
    trial = (
        "The court heard how the accountant spun a web of lies to hide the missing money from his employer."
    )
    assert "technology" not in tag_topics("Web of lies unravels in fraud trial", trial)
    # The web stays technology beside its own words, or named by its own phrases.
    browser = "The new version of the browser loads web pages twice as fast, the company said."
    assert tag_topics("Web browser gets faster", browser)[0] == "technology"
    inventor = "The inventor of the web said the internet needed new rules to protect people's data."
    assert tag_topics("Web inventor calls for new rules", inventor)[0] == "technology"
    assert tag_topics("Web giant fined over cookie banners", "") == ["technology"]
    assert tag_topics("Drugs sold on the dark web", "") == ["technology"]


def test_a_railway_platform_and_an_oil_platform_are_not_technology() -> None:
    # "platform*" counted for technology on its own: a station platform reopening and an oil platform evacuated
    # in a storm alerted the chats following technology.
    station = (
        "Platform 9 at the station reopened after repairs, and trains will stop there again from Monday."
    )
    assert tag_topics("Platform 9 reopens at station", station) == []
    rig = "Workers were flown off the oil platform in the North Sea as the storm hit."
    assert tag_topics("Oil platform evacuated in storm", rig) == []
    # An online platform stays technology, beside its own words or named as a video or streaming platform.
    fined = "The social media platform was fined for breaching data rules."
    assert tag_topics("Platform fined over data", fined)[0] == "technology"
    banned = "The video platform banned the channel for breaking its rules on hate speech, the company said."
    assert tag_topics("Video platform bans channel", banned)[0] == "technology"


def test_the_bank_of_a_river_is_not_business() -> None:
    # "bank" is a business word, and the land along a river: a collapsed riverside path was business news.
    rain = (
        "Part of the river bank gave way after a night of heavy rain, closing the footpath. Residents said "
        "the bank had been wearing away for months."
    )
    assert tag_topics("Bank of the river collapses after rain", rain) == []
    canal = "Volunteers planted reeds to stop the bank wearing away."
    assert tag_topics("Banks of the canal shored up", canal) == []
    # A bank keeps its topic.
    branches = "The bank said customers were moving to online banking, and 300 staff would be affected."
    assert tag_topics("Bank to close 100 branches", branches)[0] == "business"


def test_a_river_bank_a_food_bank_a_bank_holiday_and_the_west_bank_are_not_business() -> None:
    # A weight-0 phrase kept only its first word from counting: "river bank" still let "bank" count, so a
    # riverside path giving way, a food bank's record month, bank holiday traffic and the West Bank were business.
    rain = (
        "Part of the river bank gave way overnight after heavy rain, and the footpath along the bank has been "
        "closed. Residents said the bank had been wearing away for years."
    )
    assert tag_topics("River bank collapses after heavy rain", rain) == []
    assert tag_topics("River bank collapses after heavy rain", "") == []
    parcels = "A food bank in the town handed out more parcels than ever last month, its volunteers said."
    assert "business" not in tag_topics("Food bank use hits record", parcels)
    queues = "Drivers heading to the coast for the bank holiday weekend face long queues, the AA said."
    assert "business" not in tag_topics("Bank holiday traffic jams expected", queues)
    donors = "The blood bank has appealed for donors as its stocks run low over the summer."
    assert "business" not in tag_topics("Blood bank appeals for donors", donors)
    clash = "Settlers and villagers clashed in the occupied West Bank on Friday, witnesses said."
    assert "business" not in tag_topics("Clashes in the West Bank", clash)
    # A bank's profits, and a bank by a river in a story about banking, stay business.
    profits = (
        "The bank made a record profit as interest rates rose, and will pay shareholders a bigger dividend."
    )
    assert tag_topics("Bank profits soar", profits) == ["business"]
    hq = "The bank will move 2,000 staff to a new headquarters on the river bank, its chief executive said."
    assert tag_topics("Bank moves its headquarters", hq) == ["business"]


def test_a_church_organ_and_a_golfers_stroke_are_not_health() -> None:
    # "organ" and "stroke" counted for health on their own: a restored church organ, a golfer winning by a
    # stroke and a lucky lottery winner alerted the chats following health.
    organ = (
        "The church organ, built in 1880, has been restored by volunteers. The organ was played at a service "
        "on Sunday for the first time in ten years."
    )
    assert tag_topics("Church organ restored", organ) == []
    putt = "The golfer held on to win by a single stroke, and a stroke clear of the field after a tense final round."
    assert tag_topics("Golfer wins by one stroke", putt) == ["sport"]
    two = "She finished two strokes ahead of the field after a closing round of 66."
    assert tag_topics("Golfer wins by two strokes", two) == ["sport"]
    luck = "The winner called it a stroke of luck; a stroke of luck, he said, that changed his life."
    assert tag_topics("Stroke of luck for lottery winner", luck) == []
    # Beside their own words they are health news.
    donors = (
        "Patients waiting for a transplant will benefit, doctors said, as more adults become organ donors."
    )
    assert tag_topics("Organ donation rules change", donors) == ["health"]
    scans = "Hospitals are missing their targets for stroke care, a report says."
    assert tag_topics("Stroke patients wait too long for scans", scans) == ["health"]


def test_a_labour_ward_and_a_conservative_estimate_are_not_politics() -> None:
    # "Labour" and "conservative" counted for politics in every sense: a maternity ward reopening and a cautious
    # crowd count alerted the chats following politics.
    ward = "The labour ward at the hospital reopened after repairs, and midwives welcomed the first babies."
    assert tag_topics("Labour ward reopens", ward) == ["health"]
    assert "politics" not in tag_topics("Labour ward reopens", "")
    crowd = "A conservative estimate put the crowd at 10,000, the festival's organisers said."
    assert tag_topics("Conservative estimate of crowd", crowd) == []
    # The parties stay politics, also beside a conservative estimate.
    assert tag_topics("Labour wins by-election", "") == ["politics"]
    costing = "The Conservatives said a conservative estimate put the cost of Labour's plan at 10bn pounds."
    assert tag_topics("Tories attack Labour plan", costing)[0] == "politics"


def test_a_kitchen_cabinet_is_not_politics() -> None:
    # "cabinet" counted for politics on its own: a furniture maker's boom alerted the chats following politics.
    kitchens = (
        "Demand for new kitchen cabinets has soared, say local makers. One workshop has taken on three "
        "joiners to build cabinet doors and worktops."
    )
    assert "politics" not in tag_topics("Kitchen cabinet makers boom", kitchens)
    # The government's cabinet keeps its topic, with its own words or named as such.
    budget = "Ministers met in Downing Street as the government prepares its budget."
    assert tag_topics("Cabinet meets to discuss budget", budget)[0] == "politics"
    assert tag_topics("Cabinet reshuffle expected", "") == ["politics"]
    assert tag_topics("Cabinet secretary resigns", "") == ["politics"]


def test_a_galaxy_phone_the_big_bang_theory_and_a_ring_road_are_not_science() -> None:
    # "galaxy", "big bang" and "orbit" counted for science on their own: a phone launch, a sitcom star's new
    # role and a road plan alerted the chats following science.
    queue = "Fans of the Galaxy range queued overnight outside shops to buy the handset, on sale today."
    assert "science" not in tag_topics("Galaxy fans queue for new phone", queue)
    assert tag_topics("Samsung Galaxy S25 launched", "Samsung launched the smartphone on Monday.") == [
        "technology"
    ]
    cast = "The actor, best known for the sitcom The Big Bang Theory, will join the cast of a new play in London."
    assert tag_topics("Big Bang Theory star joins cast", cast) == ["entertainment"]
    road = "Planners have revealed the route of a new ring road that will orbit the town centre and ease traffic."
    assert "science" not in tag_topics("Orbit of new ring road revealed", road)
    # The sky keeps its topic.
    distant = "Astronomers using a space telescope saw a galaxy that formed soon after the Big Bang."
    assert tag_topics("Most distant galaxy ever seen", distant) == ["science"]
    warp = "The disc of our galaxy is twisted at its edges, a new map shows."
    assert tag_topics("Milky Way is warped", warp) == ["science"]
    expansion = "Physicists say new measurements of the universe's expansion do not fit the Big Bang theory."
    assert tag_topics("Scientists question the Big Bang theory", expansion) == ["science"]
    station = "Nasa fired the station's engines to raise its orbit."
    assert tag_topics("Space station changes orbit", station) == ["science"]


def test_an_amazon_parrot_and_an_amazon_tribe_are_not_e_commerce() -> None:
    # "Amazon" counted for e-commerce unless the rainforest, river, basin or jungle followed it: a parrot that
    # flew from a zoo and a tribe's land case alerted the chats following e-commerce.
    aviary = (
        "The Amazon parrot, which escaped from its aviary last week, was found in a garden two miles away and "
        "returned to the zoo."
    )
    assert tag_topics("Amazon parrot returned to zoo", aviary) == []
    assert tag_topics("Amazon parrot returned to zoo", "") == []
    loggers = "An Amazon tribe won its case to keep loggers off its ancestral land, the court ruled."
    assert "e-commerce" not in tag_topics("Amazon tribe wins land case", loggers)
    # The shop stays e-commerce.
    sales = "Amazon said its online sales jumped during the holiday season as shoppers ordered more parcels."
    assert tag_topics("Amazon sales jump in holiday season", sales)[0] == "e-commerce"
    assert tag_topics("Amazon sales jump in holiday season", "")[0] == "e-commerce"


def test_doctor_who_nikola_tesla_and_kia_ora_are_not_health_or_automotive() -> None:
    # A TV series, an inventor and a greeting share a word with a doctor and two carmakers: a Doctor Who casting
    # alerted the chats following health, a Tesla museum and a Kia Ora festival those following automotive.
    cast = "The Doctor Who star will join the cast of a new play in the West End, the producers said."
    assert tag_topics("Doctor Who star joins cast", cast) == ["entertainment"]
    assert tag_topics("Doctor Who star joins cast", "") == ["entertainment"]
    museum = "A museum about the inventor Nikola Tesla opened in Belgrade, with a working Tesla coil."
    assert "automotive" not in tag_topics("Nikola Tesla museum opens", museum)
    greeting = "The Kia Ora festival of music and food opened in Wellington on Friday."
    assert "automotive" not in tag_topics("Kia Ora festival in Wellington", greeting)
    # A doctor who does a doctor's work, and the carmakers, keep their topics.
    saved = "A doctor who saved hundreds of lives in the pandemic was honoured by patients and the hospital."
    assert tag_topics("Doctor who saved lives honoured", saved) == ["health"]
    assert tag_topics("Doctor who saved lives honoured", "") == ["health"]
    recall = "Kia recalled 100,000 cars over a fault with the brakes."
    assert tag_topics("Kia recalls cars", recall) == ["automotive"]
    assert "automotive" in tag_topics("Tesla sales fall", "Tesla sold fewer electric cars in the quarter.")


def test_miss_universe_and_a_film_franchises_universe_are_not_science() -> None:
    # "universe" counted for science on its own: a beauty pageant and a superhero franchise alerted the chats
    # following science.
    pageant = "Miss Universe was crowned in Bangkok on Sunday, beating 80 other contestants."
    assert tag_topics("Miss Universe crowned", pageant) == []
    assert tag_topics("Miss Universe crowned", "") == []
    films = (
        "The Marvel universe keeps growing at the box office, and its cinematic universe now spans 40 films."
    )
    assert tag_topics("Marvel universe grows at the box office", films) == ["entertainment"]
    # The cosmos stays science.
    expanding = "Astronomers say the universe is expanding faster than their models predicted."
    assert tag_topics("Universe is expanding faster than thought", expanding) == ["science"]
    assert tag_topics("Universe is expanding faster than thought", "") == ["science"]


def test_a_parcel_of_land_is_not_e_commerce() -> None:
    # "parcel*" counted for e-commerce on its own: every planning story selling a parcel of land alerted the chats
    # following e-commerce.
    land = "A parcel of land near the school was sold for housing, and two more parcels of land will follow."
    assert "e-commerce" not in tag_topics("Parcel of land sold for housing", land)
    assert tag_topics("Parcel of land sold for housing", "") == []
    # Parcels delivered stay e-commerce.
    couriers = "Couriers delivered a record number of parcels as online shopping grew."
    assert tag_topics("Parcel deliveries hit record", couriers)[0] == "e-commerce"
    assert tag_topics("Parcel deliveries hit record", "")[0] == "e-commerce"


def test_fake_goods_seized_in_a_raid_are_not_e_commerce() -> None:
    # "goods" counted for e-commerce on its own: every raid on counterfeit goods alerted the chats following it.
    raid = (
        "Officers raided a warehouse on an industrial estate and seized thousands of fake designer goods. "
        "Two men were arrested."
    )
    assert tag_topics("Police raid warehouse full of fake goods", raid) == []
    # Goods bought online are still e-commerce.
    online = "Shoppers bought more goods online than ever, and web shops expect more orders at Christmas."
    assert "e-commerce" in tag_topics("Online shopping boom", online)


def test_a_city_park_rangers_or_a_celtic_festival_named_like_a_club_is_not_sport() -> None:
    # "Liverpool", "Newcastle", "Celtic" and "Rangers" counted for sport on their own: a street fire, a bus
    # station, park rangers on a hill and a music festival alerted the chats following sport.
    fire = (
        "Firefighters were called to a shop on Bold Street in Liverpool city centre. The road in Liverpool "
        "stayed closed for hours, police said."
    )
    assert tag_topics("Liverpool street closed after fire", fire) == []
    buses = (
        "The bus station in Newcastle reopened after a year of repairs. Passengers in Newcastle welcomed it."
    )
    assert tag_topics("Newcastle bus station reopens", buses) == []
    hill = "Park rangers rescued two walkers stranded by snow on the hill. The rangers said the pair were unhurt."
    assert tag_topics("Rangers rescue stranded walkers", hill) == []
    music = "The Celtic music festival drew thousands to the city for a week of Celtic songs and dancing."
    assert tag_topics("Celtic festival fills city", music) == ["entertainment"]
    # The clubs stay sport: beside another club, a ground or a sport word, headline alone too.
    assert tag_topics("Celtic beat Rangers", "") == ["sport"]
    assert tag_topics("Rangers beat Celtic", "") == ["sport"]
    assert tag_topics("Liverpool sign striker", "") == ["sport"]
    assert tag_topics("Liverpool's new striker scores twice", "") == ["sport"]
    assert tag_topics("Newcastle hold Liverpool to a draw", "") == ["sport"]
    clear = "Liverpool moved eight points clear at the top with a 2-0 win at Anfield."
    assert tag_topics("Liverpool close in on title", clear) == ["sport"]
    sacked = "The Premier League club sacked its manager after five defeats in a row."
    assert tag_topics("Newcastle United sack manager", sacked) == ["sport"]
    banned = (
        "Celtic said its supporters would get no tickets for away matches after flares were thrown at Ibrox."
    )
    assert tag_topics("Celtic fans banned from away games", banned) == ["sport"]


def test_a_cat_or_a_boy_called_oscar_is_not_entertainment() -> None:
    # "oscar*" counted for entertainment on its own: a cat that walked home and a boy who called 999 alerted the
    # chats following entertainment.
    cat = (
        "Oscar, a ginger cat, walked 20 miles back to his old home. His owners said Oscar was thin but well."
    )
    assert tag_topics("Oscar the cat finds way home", cat) == []
    assert tag_topics("Oscar the cat finds way home", "") == []
    pond = "Oscar, 9, called 999 when his sister fell into the pond, and stayed on the line until help came."
    assert tag_topics("Boy named Oscar saves his sister", pond) == []
    # The award stays entertainment, headline alone too, and so does its name beside a film's words.
    assert tag_topics("Oscar nominations announced", "") == ["entertainment"]
    assert tag_topics("Oscars 2025: the winners", "") == ["entertainment"]
    assert tag_topics("Oscar-winning actor dies", "") == ["entertainment"]
    assert tag_topics("She won an Oscar at 21", "") == ["entertainment"]
    assert tag_topics("Who will win the Oscar for best picture?", "") == ["entertainment"]
    assert tag_topics("Oscar's best picture race heats up", "") == ["entertainment"]
    lead = "The Irish actor won the Oscar for his role as the physicist in the three-hour film."
    assert tag_topics("Oscar for Cillian Murphy", lead) == ["entertainment"]


def test_a_restaurant_server_is_not_technology() -> None:
    # "server*" counted for technology on its own: a waiter jailed for taking tips and a diner's walk-out alerted
    # the chats following technology.
    court = (
        "A restaurant server took tips from colleagues for a year, the court heard. The server was jailed for "
        "six months."
    )
    assert tag_topics("Server jailed for stealing tips", court) == []
    assert tag_topics("Server jailed for stealing tips", "") == []
    diner = "Servers at the diner walked out on Friday, saying the owner kept their tips."
    assert tag_topics("Servers walk out over unpaid tips", diner) == []
    # Computers' servers stay technology, headline alone too.
    assert tag_topics("Server outage hits millions", "") == ["technology"]
    assert tag_topics("Servers crash as fans rush for tickets", "") == ["technology"]
    assert tag_topics("Game servers down for hours", "") == ["technology"]
    assert tag_topics("Hackers breach company servers", "") == ["technology"]
    sites = "The outage at the cloud provider's servers took down thousands of websites for three hours."
    assert tag_topics("Servers fail at cloud provider", sites) == ["technology"]


def test_a_town_marketplace_is_not_e_commerce() -> None:
    # "marketplace*" counted for e-commerce on its own: a market square reopening with its stalls alerted the chats
    # following e-commerce.
    stalls = "The Saturday marketplace in the town square reopened with 40 stalls selling fruit, cheese and flowers."
    assert tag_topics("Marketplace in town square reopens", stalls) == []
    assert tag_topics("Marketplace in town square reopens", "") == []
    cobbles = "The cobbled marketplace at the heart of the old town has been relaid, the council said."
    assert tag_topics("Medieval marketplace restored", cobbles) == []
    # Online marketplaces stay e-commerce, headline alone too.
    assert tag_topics("Amazon marketplace sellers", "") == ["e-commerce"]
    assert tag_topics("Marketplace sellers face new tax rules", "") == ["e-commerce"]
    assert tag_topics("Online marketplace fined", "")[0] == "e-commerce"
    reviews = "Shoppers on the online marketplace were shown fake reviews, the regulator said."
    assert tag_topics("Marketplace fined over fake reviews", reviews) == ["e-commerce"]


def test_a_stamp_album_or_a_photo_album_is_not_entertainment() -> None:
    # "album" counted for entertainment in every sense: a stamp collection at auction and a family's photographs
    # handed back alerted the chats following entertainment.
    auction = "A stamp album collected by a vicar sold at auction for a record price. It held rare stamps from 1840."
    assert tag_topics("Stamp album sells for record", auction) == []
    assert tag_topics("Stamp album sells for record", "") == []
    train = "A photo album left on a train in 1975 was returned to the family by a stranger."
    assert tag_topics("Lost photo album returned to family", train) == []
    # A record's album stays entertainment, headline alone too.
    assert tag_topics("Band releases new album", "") == ["entertainment"]
    assert tag_topics("Adele album sells 3m copies", "") == ["entertainment"]
    assert tag_topics("Taylor Swift album breaks records", "") == ["entertainment"]


def test_a_gold_medal_for_the_best_pasty_is_not_sport() -> None:
    # "gold medal" counted for sport in every sense: a bakery's prize at a food show alerted the chats following
    # sport.
    bakery = "A Cornish bakery won the gold medal for the best steak pasty, beating 300 entries at the food awards."
    assert tag_topics("Gold medal for best pasty", bakery) == []
    assert tag_topics("Gold medal for best pasty", "") == []
    assert tag_topics("Cheese maker wins silver medal for best cheddar", "") == []
    # Medals won by athletes stay sport, headline alone too.
    assert tag_topics("Team GB wins gold medal", "") == ["sport"]
    assert tag_topics("Swimmer wins gold medal for Britain", "") == ["sport"]
    assert tag_topics("Gold medal for Team GB", "") == ["sport"]
    assert tag_topics("Gold medal for best-ever GB team", "") == ["sport"]
