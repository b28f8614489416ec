"""The topic catalogue and the tagger: which catalogue topics an article is about.

Every topic has an id, a title, an emoji, aliases (words people use for it: "autos", "cars" -> automotive)
and a hand-written, weighted keyword lexicon. Tagging is multi-label: an article gets every topic whose
evidence is strong on its own and not far behind the strongest one, so a carmaker's market plans are
automotive and business.
Operators extend or add topics with a JSON or TOML file (see :meth:`TopicCatalogue.load`).
"""

from __future__ import annotations

import difflib
import functools
import json
import math
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from summaries.text import WORD, text_language
from summaries.topic_languages import FALSE_FRIENDS, LEXICONS, SECTION_NAMES

# An article needs this much keyword evidence for a topic at all, plus a little more per word of text, so a
# long story does not collect a topic from scattered ambiguous words ...
MIN_SCORE = 5.0
MIN_SCORE_PER_WORD = 0.01
# ... and, for a second or third topic, at least this share of the best topic's evidence.
RELATIVE_SCORE = 0.4
# Words in the title say more about the subject than words deep in the body.
TITLE_WEIGHT = 2.0
# A near miss must be this similar (difflib ratio) to be suggested; "busines" -> business, "cat" -> nothing.
SUGGEST_CUTOFF = 0.8
# Words that mean every topic to /subscribe and /unsubscribe: a topic named so could be followed, but
# "/unsubscribe all" would drop all of a chat's subscriptions instead of that one; operator files may not use them.
EVERY_TOPIC_WORDS = frozenset({"all", "everything", "*"})

# Letters, digits and marks of any script: "Straße", "eleição" and "भारत" are words, not "stra" + "e" or "भ" +
# "रत". Underscores, which \w counts, are taken out of the text first (see _tokens).
_WORD = re.compile(f"{WORD}(?:[-'.&]{WORD})*")
# French and Italian elide articles and pronouns into the next word: "l'élection" is "élection".
_ELISION = re.compile(r"^(?:l|d|j|n|s|c|m|t|qu|jusqu|lorsqu|puisqu|dell|dall|nell|sull|all)'(?=\w)")
_ELIDING = frozenset({"french", "italian"})
# A lexicon entry in the indexes: topic id, weight, and its mark: "" (counts alone), "~" (needs the topic's
# strong evidence) or "^" (needs another keyword of the topic); see Topic.
_Entry = tuple[str, float, str]


@dataclass(frozen=True)
class Topic:
    """A catalogue topic: id, title, emoji, aliases and a weighted lexicon ("electio*" is a prefix).

    A keyword with a leading "~" ("~game") is ambiguous on its own: it counts only in an article that also has
    a plain weight-3 keyword of the topic, so "player" in code or "scrum" in software is not sport.
    A keyword with a leading "^" ("^liverpool", a club that is also a city) counts only beside another keyword of
    the topic of weight 2 or more that is not "~" (another "^" one too): "Liverpool sign striker" and "Celtic beat
    Rangers" are sport, "Liverpool street closed after fire" and "Rangers rescue walkers" are not.
    """

    id: str
    title: str
    emoji: str
    aliases: tuple[str, ...] = ()
    keywords: Mapping[str, float] = field(default_factory=dict, hash=False, compare=False)

    @property
    def label(self) -> str:
        """Emoji and title, as shown on buttons ("🚗 Automotive")."""
        return f"{self.emoji} {self.title}".strip()


def _kw(**groups: str) -> dict[str, float]:
    """Keywords from weight groups: w3="carmaker*, electric vehicle", w2=..., w1=... (comma-separated)."""
    out: dict[str, float] = {}
    for name, words in groups.items():
        weight = float(name[1:].replace("_", "."))
        for word in words.split(","):
            word = " ".join(word.split()).lower()
            if word:
                out[word] = weight
    return out


# The built-in catalogue. Lexicons are written by hand from general news vocabulary; weights: 3 = almost only
# used about this topic, 2 = usually, 1 = often but ambiguous, 0 = a phrase that is not this topic
# though its words are ("amazon rainforest", "river bank"). A trailing * matches any word with that prefix;
# a leading ~ marks a word that needs the topic's strong evidence elsewhere in the article, a leading ^ one that
# needs another of the topic's words (see Topic).
_BUILTIN: tuple[Topic, ...] = (
    Topic(
        "automotive",
        "Automotive",
        "🚗",
        (
            "autos",
            "auto",
            "cars",
            "car",
            "motoring",
            "vehicles",
            "automobiles",
            "automotive industry",
            "motor",
        ),
        # "~" words fill every police, crash and commute story ("the suspect's car", "a traffic stop", "she
        # recalled"): they add to automotive only beside a plain weight-3 word such as a carmaker or a model. So do
        # the makes that are everyday words: a party "holds the seat", a minister "dodges" questions, "fiat" money.
        _kw(
            w3="carmaker*, automaker*, car maker*, car manufacturer*, "
            "car industry, motor industry, auto industry, "
            "automotive, automobile*, electric vehicle*, electric car*, "
            "hybrid car*, self-driving, driverless, "
            "autonomous vehicle*, toyota, volkswagen, vw, bmw, mercedes-benz, daimler, stellantis, renault, "
            "peugeot, nissan, honda, hyundai, kia, tesla, ford motor, general motors, gm, porsche, audi, "
            "ferrari, lamborghini, jaguar land rover, volvo cars, byd, rivian, lucid motors, suv*, sedan*, "
            "cupra, seat ibiza, seat leon, seat arona, seat ateca, seat tarraco, fiat 500, fiat panda, "
            "hatchback*, pickup truck*, dealership*, car dealer*, car sales, vehicle sales, new car*, "
            "used car*, charging station*, ev charging, combustion engine*, emissions test*",
            # Not the carmakers: the inventor and his coil, and the Maori greeting.
            w0="nikola tesla, tesla coil*, kia ora",
            w2="~vehicle*, ~car, ~cars, motorist*, drivetrain*, ~engine, ~engines, "
            "~recall, ~recalls, ~recalled, battery range, horsepower, gearbox*, "
            "~fleet*, chassis, model year, showroom*, motor show, auto show, crash test*, fuel economy, "
            "mpg, chevrolet, chrysler, jeep, ~dodge, ~fiat, citroen, skoda, ~seat, mazda, subaru, mitsubishi, "
            "suzuki, lexus, land rover, bentley, aston martin, maserati, opel, vauxhall",
            w1="~driver*, ~driving, ~road*, ~petrol, ~diesel, ~fuel, ~tyre*, ~tire*, ~garage*, ~traffic, "
            "~truck*, ~lorr*, ~motor*, ~parking, ~highway*, ~speed*, ~mile*, ~battery, ~batteries, ~charging, "
            "~drive",
        ),
    ),
    Topic(
        "business",
        "Business",
        "💼",
        (
            "economy",
            "economics",
            "finance",
            "financial",
            "markets",
            "market",
            "money",
            "companies",
            "biz",
            "corporate",
            "business news",
            "stocks",
            "industry",
            "personal finance",
        ),
        _kw(
            w3="shareholder*, stock market*, stock exchange*, share price*, shares rose, shares fell, "
            "profit*, revenue*, earnings, turnover, quarterly, fiscal year, financial year, ipo, takeover*, "
            "merger*, acquisition*, acquire*, chief executive, ceo, cfo, gdp, inflation, interest rate*, "
            "central bank*, federal reserve, bank of england, ecb, recession, economic growth, economist*, "
            "nasdaq, nyse, dow jones, s&p 500, ftse, nikkei, dax, wall street, investor*, dividend*, bond*, "
            "equities, hedge fund*, private equity, venture capital, valuation*, bankrupt*, insolven*, "
            "creditor*, debt*, deficit*, trade deficit, exports, imports, tariff*, opec, oil price*, "
            "stakeholder*, analysts said, ~forecast*, growth forecast*, sales forecast*, economic forecast*, "
            "market share, retail sales, consumer spending, "
            "unemployment, jobless, employment figures, pension fund*, currency, currencies, exchange rate*, "
            "dollar, euro, sterling, yen, yuan, brokerage*, commodit*",
            # Not a bank: the land along a river or a canal, a holiday, a charity's larder, a territory. Not a
            # bond: James Bond and London's Bond Street. "~forecast*": snow and sunshine are forecast too.
            w0="bank of the river, banks of the river, bank of the canal, banks of the canal, river bank*, "
            "canal bank*, bank holiday*, food bank*, blood bank*, west bank, james bond, bond film*, bond movie*, "
            "bond villain*, bond girl*, bond street",
            w2="company, companies, firm, firms, business, businesses, "
            "economy, economic*, market, markets, bank, "
            "banks, banking, banker*, financ*, invest*, sales, deal, deals, billion, price, prices, costs, "
            "growth, trade, trading, trader*, industr*, manufactur*, factory, factories, supplier*, "
            "customers, consumer*, boss, bosses, chairman, executive*, corporat*, tax, taxes, taxation, "
            "budget*, loan, loans, lending, lender*, mortgage*, subsidiar*, retail*, output, demand, supply, "
            "spending, wages, salar*, job cuts, layoff*, workforce, employer*, stake, stakes, capital, "
            "cash, quarter, losses, expansion, funding, sector*, commercial",
            w1="rose, fell, rise, fall, percent, per cent, year-on-year, million, cost, sold, brand, brands, "
            "expect*, target*, plan, plans, cut, cuts, boost*, pay, paid, owner*, operator*, staff, annual, "
            "results, employ*, board, fund, funds, shop, shops, store, stores, rates, loss",
        ),
    ),
    Topic(
        "technology",
        "Technology",
        "💻",
        (
            "tech",
            "technologies",
            "it",
            "computing",
            "computers",
            "gadgets",
            "software",
            "digital",
            "internet",
            "science and technology",
            "sci-tech",
            "tech news",
            "ai",
            # Video games are technology in this catalogue (as in the BBC's); feeds label them so.
            "video games",
            "gaming",
        ),
        # "~windows" and "~camera*": a house's windows and a thief "caught on camera" are not technology; beside
        # Microsoft or a smartphone they are. "~virus": a flu or bird flu virus is health news only. "~apple" and
        # "~chip": an orchard's harvest and a chip shop are not technology; the company's products and a
        # semiconductor firm's words beside them are. "~tablet*": paracetamol and dishwasher tablets are no gadgets.
        # "~web": nor is a spider's web or a web of lies; the web's own phrases ("web page", "dark web") count alone.
        # "~platform*": a railway station's or an oil rig's platform is no tech platform. "~server*": a waiter or a
        # tennis player serves too; a server's outage, crash or farm counts alone.
        _kw(
            w3="software, hardware, computer*, laptop*, smartphone*, mobile phone*, iphone*, ipad*, android, "
            "ios, ~windows, windows phone*, linux, microsoft, ~apple, apple inc, apple watch*, apple store*, "
            "apple music, apple pay, apple tv, macbook*, imac*, tim cook, "
            "google, alphabet, meta, facebook, amazon web services, "
            "aws, nvidia, intel, amd, qualcomm, samsung, semiconductor*, microchip*, chipmaker*, "
            "artificial intelligence, ai, machine learning, chatbot*, openai, chatgpt, algorithm*, "
            "broadband, wi-fi, wifi, 5g, 4g, internet, online, ~web, world wide web, web page*, web address*, "
            "web user*, web traffic, web giant*, web firm*, web service*, web-based, web search*, dark web, "
            "website*, browser*, search engine*, "
            "app, apps, download*, upload*, cyber*, hacker*, hacking, hacked, malware, spam, phishing, "
            "ransomware, encrypt*, data breach*, cloud computing, data centre*, data center*, ~server*, "
            "server outage*, server crash*, server crashed, servers crash*, servers crashed, server failure*, "
            "server error*, server down, servers down, servers went down, server farm*, server room*, server rack*, "
            "web server*, cloud server*, game server*, email server*, mail server*, file server*, dedicated server*, "
            "server software, server chip*, server processor*, server-side, "
            "gadget*, games console*, playstation, xbox, nintendo, video game*, gaming, gamer*, "
            "programmer*, open source, silicon valley, tech, technolog*, digital, blog, blogs, blogger*, "
            "e-mail*, email*, social media, social network*, twitter, youtube, tiktok, instagram, "
            "users, device, devices, robot*, virtual reality, augmented reality, processor*, gigabyte*, "
            "telecom*, operating system*, firmware, startup*, start-up*, ~tablet*, tablet computer*, tablet pc*, "
            "wireless, bandwidth, pc, pcs, digital music, mp3, ipod*, handset*, computer virus*, spyware, adware",
            w2="network*, mobile, mobiles, phone, phones, ~chip, ~chips, data, files, code, coding, "
            "~platform*, video platform*, streaming platform*, gaming platform*, service provider*, innovat*, "
            "gigabit, ~camera*, storage, memory, "
            "electronic*, sensor*, satellite*, connection*, connectivity, version*, developer*, "
            "upgrade*, privacy, automat*, music download*, film download*, peer-to-peer, "
            "piracy, copyright, patent*, consumer electronics, ~virus, ~viruses, dvd*, portable, console*",
            w1="people, net, speed*, search, content, image*, design*, screen*, display*, system*, video*, "
            "launch*, feature*, security, access, machine*, engineer*, research*",
        ),
    ),
    Topic(
        "science",
        "Science",
        "🔬",
        (
            "sciences",
            "scientific",
            "research",
            "space",
            "astronomy",
            "physics",
            "biology",
            "chemistry",
            "environment",
            "climate",
            "nature",
        ),
        # "~mars" is also the headline verb ("Violence mars election day"); the planet's stories say more of it.
        # "~atom*" is also the Atom feed format; "~discover*" and "~evidence" fill every police and court story,
        # "~research*" every market survey ("market research firm", "research shows"). "~galax*", "~orbit*" and
        # "~big bang" are also a Samsung phone and LA Galaxy, a ring road that orbits a town, and a sitcom.
        _kw(
            w3="scientist*, physicist*, biologist*, chemist*, astronomer*, geolog*, palaeontolog*, "
            "paleontolog*, archaeolog*, nasa, esa, spacex, space station, astronaut*, telescope*, "
            "planet*, ~galax*, milky way, asteroid*, comet*, ~orbit*, spacecraft, rocket, rockets, ~mars, lunar, "
            "moon landing, "
            "on mars, to mars, red planet, mars rover*, mars mission*, mars lander*, mars orbiter*, "
            "universe, black hole*, ~big bang, quantum, particle*, physics, chemistry, biology, genome*, "
            "genetic*, dna, rna, gene, genes, evolution*, species, fossil*, dinosaur*, ecosystem*, "
            "biodiversity, climate change, global warming, greenhouse gas*, carbon dioxide, co2, "
            "emissions, glacier*, ice sheet*, sea level*, experiment*, laboratory, peer-reviewed, "
            "journal nature, journal science, study published, researchers found, hypothes*, molecul*, "
            "~atom*, neutron*, electron, electrons, photon*, relativity, neutrino*, boson*, fermion*, cern, collider, volcano*, earthquake*, seismic, "
            "meteorolog*, mathematician*, neuroscien*, microbe*, microbial, microbio*, bacteria*, vaccine research",
            # Not the cosmos: a beauty pageant and a film franchise's world.
            w0="miss universe, marvel universe, cinematic universe, fictional universe",
            w2="~research*, study, studies, scientific*, science, ~discover*, sample*, ~analys*, "
            "laborator*, environment*, climate*, temperature*, ocean*, wildlife, animal*, plants, "
            "~cells, brain*, energy, solar, nuclear, carbon, professor*, university, universities, "
            "institute*, findings, ~evidence, theory, measure*, space, earth, nature, natural",
            w1="model*, test*, found, suggest*, effect*, years ago, million years, data, ~plant",
        ),
    ),
    Topic(
        "health",
        "Health",
        "🩺",
        (
            "healthcare",
            "health care",
            "medicine",
            "medical",
            "wellness",
            "wellbeing",
            "fitness",
            "nhs",
            "public health",
            "mental health",
        ),
        # "~stroke" and "~organ": a golfer wins by a stroke, a lottery winner has a stroke of luck and a church
        # restores its organ; beside patients, doctors or a hospital they are health news.
        _kw(
            w3="patient*, doctor*, physician*, nurse*, surgeon*, surgery, surgeries, hospital*, clinic*, "
            "disease*, illness*, infection*, infect*, virus, viruses, pandemic*, epidemic*, outbreak*, "
            "vaccin*, cancer*, tumour*, tumor*, diabetes, obesity, heart disease, ~strokes, dementia, "
            "alzheimer*, depression, mental health, anxiety, symptom*, diagnos*, treatment*, therap*, "
            "medic*, drug trial*, clinical trial*, prescription*, pharmac*, antibiotic*, nhs, gp, gps, "
            "health service*, public health, world health organization, cdc, covid*, coronavirus, "
            "flu, influenza, measles, malaria, hiv, tuberculosis, healthcare, health care, "
            "life expectancy, mortality, blood pressure, cholesterol, diet*, nutrition*, calorie*, "
            "wellbeing, well-being, fitness, smoking, smoker*, alcohol, addiction*, "
            "overdose*, opioid*, ambulance*, paramedic*, "
            "a&e, intensive care, hospital ward*, midwi*, pregnan*",
            # Not the body's blood: an eclipse and a colour; not a doctor: the Time Lord's show (only as such: "a
            # doctor who ..." is one).
            w0="blood moon*, blood red, doctor who star*, doctor who actor*, doctor who actress*, "
            "doctor who episode*, doctor who series, doctor who fan*, doctor who special*",
            w2="health*, medicine*, drug*, disorder*, chronic, cure*, exercise, ~stroke, "
            "immune, blood, ~organ, ~organs, lung*, liver, kidney*, sleep, pain, aids, "
            "death rate*, sick*, ill, waiting list*, waiting time*, mental, ward, wards",
            w1="study, research*, women, children, elderly, risk*, care, condition*, deaths, died, injur*, "
            "emergency, heart, brain, body",
        ),
    ),
    Topic(
        "politics",
        "Politics",
        "🏛️",
        (
            "political",
            "government",
            "governments",
            "elections",
            "election",
            "policy",
            "parliament",
            "us politics",
            "uk politics",
            "politics news",
        ),
        # "~veto*": a club vetoes a transfer and a board a deal; beside lawmakers or a governor it is politics.
        # "~cabinet*": a kitchen or filing cabinet is furniture; beside ministers or a government it is politics.
        _kw(
            w3="politic*, politician*, parliament*, mp, mps, "
            "meps, senator*, senate, congress, congressional, "
            "congressman, congresswoman, house of commons, house of lords, downing street, white house, "
            "prime minister*, chancellor*, home secretary, foreign secretary, secretary of state, "
            "minister*, ministry, ~cabinet*, cabinet minister*, cabinet meeting*, cabinet reshuffle*, shadow cabinet*, "
            "cabinet office, cabinet secretary, cabinet secretaries, government*, opposition, "
            "election*, elector*, vote, votes, voter*, "
            "voting, ballot*, poll, polls, polling, referendum*, manifesto*, labour, conservative*, tory, "
            "tories, liberal democrat*, lib dem*, snp, ukip, reform uk, republican*, democrat*, gop, "
            "party leader*, leadership contest, legislation, legislat*, act of parliament, "
            "constituenc*, mayor*, governor*, councillor*, lawmaker*, parliamentar*, coalition*, "
            "policy, policies, whitehall, westminster, capitol hill, impeach*, ~veto*, filibuster, "
            "shadow chancellor, shadow home secretary, backbench*, "
            "speaker of the house, tax cut*, tax rise*, "
            "public spending, welfare, immigration, asylum, home office, civil servant*",
            # Not the parties: a maternity ward and a cautious guess.
            w0="labour ward*, conservative estimate*",
            w2="law, laws, reform*, public, federal, council*, president, presidents, presidential, "
            "rights, citizen*, protest*, debate*, scheme*, proposal*, campaign*, "
            "department*, administration, regulat*, leader*, party, parties, "
            "seats, majority, democracy, democratic, governing, blair, cameron, sunak, starmer, biden, "
            "trump, obama",
            w1="claim*, warn*, urge*, tax, taxes, budget, official*, state, states, national, court*, "
            "announce*, agency, agencies, bill, bills, power, spokes*, conference, plans, proposed",
        ),
    ),
    Topic(
        "world",
        "World",
        "🌍",
        (
            "world news",
            "international",
            "global",
            "foreign",
            "foreign affairs",
            "worldnews",
            "globe",
            "international news",
            "overseas",
        ),
        # Whole words where a prefix would also start unrelated ones (couple, Borderlands, bombshell).
        _kw(
            w3="united nations, un security council, nato, european union, eu, g7, g20, diplomat*, "
            "embass*, ambassador*, foreign minister*, foreign policy, sanction*, ceasefire*, cease-fire, "
            "peace talk*, peace deal*, treaty, treaties, refugee*, humanitarian, militar*, troops, army, "
            "armies, soldier*, war, wars, warfare, airstrike*, air strike*, missile*, invasion, invade*, "
            "occupation, insurgen*, rebel*, militant*, terroris*, coup, coups, civil war, genocide, "
            "border, borders, cross-border, conflict*, hostage*, ukraine, russia, kremlin, china, beijing, taiwan, "
            "north korea, south korea, iran, iraq, syria, israel, gaza, palestin*, lebanon, afghanistan, "
            "pakistan, india, africa, african, nigeria, kenya, ethiopia, sudan, somalia, egypt, "
            "middle east, latin america, brazil, mexico, venezuela, colombia, argentina, europe, "
            "france, germany, italy, spain, poland, turkey, japan, indonesia, australia, canada, "
            "asia, asian, moscow, kyiv, kiev, tehran, baghdad, kabul, jerusalem, brussels, geneva",
            # Not a war: a conflict of interest is a matter of money and office, a price war one of shops, and
            # Star Wars a film series.
            w0="conflict of interest, conflicts of interest, star wars, price war*, bidding war*, war of words, "
            "war chest*",
            w2="international*, foreign, global*, countries, nations, region*, worldwide, abroad, overseas, "
            "killed, violence, attack*, bomb, bombs, bombed, bombing*, bomber*, crisis, crises, security forces",
            w1="world, country, nation, government*, president*, election*, protest*, police, aid, forces",
        ),
    ),
    Topic(
        "sport",
        "Sport",
        "⚽",
        ("sports", "sporting", "sport news", "sports news", "athletics and sport"),
        _kw(
            # "~" words are everyday words too (a game of chess, a player in code, a scrum in software, a sales
            # pitch): they add to sport only when a plain word above them says the article is about sport.
            w3="football*, footballer*, soccer, premier league, champions league, world cup, fifa, uefa, "
            "rugby, cricket, cricketer*, cricketing, tennis, golf*, athletic*, olympic*, olympian*, paralympic*, "
            "marathon*, "
            "~sprint*, sprinter*, ~hurdle*, formula one, formula 1, f1, grand prix, nba, nfl, mlb, nhl, "
            "baseball, basketball, hockey, boxing, boxer*, ufc, cycling, cyclist*, tour de france, "
            "wimbledon, us open, australian open, french open, six nations, ashes, test match*, "
            "striker*, midfielder*, ~defender*, goalkeeper*, goalie*, ~penalt*, free-kick*, hat-trick*, "
            "touchdown*, quarterback*, wicket*, batsman, batsmen, bowler*, innings, try line, "
            "pitcher*, inning, home run*, "
            "~scrum*, scrum-half*, fly-half, ~winger*, full-back*, referee*, umpire*, head coach, "
            "semi-final*, quarter-final*, final whistle, championship*, tournament*, "
            "playoff*, play-off*, gold medal, olympic medal*, "
            "world record*, personal best, team-mate*, teammate*, arsenal, "
            "chelsea, manchester united, man utd, man city, tottenham, everton, "
            "real madrid, barcelona, bayern munich, juventus, hamstring*, "
            "stadium*, athlete*, title race, relegat*, trophy, goalscorer*, "
            "~first half, ~second half, ~extra time, extra-time, home win, away win, grand slam, world champion*, "
            "central defender*, penalty shoot-out*, on penalties, equalis*, equaliz*, half time, half-time, "
            "injury time, stoppage time, friendlies, left-footed, right-footed, top seed*, tie-break*, fc, "
            "fa cup, heineken cup, davis cup, ryder cup, super bowl, manchester city, aston villa, west brom*, "
            "boxing day test*, boxing day fixture*, boxing day match*, boxing day clash*, "
            "old firm, celtic park, newcastle united, scottish premiership, europa league, scottish cup, league cup, "
            "carabao cup",
            # Not the game: the insect chirps, is farmed and milled into flour ("crickets" counts for nothing);
            # marathon talks, a flower show, an arsenal of weapons and a person's ashes are no sport either, nor
            # are the day after Christmas, a sore elbow and hailstones as big as golf balls, nor a medal for the best
            # pasty or cheese at a food show.
            w0="cricket chirp*, cricket chirping, chirping cricket*, cricket farm*, cricket flour, cricket protein, "
            "marathon talks, marathon session*, marathon meeting*, marathon negotiation*, marathon debate*, "
            "chelsea flower show, chelsea pensioner*, chelsea manning, chelsea clinton, arsenal of, "
            "nuclear arsenal*, ashes of, ashes scattered, ashes were scattered, "
            "from the ashes, boxing day, tennis elbow, golf ball sized, golf ball-sized, medal for best, "
            "medal for the best, gold medal for best, gold medal for the best, silver medal for best, "
            "silver medal for the best, bronze medal for best, bronze medal for the best",
            w2="~game, ~games, ~player*, ~team, ~teams, ~club, ~clubs, ~fans, ~supporters, ~racing, "
            "sport, sports, sporting, ~coach, ~coaches, ~pitch, ~transfer*, ~debut*, "
            "~season, ~seasons, ~league, ~leagues, ~match, ~matches, medal, medals, squad, squads, "
            "~captain*, ~injur*, ~champion*, ~cup, ~scored, ~scorer*, ~goal, ~goals, ~victory, ~defeat*, "
            "~win, ~wins, ~won, ~winning, ~beat, ~beaten, ~draw, ~knee, ~ankle*, fixture*, first-team, "
            "~coached, ~manager, "
            # Clubs named as their cities (and grounds as their districts) are places too: "Liverpool street closed
            # after fire", park rangers, a Celtic festival. They count beside another club or a sport word.
            "^celtic, ^rangers, ^liverpool, ^newcastle, ^anfield, ^ibrox, ^parkhead",
            w1="~play, ~played, ~playing, ~race, ~races, ~title, ~titles, ~round, ~rounds, ~seed, ~seeded, "
            "~ranked, ~ranking*, ~record, ~lead, ~points, ~score, ~compet*, ~training, ~track, ~field, "
            "~contract*, ~career, ~retire*, ~finish*, ~minute*, ~side, ~sides, ~against, ~home, ~away, "
            "~opener, ~form, ~fitness",
        ),
    ),
    Topic(
        "entertainment",
        "Entertainment",
        "🎬",
        (
            "showbiz",
            "show business",
            "arts",
            "culture",
            "arts and culture",
            "celebrities",
            "celebrity",
            "entertainment news",
            "arts and entertainment",
            "movies",
            "film",
            "films",
            "music",
            "tv",
            "television",
            "comedy",
            "books",
        ),
        # "~gig": a programming gig or "500 gig" of disk is no concert; beside a band or an album it is.
        # "~director": an FBI, agency or company director is no film-maker; beside a film or actors it is.
        # "~show*": "research shows" and "figures show" are no TV show. "~oscar*": Oscar is a name too (a cat, a
        # boy, a writer); the award, its night and its winners count alone.
        _kw(
            w3="film, films, filmmaker*, film-maker*, movie*, "
            "cinema*, box office, hollywood, bollywood, ~oscar*, oscars, oscar-winning, oscar-winner*, "
            "oscar-nominated, oscar nomination*, oscar nominee*, oscar winner*, oscar win, oscar wins, oscar night, "
            "oscar ceremony, oscar ceremonies, oscar race, oscar campaign*, oscar contender*, oscar hopeful*, "
            "oscar snub*, oscar glory, oscar statuette*, oscar for best, oscar best picture, oscar goes to, an oscar, "
            "academy award*, bafta*, golden globe*, grammy*, emmy*, brit award*, award ceremony, red carpet, "
            "actor*, actress*, film director*, screenplay*, sequel*, blockbuster*, premiere*, "
            "starring, starred, festival*, cannes, sundance, berlinale, "
            "album, albums, singer*, songwriter*, band, bands, rapper*, pop star*, rock star*, "
            "charts, number one single, concert*, ~gig, ~gigs, music, musical*, musician*, song, songs, "
            "lyric*, record label*, spotify, "
            "tv show*, television series, sitcom*, soap opera*, comedy, comedies, comedian*, "
            "reality show*, reality tv, talent show*, netflix, hbo, bbc one, bbc two, itv, channel 4, "
            "theatre*, theater*, broadway, west end, playwright*, on stage, "
            "novel, novels, novelist*, bestsell*, literary, poet, poets, poetry, "
            "artist*, art gallery, galleries, exhibition*, celebrit*, pop star, film star, "
            "showbiz, entertainment, viewers, ratings, episode*, ~studio*, "
            "animation*, animated, documentary, documentaries, soundtrack*",
            # Not the arts: a council tax or a gastric band, a harvest festival, a new virus, an architect's drawing,
            # a collector's or a family's album.
            w0="tax band*, gastric band*, rubber band*, harvest festival*, festival of lights, novel coronavirus*, "
            "novel virus*, novel approach*, artist impression*, song thrush*, stamp album*, photo album*, "
            "photograph album*, sticker album*, wedding album*, family album*, autograph album*, coin album*",
            w2="~show, ~shows, star, stars, role, roles, character*, cast, perform*, producer*, "
            "critics, nominat*, prize*, ceremony, award, awards, singles, single, chart, tour, touring, "
            "sing, sang, singing, dancer*, dancing, writer*, tv, television, radio, dj, dvd*, "
            "~director, ~directors, ~directed, drama, dramas, series, stage, play, plays, book, books, "
            "author, authors, art, arts, museum*, famous, fame, audience*, comic, comics, disney",
            w1="released, release, hit, hits, review*, fans, story, stories, love, best, record, records",
        ),
    ),
    Topic(
        "e-commerce",
        "E-commerce",
        "🛒",
        (
            "ecommerce",
            "e commerce",
            "online shopping",
            "online retail",
            "shopping",
            "online commerce",
            "internet retail",
            "e-tail",
            "etail",
        ),
        # "~warehouse*": a fire or a police raid at a warehouse is local news; an online shop's warehouse says more.
        # "~goods": so are fake goods seized and stolen goods found. "~marketplace*": so is a town's market square;
        # an online marketplace and its sellers count alone.
        _kw(
            w3="e-commerce, ecommerce, online shopping, online shopper*, online retail*, online retailer*, internet retail*, "
            "online sales, online store*, online shop*, webshop*, web shop*, ~marketplace*, online marketplace*, "
            "digital marketplace*, internet marketplace*, facebook marketplace, marketplace seller*, marketplace app*, "
            "marketplace platform*, third-party seller*, "
            "amazon, ebay, alibaba, taobao, tmall, jd.com, shopify, etsy, zalando, temu, shein, "
            "wayfair, rakuten, mercadolibre, flipkart, ocado, asos, walmart.com, prime day, "
            "black friday, cyber monday, singles day, checkout*, shopping cart*, shopping basket*, "
            "same-day delivery, next-day delivery, parcel*, last-mile, fulfilment, fulfillment, "
            "~warehouse*, click and collect, click-and-collect, dropship*, direct-to-consumer, d2c, "
            "paypal, klarna, buy now pay later, bnpl, digital payment*, mobile payment*, "
            "online payment*, delivery driver*, returns policy",
            # Not the shop: the rainforest, the river, a parrot, a tribe and the cloud business share its name; nor
            # is a parcel of land a delivery.
            w0="amazon rainforest*, amazon rain forest*, amazon river, amazon basin, amazon jungle, amazon forest*, "
            "amazon region, amazon parrot*, amazon tribe*, amazon web services, parcel of land, parcels of land",
            w2="retail*, retailer*, shopper*, shopping, seller*, merchant*, courier*, payment*, "
            "deliveries, logistic*, discount*, ~goods, purchase*",
            w1="market*, demand, holiday season, christmas, store, stores, shop, shops, orders, delivery, "
            "consumer*, customer*, sale, sales, prices, product, products, buy, buying, buyer*, bought, "
            "online, internet, web, website*, app, apps",
        ),
    ),
)


# Subject fields and section names that, as a feed item's category, say which topic the item is ("Genetics",
# "Neuroscience", "Football", "Middle East"): a science journal files half its items under such fields. They are
# no aliases, so "/subscribe genetics" stays a keyword rather than following all of science, and they never
# count in text. Feed categories only, like SECTION_NAMES (sections in other languages). Left out on purpose:
# labels that name two topics ("Engineering", "Games", "Psychology", "Media", "Trading" in a fantasy league),
# and events that run through every section ("Coronavirus").
_CATEGORIES: dict[str, str] = {
    "science": "neuroscience, genetics, genomics, immunology, geophysics, geochemistry, geology, geoscience, "
    "earth science, earth sciences, planetary science, atmospheric science, materials science, ocean science, "
    "marine science, space science, biochemistry, cell biology, molecular biology, structural biology, "
    "developmental biology, plant biology, plant science, systems biology, microbiology, botany, zoology, "
    "ecology, evolution, palaeontology, paleontology, archaeology, anthropology, astrophysics, cosmology, "
    "mathematics, meteorology, oceanography, space exploration, climate change, climate crisis, wildlife, "
    "marine life, animal behaviour, animal behavior, dinosaurs, fossils, the moon, eclipses, lunar eclipses, "
    "solar eclipses",
    "health": "medical research, oncology, cardiology, neurology, psychiatry, epidemiology, virology, "
    "infectious diseases, diseases, cancer, cancer research, diabetes, obesity, dementia, vaccines, "
    "vaccination, mental illness, nutrition, opioids, malaria, hiv, yoga",
    "sport": "football, soccer, basketball, baseball, american football, ice hockey, hockey, tennis, golf, "
    "cricket, rugby, rugby union, rugby league, cycling, boxing, athletics, gymnastics, swimming, motor sport, "
    "motorsport, formula one, olympics, olympic games, winter olympics, paralympics, nfl, nba, mlb, nhl, "
    "premier league, champions league, world cup, us sports, european club football, transfer window",
    "politics": "congress, us congress, senate, us senate, house of representatives, republicans, democrats, "
    "republican party, democratic party, trump administration, white house, brexit, australian politics",
    "world": "americas, europe, asia, asia pacific, asia-pacific, africa, middle east, north africa, "
    "central asia, south asia, southeast asia, east asia, latin america, oceania, global development, "
    "united nations",
    "business": "mergers, acquisitions, stock markets, banking, cryptocurrencies, cryptocurrency, "
    "corporate governance, tax avoidance, real estate, small business, advertising, marketing",
    "technology": "startups, mobile, programming, software development, developer tools, social networking, "
    "social media, cybersecurity, artificial intelligence, machine learning, robotics, open source, "
    "cloud computing",
    "entertainment": "art, art and design, visual arts, theatre, theater, dance, opera, classical music, "
    "pop and rock, hip-hop, hip hop, jazz, documentary, documentaries, factual tv, reality tv, radio, oscars, "
    "grammys, emmys, baftas, golden globes, anime, comics",
    "automotive": "electric vehicles, electric cars, car industry, motor industry, auto industry, car reviews, "
    "motorcycles, motorbikes",
    "e-commerce": "online marketplaces, marketplaces, daily deals, black friday, cyber monday",
}
_CATEGORY_NAMES: dict[str, str] = {
    **SECTION_NAMES,
    **{name.strip(): topic for topic, names in _CATEGORIES.items() for name in names.split(",")},
}


class TopicCatalogue:
    """The set of topics users can follow, with lookup by words people type and a multi-label tagger."""

    def __init__(self, topics: Iterable[Topic]) -> None:
        self._topics: dict[str, Topic] = {}
        for topic in topics:
            self._topics[topic.id] = topic
        self._build_indexes()

    @classmethod
    def load(cls, extra_file: Path | None = None) -> TopicCatalogue:
        """The built-in catalogue, extended by an operator's JSON or TOML file when given."""
        topics: dict[str, Topic] = {t.id: t for t in _BUILTIN}
        if extra_file is None:
            return cls(topics.values())
        specs = _read_topic_file(extra_file)
        for spec in specs:
            topics[spec.id] = _merge(topics.get(spec.id), spec)
        catalogue = cls(topics.values())
        # Every topic a name belongs to: the index keeps only the first, which may be the spec's own topic while
        # another has the word too. A topic's own id is no clash: ids win over another topic's alias.
        owners: dict[str, list[str]] = {}
        for topic in catalogue._topics.values():
            for name in dict.fromkeys(_norm(n) for n in (topic.id, topic.title, *topic.aliases, topic.emoji)):
                owners.setdefault(name, []).append(topic.id)
        for spec in specs:
            for name in (spec.title, *spec.aliases, spec.emoji):
                key = _norm(name)
                others = (
                    [o for o in owners.get(key, []) if o != spec.id] if key and key != _norm(spec.id) else []
                )
                if others:
                    owner = others[0]
                    # Only one topic keeps the word, so "/subscribe <name>" would follow one of the two;
                    # an emoji shared also puts two topics behind one emoji on the keyboard.
                    other = "emoji" if name == spec.emoji else "word"
                    raise ValueError(
                        f"Topic {spec.id!r} in {extra_file}: {name!r} already names the topic {owner!r}; "
                        f"leave it out or choose another {other}."
                    )
        return catalogue

    def _build_indexes(self) -> None:
        self._names: dict[str, str] = {}
        for topic in self._topics.values():
            # The emoji too: people tap it on the topic keyboard and type it back ("/subscribe 🚗").
            for name in (topic.id, topic.title, *topic.aliases, topic.emoji):
                if _norm(name):
                    self._names.setdefault(_norm(name), topic.id)
        for topic in self._topics.values():  # ids win over another topic's alias
            self._names[_norm(topic.id)] = topic.id
        self._lexicons: dict[str, _Lexicon] = {
            "english": _Lexicon(
                (topic.id, word, weight)
                for topic in self._topics.values()
                for word, weight in topic.keywords.items()
            )
        }

    def _lexicon(self, language: str) -> _Lexicon:
        """The lexicon for articles in ``language``: the English one, or its loan words plus that language's."""
        lexicon = self._lexicons.get(language)
        if lexicon is None:
            # Elsewhere the English lexicon keeps only what other languages borrow (names, brands, "Software"):
            # its weight-1 words are everyday English, and some words mean something else there.
            masked = {w.strip() for w in FALSE_FRIENDS.get(language, "").split(",")}
            entries = [
                (topic.id, word, weight)
                for topic in self._topics.values()
                for word, weight in topic.keywords.items()
                if (weight >= 2.0 or weight == 0.0) and word.lstrip("~^") not in masked
            ]
            for topic_id, groups in LEXICONS.get(language, {}).items():
                if topic_id in self._topics:
                    entries += [(topic_id, word, weight) for word, weight in _kw(**groups).items()]
            lexicon = self._lexicons[language] = _Lexicon(entries, language)
        return lexicon

    # -- lookup ----------------------------------------------------------------------------------------------
    def get(self, topic_id: str) -> Topic | None:
        """The topic with this id, or None."""
        return self._topics.get(topic_id)

    def all(self) -> list[Topic]:
        """Every topic, in catalogue order."""
        return list(self._topics.values())

    def __contains__(self, topic_id: object) -> bool:
        return topic_id in self._topics

    def resolve(self, word: str) -> Topic | None:
        """The topic a word names (id, title, alias or emoji; any case; plurals and "... news" too), or None."""
        key = _norm(word)
        if not key:
            return None
        for candidate in _variants(key):
            topic_id = self._names.get(candidate)
            if topic_id is not None:
                return self._topics[topic_id]
        return None

    def suggest(self, word: str) -> Topic | None:
        """A topic whose name is a near miss of ``word`` ("busines" -> business); None, not a wild guess."""
        key = _norm(word)
        if len(key) < 4 or self.resolve(key) is not None:
            return self.resolve(key) if key else None
        if self._lexicons["english"].knows(key):
            # A word the tagger reads as news vocabulary is spelt right: "police" is no typo of "policy" (an
            # alias of politics), nor "spacex" of "space"; it is a keyword to follow.
            return None
        # Typing slips rarely hit the first letter: "wealth" is a word of its own, not a slip for "health".
        names = [name for name in self._names if name[:1] == key[:1]]
        matches = difflib.get_close_matches(key, names, n=1, cutoff=SUGGEST_CUTOFF)
        return self._topics[self._names[matches[0]]] if matches else None

    def resolve_declared(self, labels: Iterable[str]) -> list[str]:
        """Topic ids named by feed-declared topics or categories ("Tech", "Business News", "Sci/Tech")."""
        found: list[str] = []
        for label in labels:
            # A label that is a name as a whole says one topic ("Science and Technology" is technology);
            # otherwise each part names its own, so "Business & Technology" is both, whatever other labels
            # the item has. No "\s*" around the separators: resolve() trims the parts anyway, and before a
            # failed match it rescanned a run of spaces from each of its spaces (quadratic: 10,000 took 4 s).
            whole = self.resolve(label) or self._section(label)
            parts = [label] if whole is not None else re.split(r"/|&|,|\||>|:|\band\b", label)
            for part in parts:
                topic = whole or self.resolve(part) or self._section(part)
                if topic is not None and topic.id not in found:
                    found.append(topic.id)
        return found

    def _section(self, label: str) -> Topic | None:
        """The topic a category-only name says ("Genetics", "Economia", "Desportos"), or None."""
        for candidate in _variants(_norm(label)):
            topic_id = _CATEGORY_NAMES.get(candidate)
            if topic_id is not None and topic_id in self._topics:
                return self._topics[topic_id]
        return None

    # -- tagging ---------------------------------------------------------------------------------------------
    def scores(self, title: str, body: str, *, language: str = "english") -> dict[str, float]:
        """Keyword evidence per topic (unnormalised); the tagger thresholds these."""
        return self._scores_and_headline(_tokens(title, language), _tokens(body, language), language)[0]

    def _scores_and_headline(
        self, title_tokens: list[str], body_tokens: list[str], language: str
    ) -> tuple[dict[str, float], set[str]]:
        """Scores per topic, and the topics a headline names with a strong (weight 3) keyword."""
        counts: Counter[str] = Counter()
        title_hits: Counter[str] = Counter()
        lexicon = self._lexicon(language)
        lexicon.count(title_tokens, title_hits)
        lexicon.count(body_tokens, counts)
        # Topics with strong evidence from a plain keyword; only these count their "~" words.
        anchored = {
            key.split("\t", 1)[0]
            for key in counts.keys() | title_hits.keys()
            if float(key.split("\t", 2)[1]) >= 3.0 and not key.split("\t", 2)[2].startswith(("~", "^"))
        }
        # Topics with two different keywords of weight 2 or more that are not "~": only these (and the anchored
        # ones) count their "^" words, so a club counts beside another club or a sport word, not alone.
        named = Counter(
            key.split("\t", 1)[0]
            for key in counts.keys() | title_hits.keys()
            if float(key.split("\t", 2)[1]) >= 2.0 and not key.split("\t", 2)[2].startswith("~")
        )
        headline = {
            key.split("\t", 1)[0] for key in title_hits if float(key.split("\t", 2)[1]) >= 3.0
        } & anchored
        # key is "topic\tweight\tkeyword"; repeats add less and less, so one word said ten times is not ten
        # signals.
        totals: dict[str, float] = {}
        for key in counts.keys() | title_hits.keys():
            topic_id, weight_text, word = key.split("\t", 2)
            if word.startswith("~") and topic_id not in anchored:
                continue
            if word.startswith("^") and topic_id not in anchored and named[topic_id] < 2:
                continue
            weight = float(weight_text)
            n = counts[key]
            score = weight * (1.0 + math.log(n)) if n else 0.0
            score += TITLE_WEIGHT * weight * min(title_hits[key], 1)
            totals[topic_id] = totals.get(topic_id, 0.0) + score
        return totals, headline

    def tag(
        self, title: str, body: str, declared: Iterable[str] = (), *, language: str | None = None
    ) -> list[str]:
        """Topic ids for an article: declared topics/categories that name catalogue topics, then its text.

        ``language`` (a code such as "de" or "pt-BR", or a name) picks the vocabulary; without one, with one
        the summarizer does not know, or with English (often a template's default), it is guessed from the text.
        """
        result = self.resolve_declared(declared)
        lang = text_language(f"{title}\n{body}", language)
        title_tokens, body_tokens = _tokens(title, lang), _tokens(body, lang)
        scores, headline = self._scores_and_headline(title_tokens, body_tokens, lang)
        if scores:
            best = max(scores.values())
            floor = MIN_SCORE + MIN_SCORE_PER_WORD * (len(title_tokens) + len(body_tokens))
            ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
            for topic_id, score in ranked:
                # A topic the headline names outright ("Carmaker ...") stays even when the body talks money.
                close = score >= RELATIVE_SCORE * best or topic_id in headline
                if score >= floor and close and topic_id not in result:
                    result.append(topic_id)
        return result


class _Lexicon:
    """Weighted keywords indexed for counting: whole words, prefixes ("electio*") and phrases."""

    def __init__(self, entries: Iterable[tuple[str, str, float]], language: str = "english") -> None:
        # Each entry: (topic id, weight, mark); see Topic for "~" and "^".
        self._exact: dict[str, list[_Entry]] = {}
        self._prefix: dict[str, list[_Entry]] = {}
        self._phrases: dict[str, list[_Entry]] = {}
        self._max_phrase = 1
        for topic_id, word, weight in entries:
            entry = (topic_id, weight, word[0] if word[:1] in ("~", "^") else "")
            word = word.lstrip("~^")
            tokens = _tokens(word.rstrip("*"), language)
            if not tokens:
                continue
            if len(tokens) > 1:
                key = " ".join(tokens)
                # A starred phrase ("electric vehicle*") also matches its plural forms.
                forms = [key, key + "s", key + "es"] if word.endswith("*") else [key]
                for form in forms:
                    self._phrases.setdefault(form, []).append(entry)
                self._max_phrase = max(self._max_phrase, len(tokens))
            elif word.endswith("*"):
                self._prefix.setdefault(tokens[0], []).append(entry)
            else:
                self._exact.setdefault(tokens[0], []).append(entry)

    def knows(self, word: str) -> bool:
        """Whether ``word`` is one of the lexicon's whole words (prefixes would take "technologyy" for a word)."""
        return word in self._exact

    def count(self, tokens: list[str], into: Counter[str]) -> None:
        """Add each keyword hit in ``tokens`` to ``into`` as "topic\tweight\tkeyword"."""
        n = len(tokens)
        # Topic id -> the index up to which a weight-0 phrase ("river bank") covers the tokens for that topic:
        # its later words ("bank") do not count for the topic either.
        covered: dict[str, int] = {}
        for i, token in enumerate(tokens):
            matched: dict[str, tuple[float, str]] = {}
            for size in range(self._max_phrase, 1, -1):
                if i + size <= n:
                    phrase = " ".join(tokens[i : i + size])
                    for topic_id, weight, mark in self._phrases.get(phrase, ()):
                        if topic_id not in matched and covered.get(topic_id, 0) <= i:
                            matched[topic_id] = (weight, mark + phrase)
                            if weight == 0:
                                covered[topic_id] = i + size
            # The longest match wins: a phrase that starts here speaks for its topic over its first word, so
            # a weight-0 phrase ("amazon rainforest") keeps the word ("amazon") from counting there, and a
            # weight-0 phrase covering this word ("river bank" over "bank") keeps it from counting too.
            phrased = set(matched) | {t for t, end in covered.items() if end > i}
            # The stronger entry wins, and of two as strong the plain one: the German "Show" is a show, whatever
            # the English "~show" ("research shows") needs.
            for topic_id, weight, mark in self._exact.get(token, ()):
                if topic_id in phrased:
                    continue
                if topic_id not in matched or _rank(matched[topic_id]) < _rank((weight, mark)):
                    matched[topic_id] = (weight, mark + token)
            for cut in range(min(len(token), 24), 1, -1):
                for topic_id, weight, mark in self._prefix.get(token[:cut], ()):
                    if topic_id in phrased:
                        continue
                    if topic_id not in matched or _rank(matched[topic_id]) < _rank((weight, mark)):
                        matched[topic_id] = (weight, mark + token[:cut] + "*")
            for topic_id, (weight, word) in matched.items():
                into[f"{topic_id}\t{weight}\t{word}"] += 1


def _rank(match: tuple[float, str]) -> tuple[float, int]:
    """A keyword match's weight, then how readily it counts: alone (2), beside another keyword ("^", 1), or
    only with the topic's strong evidence ("~", 0)."""
    weight, word = match
    return weight, 0 if word.startswith("~") else 1 if word.startswith("^") else 2


def _norm(word: str) -> str:
    # U+FE0F (emoji presentation) comes and goes between keyboards; "🗳️" and "🗳" are one topic. Phones type
    # curly quotes (“business”, «business»), which must name the topic as straight ones do.
    return " ".join(
        word.replace("_", " ").replace("\ufe0f", "").strip().strip("\"'#“”„‟«»‘’‚‛「」『』").lower().split()
    )


def _variants(key: str) -> list[str]:
    """The word as typed, without a trailing "news", and singular forms ("sports" -> "sport")."""
    out = [key]
    if key.endswith(" news") and len(key) > 5:
        out.append(key[:-5])
    for word in list(out):
        if word.endswith("ies") and len(word) > 4:
            out.append(word[:-3] + "y")
        if word.endswith("es") and len(word) > 4:
            out.append(word[:-2])
        if word.endswith("s") and len(word) > 3:
            out.append(word[:-1])
    out.extend([w.replace("-", " ") for w in out] + [w.replace("-", "").replace(" ", "") for w in out])
    return out


def _tokens(text: str, language: str = "english") -> list[str]:
    # Composed and case-folded, so a decomposed "é" stays one letter and "STRASSE" meets "Straße".
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'").replace("‘", "'").replace("_", " ")
    tokens = [t[:-2] if t.endswith("'s") else t for t in _WORD.findall(text)]
    if language in _ELIDING:
        tokens = [_ELISION.sub("", t) for t in tokens]
    return tokens


def _read_topic_file(path: Path) -> list[Topic]:
    """Topics from an operator file: JSON or TOML with a "topics" list of id/title/emoji/aliases/keywords."""
    raw = path.read_bytes()
    toml = path.suffix.lower() == ".toml"
    if not raw.strip():
        raise ValueError(f'The topic file {path} is empty; it needs a "topics" list.')
    try:
        # "utf-8-sig": Windows Notepad starts a UTF-8 file with a byte order mark, which TOML refused at line 1.
        data: Any = tomllib.loads(raw.decode("utf-8-sig")) if toml else json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        # A topics.yaml was read as JSON and answered only "Expecting value: line 1 column 1".
        fmt = "TOML" if toml else "JSON" if path.suffix.lower() == ".json" else "JSON (or name it .toml)"
        raise ValueError(f"The topic file {path} could not be read as {fmt}: {exc}") from exc
    entries = data.get("topics") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ValueError(f'The topic file {path} needs a list of topics (a top-level "topics" list).')
    topics: list[Topic] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"].strip():
            raise ValueError(f'Every topic in {path} needs an "id".')
        # A misspelt field ("keyword", or a "disabled" the catalogue has not) was dropped without a word.
        unknown = [name for name in entry if name not in _TOPIC_FIELDS]
        if unknown:
            raise ValueError(
                f"Topic {entry['id']!r} in {path}: unknown field {unknown[0]!r} "
                f"(a topic has {', '.join(_TOPIC_FIELDS)})."
            )
        for name in ("title", "emoji"):
            if not isinstance(entry.get(name, ""), str):
                raise ValueError(f'Topic {entry["id"]!r} in {path}: "{name}" must be text.')
        if entry.get("emoji") and not _looks_like_emoji(entry["emoji"]):
            raise ValueError(
                f"Topic {entry['id']!r} in {path}: {entry['emoji']!r} is not an emoji; "
                'give one such as "🌱", or leave "emoji" out.'
            )
        keywords = entry.get("keywords", {})
        if isinstance(keywords, list):  # a plain list of words: all of ordinary weight
            keywords = {str(w): 2.0 for w in keywords}
        if not isinstance(keywords, dict):
            raise ValueError(f'Topic {entry["id"]!r} in {path}: "keywords" must be a list or a table.')
        topic_id = _norm(entry["id"]).replace(" ", "-")
        if not topic_id:
            # "#" or "'" normalise to nothing: a topic no one could name, with the button "t:".
            raise ValueError(f"Topic {entry['id']!r} in {path}: the id needs letters or digits.")
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ValueError(f'Topic {entry["id"]!r} in {path}: "aliases" must be a list of words.')
        for name in (entry["id"], entry.get("title") or "", *aliases):
            if _norm(name) in EVERY_TOPIC_WORDS:
                raise ValueError(
                    f"Topic {entry['id']!r} in {path}: {name!r} means every topic to /subscribe and /unsubscribe "
                    '("/unsubscribe all" drops everything); choose another word.'
                )
        try:
            weights = {str(k).lower(): float(v) for k, v in keywords.items()}
        except (TypeError, ValueError):
            weights = {"": math.nan}
        if not all(math.isfinite(w) for w in weights.values()):
            # JSON's NaN and Infinity, or 1e400: a NaN score fails every threshold, so the topic tagged nothing.
            raise ValueError(f"Topic {entry['id']!r} in {path}: every keyword needs a number as its weight.")
        topics.append(
            Topic(
                id=topic_id,
                title=str(entry.get("title") or ""),
                emoji=str(entry.get("emoji") or ""),
                aliases=tuple(str(a) for a in aliases if str(a).strip()),
                keywords=weights,
            )
        )
    return topics


# What a topic in an operator's file may hold.
_TOPIC_FIELDS = ("id", "title", "emoji", "aliases", "keywords")


def _looks_like_emoji(text: str) -> bool:
    """Whether ``text`` is an emoji: symbols (a keycap, a flag, a ZWJ sequence), no letters or spaces."""
    chars = text.strip()
    return (
        0 < len(chars) <= 16
        and any(unicodedata.category(c) == "So" or c == "\u20e3" for c in chars)
        and not any(unicodedata.category(c)[0] in "LZ" for c in chars)
    )


def _merge(base: Topic | None, extra: Topic) -> Topic:
    """An operator's topic added to (or extending) a built-in one; the operator's values win."""
    if base is None:
        return Topic(
            extra.id,
            extra.title or extra.id.replace("-", " ").title(),
            extra.emoji or "🏷️",
            extra.aliases,
            MappingProxyType(dict(extra.keywords)),
        )
    return Topic(
        base.id,
        extra.title or base.title,
        extra.emoji or base.emoji,
        tuple(dict.fromkeys((*base.aliases, *extra.aliases))),
        MappingProxyType({**base.keywords, **extra.keywords}),
    )


@functools.cache
def default_catalogue() -> TopicCatalogue:
    """The built-in catalogue (built once)."""
    return TopicCatalogue.load()


def tag_topics(title: str, body: str) -> list[str]:
    """Catalogue topic ids for an article's title and body, best first (multi-label)."""
    return default_catalogue().tag(title, body)
