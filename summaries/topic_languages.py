"""Topic vocabularies for news in German, French, Spanish, Portuguese and Italian, and English false friends.

The catalogue's lexicons are English. In an article of another language they keep only their weight-2 and
weight-3 entries (brands, names and loan words such as "Software", "NATO", "Tesla"; everyday English words of
weight 1 are not evidence there), minus the English words that are common words of that language ("war" is
German for "was", "mars" French for March, "eu" Portuguese for "I"). The words below add what the same topics
are called in each language. Written by hand from general news vocabulary, in the weights and notation of
the English lexicons (3 = almost only about this topic, 2 = usually, "*" a prefix, "~" needs a weight-3 word
of the topic elsewhere in the article). Keep them small: a word that is often about something else belongs
in no list.
"""

from __future__ import annotations

LEXICONS: dict[str, dict[str, dict[str, str]]] = {
    "german": {
        "automotive": {
            "w3": "autobauer*, autohersteller*, autoindustrie, autokonzern*, automobil*, elektroauto*, "
            "e-auto, e-autos, verbrenner*, fahrzeughersteller*, pkw, neuwagen*, gebrauchtwagen*, ladesäule*, "
            "autonomes fahren, kraftfahrt-bundesamt, autozulieferer*",
            "w2": "auto, autos, fahrzeug, fahrzeuge, fahrzeugen, autofahrer*, elektromobilität, e-mobilität, "
            "ladestation*, rückruf*",
        },
        "business": {
            "w3": "aktie, aktien, aktienkurs*, aktionär*, börse*, umsatz*, konzern*, quartal*, bilanz*, "
            "insolvenz*, übernahme*, fusion*, inflation, leitzins*, zinsen, zentralbank*, bundesbank, ezb, "
            "konjunktur*, wirtschaftswachstum, bruttoinlandsprodukt, arbeitslos*, vorstandschef*, dax, "
            "wirtschaftsminist*",
            "w2": "unternehmen, firma, firmen, wirtschaft, wirtschaftlich*, markt, märkte, handel, bank, "
            "banken, preise, kosten, steuer, steuern, milliarde, milliarden, gewinn, gewinne, verlust*, "
            "umsätze, export*, import*, kredit*, ökonom*, investor*, besitzer, verkauf, verkauft",
        },
        "technology": {
            "w3": "software*, programmier*, entwickler*, informatik*, rechenzentr*, künstliche intelligenz, ki, "
            "datenschutz*, sicherheitslücke*, hackerangriff*, digitalisierung*, smartphone*, betriebssystem*, "
            "quellcode, open-source, programmiersprache*, datenbank*, computer*, server*, browser*, "
            "javascript, java, framework*, cloud, app, apps, it-sicherheit",
            "w2": "daten, netz, netzwerk*, technik, technologie*, digital*, online, nutzer*, anwendung*, "
            "version*, update*, speicher*, rechner*, chip, chips, prozessor*, bildschirm*, gerät, geräte, "
            "plattform*, entwicklung*",
        },
        "science": {
            "w3": "wissenschaft*, forscher*, forschung*, physik*, chemie*, biologie*, astronom*, weltraum*, "
            "raumfahrt*, klimawandel*, erderwärmung, treibhausgas*, teleskop*, planet*, klimaschutz*, "
            "experiment*, tierart*",
            "w2": "studie, studien, labor, klima*, umwelt*, natur*, energie*, professor*, universität*, "
            "hochschule*",
        },
        "health": {
            "w3": "gesundheit*, krankenhaus*, krankenhäuser*, klinik*, patient*, ärzte, ärztin*, arzt, krankheit*, "
            "erkrank*, impfung*, impfstoff*, pandemie*, epidemie*, krebs*, therapie*, medikament*, "
            "krankenkasse*, diagnose*, infektion*, viren",
            "w2": "medizin*, behandlung*, pflege*, gesund, ernährung*, sucht*, virus",
        },
        "politics": {
            "w3": "politik*, politiker*, regierung*, bundesregierung*, bundestag*, bundesrat*, landtag*, "
            "parlament*, minister*, ministerin, ministerium, bundeskanzler*, kanzler*, kanzlerin, wahl, wahlen, "
            "wahlkampf*, bundestagswahl*, landtagswahl*, wähler*, koalition*, opposition*, partei*, "
            "abgeordnete*, gesetz, gesetze, gesetzentwurf*, spd, cdu, csu, fdp, afd, bürgermeister*, "
            "präsident*",
            "w2": "reform*, debatte*, demokrat*, staat, verfassung*, protest*, demonstr*, grünen, linke",
        },
        "world": {
            "w3": "krieg*, außenminister*, diplomat*, sanktion*, waffenstillstand*, waffenruhe*, flüchtling*, armee*, nahost*, "
            "soldat*, militär*, uno, vereinte nationen, europäische union, eu, terror*, russland, ukraine, "
            "china, usa, frankreich, großbritannien, israel, iran, türkei, nordkorea, afrika",
            "w2": "ausland*, international*, grenze*, konflikt*, angriff*, weltweit, migrant*, botschaft",
        },
        "sport": {
            "w3": "fußball*, bundesliga*, champions league, weltmeisterschaft*, europameisterschaft*, "
            "olympi*, torwart*, stürmer*, spieltag*, tabellenführer*, elfmeter*, torschütze*, dfb, tennis, "
            "formel 1, handball*, eishockey*, leichtathletik*, radsport*, regionalliga*, oberliga*, "
            "bundesligist*, zweitligist*, drittligist*, regionalligist*, erstligist*, transferfenster*, "
            "ablösesumme*, ablösefrei*, sportdirektor*, cheftrainer*, trainerposten*, traineramt*, "
            "innenverteidiger*, rechtsverteidiger*, linksverteidiger*, mittelfeldspieler*, abwehrspieler*",
            "w2": "~trainer*, ~tor, ~tore, ~spiel, ~spiele, ~spieler*, ~mannschaft*, ~verein*, ~saison*, "
            "~sieg*, ~niederlage*, ~meister*, ~liga, ~turnier*, stadion*, ~fans, ~pokal*, ~klub*, ~kader*, "
            "~transfer*, ~neuzugang*",
        },
        "entertainment": {
            "w3": "film, filme, kino*, schauspieler*, schauspielerin*, regisseur*, musik*, musiker*, sänger*, "
            "sängerin*, konzert*, album, alben, festival*, theater*, fernsehserie*, roman, romane, "
            "schriftsteller*, künstler*, promi*, netflix, kinostart*, dreharbeiten, hauptdarsteller*, "
            "hauptrolle*, bestseller*, fernsehsendung*",
            "w2": "fernseh*, tv, serie, serien, show, star, stars, bühne*, buch, bücher, autor*, autorin*, "
            "ausstellung*, museum*, moderator*, sendung, sendungen, zuschauer*, premiere*, influencer*",
        },
        "e-commerce": {
            "w3": "onlinehandel*, online-handel*, onlineshop*, online-shop*, versandhändler*, versandhandel*, "
            "onlinehändler*, online-händler*, e-commerce, lieferdienst*",
            "w2": "händler*, einzelhandel*, lieferung*, bestellung*, paket, pakete, einkauf*",
        },
    },
    "french": {
        "automotive": {
            "w3": "constructeur automobile, constructeurs automobiles, automobile*, voiture*, "
            "véhicule électrique, véhicules électriques, concessionnaire*, borne de recharge, "
            "bornes de recharge, moteur thermique",
            "w2": "véhicule, véhicules, automobiliste*, conducteur*, moteur, moteurs",
        },
        "business": {
            "w3": "entreprise*, économie*, économique*, bourse*, actionnaire*, chiffre d'affaires, bénéfice*, "
            "chômage, inflation, banque centrale, bce, taux d'intérêt, pib, faillite*, fusion*, rachat*, "
            "cac 40, investisseur*, dividende*, pdg",
            "w2": "marché*, société, sociétés, banque*, milliard*, financ*, commerce*, industri*, salarié*, "
            "emploi*, impôt*, taxe*, budget*, dette*, usine*, ventes, croissance",
        },
        "technology": {
            "w3": "logiciel*, informatique*, ordinateur*, numérique*, intelligence artificielle, ia, "
            "smartphone*, cybersécurité, cyberattaque*, piratage*, réseaux sociaux, réseau social, "
            "start-up*, jeu vidéo, jeux vidéo, technologie*, technologique*",
            "w2": "données, réseau*, utilisateur*, en ligne, puce*, écran*, appareil*, serveur*, "
            "application*, internaute*",
        },
        "science": {
            "w3": "scientifique*, chercheur*, chercheuse*, physique, chimie, biologie, astronom*, spatial*, "
            "planète*, changement climatique, réchauffement climatique, gaz à effet de serre, laboratoire*, "
            "cnrs, biodiversité",
            "w2": "climat*, environnement*, recherche*, étude, études, énergie*, espace, espèce*, université*",
        },
        "health": {
            "w3": "santé, hôpital, hôpitaux, médecin*, patient*, maladie*, infirmi*, vaccin*, épidémie*, "
            "pandémie*, cancer*, chirurgi*, médicament*, clinique*, grippe, diabète, obésité",
            "w2": "médical*, malade*, soins, sanitaire*, thérap*, douleur*, traitement*, urgences, virus",
        },
        "politics": {
            "w3": "politique*, élection*, électeur*, électoral*, électorale*, scrutin*, vote*, voter, "
            "présidentielle*, législatives, parlement*, député*, sénat*, sénateur*, ministre*, gouvernement*, "
            "premier ministre, assemblée nationale, élysée, matignon, parti, partis, opposition*, "
            "campagne électorale, candidat*, maire*, mairie*, projet de loi, coalition*, macron, le pen, "
            "mélenchon",
            "w2": "président*, présidence, débat*, manifestation*, démocrat*, sondage*, majorité, réforme*, loi, lois",
        },
        "world": {
            "w3": "guerre*, armée*, militaire*, soldat*, diplomat*, ambassade*, ambassadeur*, sanction*, "
            "cessez-le-feu, réfugié*, otage*, terroris*, attentat*, onu, otan, union européenne, ue, russie, "
            "ukraine, chine, états-unis, allemagne, royaume-uni, israël, iran, afrique",
            "w2": "international*, étranger*, pays, frontière*, conflit*, attaque*, mondial*, crise, migrant*",
        },
        "sport": {
            "w3": "football*, footballeur*, ligue 1, ligue des champions, coupe du monde, championnat*, "
            "gardien de but, attaquant*, buteur*, tennis, rugby, cyclisme, jeux olympiques, tournoi*, psg, "
            "olympique",
            "w2": "~entraîneur*, ~match, ~matchs, ~joueur*, ~joueuse*, ~équipe*, ~club*, ~saison*, ~victoire*, "
            "~défaite*, ~but, ~buts, ~finale*, ~champion*, ~supporteur*, ~supporter*, ~stade*",
        },
        "entertainment": {
            "w3": "film, films, cinéma*, acteur*, actrice*, réalisateur*, réalisatrice*, chanteur*, "
            "chanteuse*, musique*, musicien*, concert*, album*, festival*, théâtre*, téléréalité, roman, "
            "romans, romancier*, écrivain*, célébrit*, oscar*, tournage*, box-office, avant-première*, "
            "long métrage, long-métrage, téléfilm*",
            "w2": "télévision, télé, émission*, spectacle*, livre, livres, auteur*, autrice*, artiste*, "
            "scène*, chanson*, série*, exposition*, musée*, star, stars, animateur*, animatrice*, influenceu*",
        },
        "e-commerce": {
            "w3": "commerce en ligne, achats en ligne, vente en ligne, ventes en ligne, e-commerce, "
            "site marchand, colis",
            "w2": "commande*, livraison*, achat*, commerçant*, consommateur*",
        },
    },
    "spanish": {
        "automotive": {
            "w3": "automóvil*, automovilístic*, fabricante de automóviles, fabricantes de automóviles, "
            "fabricante de coches, fabricantes de coches, coche eléctrico, coches eléctricos, "
            "vehículo eléctrico, vehículos eléctricos, concesionario*, automotriz, automotor*",
            "w2": "coche, coches, vehículo*, auto, autos, conductor*, motor, motores, carro, carros",
        },
        "business": {
            "w3": "empresa*, economía*, económic*, bolsa de valores, accionista*, beneficio*, ganancia*, "
            "facturación, inflación, banco central, bce, tipos de interés, tasa de interés, pib, quiebra*, "
            "fusión*, adquisición*, ibex, inversor*, inversionista*, dividendo*, desempleo",
            "w2": "mercado*, banco, bancos, millones, financ*, precio*, comercio*, industria*, ventas, "
            "impuesto*, presupuesto*, deuda*, fábrica*, producción, exportacion*, inversión*, negocio*, "
            "bolsa, paro, ingresos",
        },
        "technology": {
            "w3": "tecnología*, tecnológic*, informátic*, ordenador*, computador*, computadora*, "
            "inteligencia artificial, ia, smartphone*, ciberataque*, ciberseguridad, redes sociales, "
            "red social, videojuego*, startup*",
            "w2": "datos, red, redes, usuario*, en línea, chip*, pantalla*, dispositivo*, servidor*, "
            "plataforma*, aplicación*, digital*",
        },
        "science": {
            "w3": "científic*, física, química, biología, astronom*, espacial*, planeta*, cambio climático, "
            "calentamiento global, gases de efecto invernadero, laboratorio*",
            "w2": "clima*, medio ambiente, ambiental*, investigación, investigador*, estudio, estudios, "
            "energía*, naturaleza, universidad*, espacio, especie*",
        },
        "health": {
            "w3": "salud, hospital*, médico*, médica*, paciente*, enfermedad*, enfermer*, vacuna*, epidemia*, "
            "pandemia*, cáncer*, cirugía*, sanidad, sanitari*, medicamento*, clínic*, gripe, diabetes, "
            "obesidad",
            "w2": "terapia*, dolor, síntoma*, diagnóstic*, tratamiento*, virus, enfermo*",
        },
        "politics": {
            "w3": "política*, político*, elección*, elecciones, electoral*, votación*, votante*, urnas, "
            "parlamento*, congreso*, senado*, senador*, diputado*, ministro*, ministra*, gobierno*, "
            "presidente del gobierno, oposición, candidat*, alcalde*, ley, leyes, coalición*, psoe, moncloa",
            "w2": "partido*, voto*, presidente*, presidencia, debate*, manifestación*, democr*, encuesta*, "
            "mayoría, reforma*",
        },
        "world": {
            "w3": "guerra*, ejército*, militar*, soldado*, diplomátic*, embajad*, sanción, sanciones, "
            "alto el fuego, refugiado*, rehén*, terroris*, atentado*, onu, otan, unión europea, ue, rusia, "
            "ucrania, estados unidos, eeuu, alemania, francia, reino unido, israel, irán, áfrica",
            "w2": "internacional*, extranjero*, país, países, frontera*, conflicto*, ataque*, crisis, migrante*",
        },
        "sport": {
            "w3": "fútbol*, futbolista*, liga de campeones, copa del mundo, mundial de fútbol, laliga, "
            "portero*, delantero*, goleador*, penalti*, tenis, golf, baloncesto, ciclismo, "
            "juegos olímpicos, torneo*, campeonato*, real madrid",
            "w2": "~entrenador*, ~partido*, ~jugador*, ~equipo*, ~club*, ~temporada*, ~victoria*, ~derrota*, "
            "~gol, ~goles, ~final, ~campeón*, ~aficionado*, ~hinchas, ~estadio*, ~mundial",
        },
        "entertainment": {
            "w3": "película*, cine, cineasta*, actor, actores, actriz*, cantante*, música*, músico*, "
            "concierto*, álbum*, festival*, teatro*, telenovela*, novela*, escritor*, celebridad*, oscar*, "
            "rodaje*, taquilla*, alfombra roja, largometraje*, premios goya",
            "w2": "televisión, tv, serie, series, libro*, autor*, artista*, escenario*, canción*, canciones, "
            "museo*, exposición*, famoso*, estreno*, presentador*, influencer*",
        },
        "e-commerce": {
            "w3": "comercio electrónico, compras en línea, compras online, tienda online, tiendas online, "
            "tienda en línea, tiendas en línea, venta online, ventas online, mercado libre, e-commerce",
            "w2": "pedido*, entrega*, envío*, compra*, minorista*, consumidor*, paquete*",
        },
    },
    "portuguese": {
        "automotive": {
            "w3": "automóvel, automóveis, automobilístic*, montadora*, fabricante de automóveis, "
            "fabricantes de automóveis, carro elétrico, carros elétricos, veículo elétrico, "
            "veículos elétricos, concessionária*, automotiv*",
            "w2": "carro, carros, veículo*, motor, motores",
        },
        "business": {
            "w3": "empresa*, economia*, económic*, econômic*, bolsa de valores, bovespa, ibovespa, acionista*, "
            "lucro*, faturação, faturamento, inflação, banco central, bce, juros, pib, falência*, fusão, "
            "fusões, aquisição*, investidor*, dividendo*, desemprego, psi 20",
            "w2": "mercado*, banco, bancos, milhões, bilhões, financ*, preço*, comércio*, indústria*, vendas, "
            "imposto*, irs, orçamento*, dívida*, fábrica*, produção, exportaç*, investimento*, negócio*, "
            "salário*, crédito*, ações, euros, receita*",
        },
        "technology": {
            "w3": "tecnologia*, tecnológic*, informátic*, computador*, inteligência artificial, ia, "
            "smartphone*, telemóve*, celular, celulares, ciberataque*, cibersegurança, aplicativo*, "
            "redes sociais, rede social, videojogo*, videogame*, startup*",
            "w2": "dados, rede, usuário*, utilizador*, online, chip*, ecrã*, tela, dispositivo*, servidor*, "
            "plataforma*, bateria*, digital*",
        },
        "science": {
            "w3": "cientista*, científic*, física, química, biologia, astronom*, espacial*, planeta*, "
            "alterações climáticas, mudanças climáticas, mudança climática, aquecimento global, "
            "gases de efeito estufa, laboratório*",
            "w2": "clima*, climátic*, meio ambiente, ambiental*, pesquisador*, investigador*, estudo, "
            "estudos, energia*, natureza, universidade*, espaço, espécie*",
        },
        "health": {
            "w3": "saúde, hospital, hospitais, hospitalar, médico*, médica*, paciente*, doença*, enfermeir*, "
            "vacina*, epidemia*, pandemia*, cancro*, câncer*, cirurgia*, medicamento*, clínic*, gripe, "
            "diabetes, obesidade, pneumonia",
            "w2": "terapia*, dor, dores, sintoma*, diagnostic*, tratamento*, doente*, internad*, vírus, "
            "sns, sus",
        },
        "politics": {
            "w3": "polític*, eleição, eleições, eleitor*, eleitoral*, votação*, urnas, parlamento*, "
            "assembleia da república, congresso*, senado*, senador*, deputad*, ministro*, ministra*, "
            "governo*, primeiro-ministro, partido*, oposição, candidat*, presidente da república, prefeit*, "
            "autarca*, autárquica*, lei, leis, coligação*, coalizão, psd, psdb, mdb, pcp, bolsonaro, lula, "
            "ibope, datafolha, impeachment",
            "w2": "voto*, presidente*, presidência, debate*, manifestaç*, democr*, sondage*, maioria, "
            "reforma*, ps, pt, inquérito*, improbidade, ministério público",
        },
        "world": {
            "w3": "guerra*, exército*, militar, militares, soldado*, diplomat*, embaixad*, sanção, sanções, "
            "cessar-fogo, refugiado*, refém, reféns, terroris*, atentado*, onu, otan, união europeia, ue, "
            "rússia, ucrânia, estados unidos, eua, alemanha, frança, reino unido, israel, irão, irã, áfrica, "
            "coreia do norte, china, talibã*",
            "w2": "internacional*, estrangeir*, país, países, fronteira*, conflito*, ataque*, crise, migrante*",
        },
        "sport": {
            "w3": "futebol*, futebolista*, liga dos campeões, copa do mundo, mundial de futebol, campeonato*, "
            "brasileirão, primeira liga, guarda-redes, goleiro*, atacante*, artilheiro*, pênalti*, "
            "penálti*, ténis, tênis, basquetebol, basquete, ciclismo, jogos olímpicos, torneio*, árbitro*, "
            "benfica, fc porto, flamengo, corinthians, palmeiras, futsal, stock car, nascar, fórmula 1",
            "w2": "~treinador*, ~técnico*, ~jogo, ~jogos, ~jogador*, ~equipa*, ~equipe*, ~clube*, "
            "~temporada*, ~vitória*, ~derrota*, ~golo, ~golos, ~gol, ~gols, ~final, ~campeão, ~campeã, "
            "~campeões, ~adeptos, ~torcedor*, ~torcida, ~partida*, ~divisão, ~taça, ~copa, ~estádio*, "
            "~seleção",
        },
        "entertainment": {
            "w3": "filme*, cinema*, ator, atores, atriz*, realizador*, cineasta*, cantor*, cantora*, música*, "
            "músico*, concerto*, álbum*, festival*, teatro*, telenovela*, novela*, escritor*, "
            "celebridade*, óscar*, oscar*, apresentador*, bilheteria*, bilheteira*, longa-metragem, "
            "reality show, big brother, tapete vermelho",
            "w2": "televisão, tv, livro*, autor*, artista*, palco*, canção*, série*, museu*, exposição*, "
            "famos*, estreia*, influenciador*, fãs, protagonista*",
        },
        "e-commerce": {
            "w3": "comércio eletrónico, comércio eletrônico, compras online, loja online, lojas online, "
            "loja virtual, lojas virtuais, vendas online, mercado livre, e-commerce, encomenda*",
            "w2": "pedido*, entrega*, compra*, varejo*, retalho*, consumidor*",
        },
    },
    "italian": {
        "automotive": {
            "w3": "casa automobilistica, case automobilistiche, gruppo automobilistico, industria automobilistica, "
            "auto elettrica, auto elettriche, veicolo elettrico, veicoli elettrici, concessionari*, "
            "colonnine di ricarica, immatricolazion*, motore termico",
            "w2": "auto, automobile, automobili, vettura, vetture, veicolo, veicoli, automobilist*",
        },
        "business": {
            "w3": "azienda, aziende, aziendal*, economia, economic*, borsa, piazza affari, azionist*, fatturato, "
            "ricavi, inflazione, banca centrale, bce, tassi di interesse, pil, fallimento, fusione, "
            "acquisizion*, investitor*, dividend*, disoccupazione, ftse mib, amministratore delegato, spread",
            "w2": "mercato, mercati, banca, banche, miliardi, milioni, finanz*, prezzi, commercio, industria*, "
            "vendite, impres*, tasse, imposte, debito, fabbrica, fabbriche, produzione, export, investiment*",
        },
        "technology": {
            "w3": "tecnologi*, informatic*, intelligenza artificiale, ia, cybersicurezza, attacco hacker, "
            "attacchi hacker, social network, videogioc*, realtà virtuale, sistema operativo",
            "w2": "dati, rete, utenti, online, chip, schermo, dispositiv*, server, piattaform*, applicazion*, "
            "digital*, processore*, visore*",
        },
        "science": {
            "w3": "scienziat*, scientific*, chimica, biologia, astronom*, spazial*, pianeta, pianeti, "
            "cambiamento climatico, cambiamenti climatici, riscaldamento globale, gas serra, laboratori*, "
            "telescopio*, ricercator*, inaf, infn, cnr",
            "w2": "fisica, clima, climatic*, ambiente, ambiental*, ricerca, studio, studi, energia, natura, "
            "università, spazio, specie",
        },
        "health": {
            # "dieta" as masking "diet*" (for "dietro", behind) took it away.
            "w3": "salute, sanità, sanitari*, ospedal*, medico, medici, medicina, pazient*, malatti*, "
            "infermier*, vaccin*, epidemi*, pandemi*, tumor*, cancro, chirurg*, farmac*, clinic*, diabete, "
            "obesità, pronto soccorso, dieta, diete, dietetic*, dietist*, dietolog*",
            "w2": "influenza, terapi*, dolore, sintom*, diagnos*, virus, ricover*, asl",
        },
        "politics": {
            "w3": "politic*, elezion*, elettor*, elettoral*, votazion*, parlamento, parlamentar*, "
            "camera dei deputati, senato, senator*, deputat*, ministr*, governo, presidente del consiglio, "
            "consiglio dei ministri, palazzo chigi, quirinale, opposizion*, candidat*, sindaco, sindaca, "
            "legge, leggi, legge di bilancio, coalizion*, partito, partiti, referendum, fratelli d'italia, "
            "forza italia, m5s",
            "w2": "voto, voti, presidente, presidenza, dibattito, manifestazion*, democra*, sondaggi*, "
            "maggioranza, riforma, riforme, premier, manovra, pd",
        },
        "world": {
            "w3": "guerra, guerre, esercito, militar*, soldat*, diplomati*, ambasciat*, sanzioni, "
            "cessate il fuoco, tregua, rifugiat*, ostaggi*, terroris*, attentat*, onu, alleanza atlantica, "
            "unione europea, ue, russia, ucraina, stati uniti, germania, francia, regno unito, israele, iran, "
            "cina, africa, medio oriente",
            "w2": "internazional*, esteri, estero, paese, paesi, confin*, conflitt*, attacco, attacchi, crisi, "
            "migranti",
        },
        "sport": {
            "w3": "calcio, calciator*, serie a, serie b, champions league, coppa del mondo, mondiali, "
            "campionato, scudetto, portiere, attaccante, centrocampist*, capocannonier*, tennis, ciclismo, "
            "giro d'italia, pallavolo, basket, formula 1, olimpiad*, juventus, juve",
            "w2": "~allenator*, ~partita, ~partite, ~giocator*, ~squadra, ~squadre, ~club, ~stagione, "
            "~vittoria, ~sconfitta, ~gol, ~finale, ~campion*, ~tifos*, ~stadio, ~classifica, ~derby, ~rigore",
        },
        "entertainment": {
            "w3": "film, cinema, attore, attori, attrice, attrici, regista, registi, cantant*, musica, "
            "musicist*, concert*, album, festival, teatr*, romanzo, romanzi, scrittor*, celebrità, oscar, "
            "sanremo, mostra del cinema, box office",
            "w2": "televisione, tv, serie, fiction, libro, libri, autor*, artist*, palco, canzon*, museo, musei, "
            "mostra, mostre, spettacol*, conduttor*, conduttrice",
        },
        "e-commerce": {
            "w3": "commercio elettronico, e-commerce, acquisti online, negozio online, negozi online, "
            "vendite online, shopping online",
            "w2": "ordini, consegn*, acquist*, rivenditor*, consumator*, pacco, pacchi",
        },
    },
}

# English lexicon entries (as written there) that are everyday words of another language, so never evidence
# in it: German "war" (was), "Art" (kind), "Diät"-free "Dieter"; French "mars" (March), "car" (because),
# "coup" (blow), "pain" (bread), "(j')ai", "(il a) eu", "revenue" (came back), "profiter"; Spanish "mayor"
# (bigger), "esa" (that), "sales" (you leave), "golfo" (gulf), "rebelde"; Portuguese "eu" (I), "aí"/"ai",
# "data" (date), "meta" (goal), "rebelde". "gp" is a Grand Prix outside British English; "capital" a city.
# Languages without a vocabulary above keep the borrowed entries, so theirs are listed too: Italian "ai" (to
# the), "dietro" (behind), "lungo" (long), "Camera" (the lower house), "code" (queues), "data" (date), "fame"
# (hunger), "meta" (goal), "nato" (born); Swedish "sedan" (since, ago), "mars" (March), "art" (species); Polish "temu" (ago),
# "data" (date).
FALSE_FRIENDS: dict[str, str] = {
    # "region*" is world news in English; "Regionalliga", "Regione Lombardia", "Region Skåne" are local.
    "german": "war, art, diet*, gp, gps, region*",
    "french": "mars, eu, ai, car, cars, coup, pain, stage, tour, code, revenue*, profit*, bond*, capital, "
    "audience*, france, gp, gps",
    "spanish": "mayor*, esa, sales, golf*, rebel*, director, data, meta, ai, capital, barcelona, gp, gps",
    "portuguese": "eu, ai, data, meta, rebel*, capital, gp, gps",
    "italian": "ai, diet*, lung*, camera*, code, data, fame, meta, nato, gp, gps, region*",
    "swedish": "sedan*, mars, art, region*",
    "polish": "temu, data",
}

# What news sites in other languages call their sections, as feeds declare them for each item ("Economia",
# "Desporto", "Mundo", "Wirtschaft"), for the catalogue topic that section is. Feed categories only: a word a
# reader sends to /subscribe stays a keyword. Plurals and "&"-joined names are handled by the catalogue.
_SECTIONS: dict[str, str] = {
    "business": "wirtschaft, finanzen, economia, economía, économie, negócios, negocios, mercado, finanças, "
    "finanzas, ekonomi, gospodarka, ekonomika, οικονομία",
    "politics": "politik, política, politique, politica, polityka, politika, πολιτική",
    "world": "welt, ausland, internacional, mundo, monde, mondo, esteri, världen, utrikes, świat, svět, κόσμος",
    "sport": "desporto, esporte, deporte, fußball, futebol, fútbol, calcio, idrott",
    "technology": "technik, netzwelt, tecnologia, tecnología, technologie, informática, tecnologie, technika",
    "science": "wissenschaft, wissen, ciência, ciencia, scienza, vetenskap, nauka, věda, επιστήμη",
    "health": "gesundheit, saúde, salud, santé, salute, hälsa, zdrowie, zdraví, υγεία",
    "entertainment": "unterhaltung, kultur, entretenimento, entretenimiento, divertissement, spettacoli, cultura, "
    "kino, cinema, cine, celebridades, famosos, nöje, rozrywka, kultura",
    "automotive": "automóveis, automóvil, automobile, motori, motoren",
}
SECTION_NAMES: dict[str, str] = {
    name.strip(): topic for topic, names in _SECTIONS.items() for name in names.split(",")
}
