"""Names as typed by any agency made comparable: normalised forms, phonetic keys, similarity,
and nicknames and spelling or language variants, both ways."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from typing import NamedTuple

import jellyfish
from nicknames import name_triplets
from rapidfuzz.distance import JaroWinkler

# Titles and suffixes carry no identity and are recorded inconsistently across agencies.
_TITLES = frozenset(
    "mr mrs ms miss mx dr rev revd sir dame lord lady prof master jr jnr junior sr snr senior "
    "ii iii iv".split()
)


# Letters NFKD does not decompose into a base letter and an accent.
_TRANSLITERATE = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ı": "i"}
)


# Apostrophes (straight, curly, modifier, backtick) join the parts: O'Brien -> obrien.
_APOSTROPHES = re.compile(r"['’‘`ʼ]")


_NOT_LETTERS = re.compile(r"[^a-z]+")


@lru_cache(maxsize=65_536)
def normalise_name(value: str) -> str:
    """Lower-case ASCII words separated by single spaces, with titles removed.

    "Dr Seán O'Brien-Smith Jnr" -> "sean obrien smith". Hyphens and other punctuation
    separate words (a double-barrelled name is two words); apostrophes join them.
    """
    text = unicodedata.normalize("NFKD", value.casefold().translate(_TRANSLITERATE))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _APOSTROPHES.sub("", text)
    words = _NOT_LETTERS.sub(" ", text).split()
    kept = [word for word in words if word not in _TITLES]
    # A name that is only a "title" ("Lord") is kept rather than emptied.
    return " ".join(kept or words)


def name_tokens(value: str) -> list[str]:
    """The words of a normalised name: "Smith-Jones" -> ["smith", "jones"]."""
    return normalise_name(value).split()


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: "e16an" -> "E1 6AN"."""
    compact = re.sub(r"[^A-Z0-9]", "", value.upper())
    if len(compact) < 5:
        return compact  # an outward code alone, or not a postcode: keep what there is
    return f"{compact[:-3]} {compact[-3:]}"


def _outward(postcode: str) -> str:
    return postcode.split(" ")[0] if " " in postcode else postcode


def postcode_sector(postcode: str) -> str:
    """The outward code and the inward code's digit: "QA1 2BC" -> "QA1 2", a street or two
    (blank unless `postcode` is a whole postcode)."""
    normal = normalise_postcode(postcode)
    return normal[:-2] if " " in normal else ""


_NOT_WORDS = re.compile(r"[^a-z0-9]+")


# Words agencies shorten in addresses and place names, and what they stand for.
_PLACE_WORDS = {
    "st": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "dr": "drive",
    "cl": "close",
    "ct": "court",
    "cres": "crescent",
    "gdns": "gardens",
    "pl": "place",
    "sq": "square",
    "hse": "house",
    "mt": "mount",
    "nth": "north",
    "sth": "south",
    "upr": "upper",
    "lwr": "lower",
    "gt": "great",
}


@lru_cache(maxsize=65_536)
def normalise_place(value: str) -> str:
    """A place name or address line as comparable words: lower-case ASCII, punctuation
    dropped, common shortenings written out ("St. Mary's Rd" -> "street marys road";
    "Newcastle-upon-Tyne" -> "newcastle upon tyne")."""
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _APOSTROPHES.sub("", text).replace("&", " and ")
    words = _NOT_WORDS.sub(" ", text).split()
    return " ".join(_PLACE_WORDS.get(word, word) for word in words)


@lru_cache(maxsize=65_536)
def phonetic_key(value: str) -> str:
    """Metaphone of the name with its words joined ("Mc Donald" and "MacDonald" agree).

    Metaphone (jellyfish) keeps consonant sounds: Mohammed/Muhammad -> MHMT, Stephen/Steven
    -> STFN, Catherine/Kathryn -> K0RN.
    """
    joined = normalise_name(value).replace(" ", "")
    return jellyfish.metaphone(joined) if joined else ""


@lru_cache(maxsize=65_536)
def _nysiis(value: str) -> str:
    return jellyfish.nysiis(value) if value else ""


def _similarity(a: str, b: str) -> float:
    return JaroWinkler.similarity(a, b)


# Metaphone alone folds vowels away, so John/Jane and Dean/Dan share a key; two names count as
# sounding alike only if their spelling is also this close (John/Jane 0.67, Jon/John 0.93).
_PHONETIC_MIN_SIMILARITY = 0.80


# Jaro-Winkler at or above this is a typing slip (one letter in a name of six or more).
_SIMILAR_MIN = 0.92


def _sounds_alike(a: str, b: str) -> bool:
    if _similarity(a, b) < _PHONETIC_MIN_SIMILARITY:
        return False
    return jellyfish.metaphone(a) == jellyfish.metaphone(b) or _nysiis(a) == _nysiis(b)


# Spellings and transliterations of one name: every pair in a line is a variant pair.
_SPELLING_GROUPS = """
mohammed muhammad mohamed mohammad muhammed mohamad mohammod muhamed mohamud mohd
ahmed ahmad ahmet ahmid
hussain husain hussein hossain husein hosein
hassan hasan hassen
yusuf yousuf yousef yusef yousaf
ibrahim ebrahim ibraheem
ismail ismael esmail
abdul abdel abdool
abdullah abdallah abdulla abdullahi abdulahi
usman osman uthman othman
omar umar omer
mustafa mustapha mostafa
khalid khaled
tariq tarik tarek tareq
imran imraan
faisal faysal feisal
zubair zubeir zubayr
bilal belal
suleman suleiman sulaiman sulayman
shahid shaheed
rashid rasheed
nadeem nadim
sajid sajjid
aisha ayesha aishah ayisha
fatima fatimah fatema
zainab zaynab zeinab
maryam mariam
amina aminah ameena
nasreen nasrin
parveen perveen parvin
yasmin yasmeen yasmine
gurpreet gurprit
harpreet harprit
mandeep mandip
kuldip kuldeep
sukhdev sukhdeep
rajinder rajender
ravinder ravindar
oluwaseun seun
babatunde tunde
oluwafemi femi
olumide mide
chukwuemeka emeka
oluwatobi tobi
olusegun segun
ifeanyi ify
adebayo bayo
chinedu nedu
mahmoud mahmood mahmud
aleksander alexander aleksandr oleksandr alexandr alexandru aleksandar
aleksandra alexandra oleksandra alexandria
dmitri dmitry dimitri dmytro
sergei sergey serhiy sergiu
andrei andrey andriy
mikhail mihail mihai
vladimir volodymyr
yuri yuriy iurie
katarzyna katarina katerina
ioana iona
nicolae nikolai nikolay mykola
sean shaun shawn shaan
siobhan shivaun chevonne shevaun
niamh neve neeve
aoife eefa
sinead shinead
roisin rosheen
grainne grania
caoimhe keeva
padraig padraic
ciaran kieran kieron
eoin owen
aidan aiden aden
conor connor conner
rory ruairi
seamus shamus
diarmuid dermot
eamon eamonn
saoirse seersha
jon john
stephen steven stephan
jeffrey geoffrey jeffery
philip phillip
alan allan allen
neil neal
brian bryan
matthew mathew
leigh lee
kerry kerrie
tracey tracy
stacey stacy
zoe zoey
katie katy katey
caitlin kaitlyn katelyn
leanne lianne leeann
lindsay lindsey
carl karl
mark marc
eric erik
jamie jaimie
dwayne duane
jermaine germaine
marcus markus
cheryl sheryl
sarah sara
hannah hanna
rebecca rebekah
antony anthony
jayden jaden jaiden
aaliyah aliyah
catherine katherine kathryn katharine cathryn kathrine
ann anne
"""


# Short forms in common UK use that the nicknames data set lacks: each short form is a variant
# of every spelling in its long name's group.
_SHORT_FORMS = """
mohammed: mo moe
abdullah: abdul
aleksander: olek alek sasha
aleksandra: ola sasha
andrei: andy
katarzyna: kasia kate
malgorzata: gosia
agnieszka: aga
magdalena: magda
ifeanyi: ify
danielle: dani
kayleigh: kay
chantelle: chan
"""


# The same name in another language, as recorded when a Polish or Lithuanian name is
# anglicised on a form. Treated as variants, explained as such.
_OTHER_LANGUAGE_FORMS = """
peter: piotr pyotr petr petras
paul: pawel pavel paulius
thomas: tomasz tomas tomos
christopher: krzysztof kristof
martin: marcin martynas
michael: michal mikhail mihai mykhailo
luke: lukasz lukas
jacob: jakub jakob kuba
matthew: mateusz matei matas
andrew: andrzej andrei andriy
adam: adomas
joseph: jozef josef iosif
john: jan janek jonas ioan
george: jerzy gheorghe jurgis
stephen: stefan szczepan
margaret: malgorzata
catherine: katarzyna ekaterina
agnes: agnieszka
mary: maria marija
elizabeth: elzbieta
helen: helena
eva: ewa
"""


# Links in the nicknames data set (compiled from US genealogy sources) that are different
# names in the UK today, or that would make twins and siblings look like one person.
_EXCLUDED_PAIRS = {
    frozenset(pair.split())
    for pair in """
    aaron erin|andrea andrew|ashley leah|ashley lee|benjamin jamie|bill fred|bill robert
    billy robert|eileen helen|elena helen|ellen helen|helen ella|helen ellie
    ian john|ivan john|jonathan nathan|joanna hannah|susan hannah|patrick peter|emily emma
    hannah anna|leroy lee|leroy roy|danielle ellie|jacob jay|gareth gary|carlton carl
    """.replace("\n", "|").split("|")
    if pair.strip()
}


class _VariantTables(NamedTuple):
    variants: dict[str, frozenset[str]]
    short_form_of: dict[str, frozenset[str]]  # short form -> full names
    spelling_of: dict[str, frozenset[str]]  # name -> other spellings
    language_form_of: dict[str, frozenset[str]]  # name -> forms in another language
    canonical: dict[str, frozenset[str]]  # name -> its full (canonical) forms, for keys


def _build_variant_tables() -> _VariantTables:
    variants: dict[str, set[str]] = defaultdict(set)
    short_form_of: dict[str, set[str]] = defaultdict(set)
    spelling_of: dict[str, set[str]] = defaultdict(set)
    language_form_of: dict[str, set[str]] = defaultdict(set)

    def link(a: str, b: str) -> bool:
        if a == b or frozenset((a, b)) in _EXCLUDED_PAIRS:
            return False
        variants[a].add(b)
        variants[b].add(a)
        return True

    groups = [line.split() for line in _SPELLING_GROUPS.strip().splitlines()]
    group_of = {name: group for group in groups for name in group}
    for group in groups:
        for a in group:
            for b in group:
                if link(a, b):
                    spelling_of[a].add(b)

    for triplet in name_triplets():
        # One hop only: the data is a graph of "has nickname" edges, and following it
        # further joins unrelated names (Bill -> William -> Liam -> ...).
        full, short = normalise_name(triplet.name1), normalise_name(triplet.name2)
        if full and short and link(full, short):
            short_form_of[short].add(full)

    for line in _SHORT_FORMS.strip().splitlines():
        full, shorts = line.split(":")
        for name in group_of.get(full.strip(), [full.strip()]):
            for short in shorts.split():
                if link(name, short):
                    short_form_of[short].add(name)

    english_of: dict[str, set[str]] = defaultdict(set)
    for line in _OTHER_LANGUAGE_FORMS.strip().splitlines():
        english, others = line.split(":")
        for other in others.split():
            if link(english.strip(), other):
                language_form_of[english.strip()].add(other)
                language_form_of[other].add(english.strip())
                english_of[other].add(english.strip())

    # A name's canonical forms, used for blocking keys so "Bill Smith" and "William Smith"
    # share a key: the name itself, the full names it is short for, and its English form,
    # each spelling standing for the first spelling of its group. The nicknames data lists
    # some pairs both ways (Bill has nickname William), so the name itself is always kept.
    def spelling_canon(name: str) -> str:
        return group_of[name][0] if name in group_of else name

    canonical = {
        name: frozenset(
            spelling_canon(other)
            for other in {name} | short_form_of.get(name, set()) | english_of.get(name, set())
        )
        for name in set(group_of) | set(short_form_of) | set(english_of)
    }

    def freeze(table: dict[str, set[str]]) -> dict[str, frozenset[str]]:
        return {key: frozenset(value) for key, value in table.items()}

    return _VariantTables(
        freeze(variants),
        freeze(short_form_of),
        freeze(spelling_of),
        freeze(language_form_of),
        canonical,
    )


_TABLES = _build_variant_tables()


# Common given names in the UK that have no variant above, so the tables do not list them.
_OTHER_GIVEN_NAMES = """
jordan liam callum kyle dean wayne darren craig ian jason shane graham keith colin barry reece
harvey mason tyler brandon elliot alfie dale trevor roy gavin rhys dylan nicola gemma karen jade
dawn grace holly bethany jasmine shannon paige kirsty toni jodie leah beverley declan niall
cormac darragh oisin brendan fergal cathal colm donal ronan fintan killian tadhg orla ciara
aisling mairead maeve deirdre clodagh fionnuala nuala sorcha asif hamza amir kamran rizwan adnan
arif raj sanjay amit rahul manjit jaspal rakesh waqas zeeshan aamir sohail shabir javed harjit
sunil ajay deepak arjun rohit nikhil zain ayaan haris ehsan shakeel nadia sana saima shazia
nazia rubina farzana shabana priya anjali pooja sunita kiran manpreet jaspreet rukhsana samina
hina bushra sadia tasneem shamima rehana asma mehreen reena neelam kamaljit sonia anita simran
jasmeet kwame kofi kwabena yaw chidi obinna abdi ayodele tendai tafadzwa kwaku kojo nnamdi ade
abena akosua ama adwoa chiamaka ngozi adaeze folake funmilayo yetunde blessing precious comfort
nia amara halima hodan fadumo sahra ruth chioma ifeoma bukola temitope nneka efua delroy winston
clive marlon tyrone errol kareem devon rohan jerome everton carlton kemar paulette claudette
simone keisha tanisha shanice monique charmaine kezia tiana kamil wojciech marius ionut florin
bogdan vasile darius mantas artur dawid grzegorz rafal cristian viktor ivan arturas dainius
janis monika justyna karolina natalia elena andreea mihaela alina irina olga oksana daria ieva
inga kristina marta dorota beata gabriela roxana simona larisa
"""


# Given names known to be names: a near-miss between two of them is two different names
# (Dean / Sean), while a near-miss involving anything else is taken for a typing slip.
_KNOWN_GIVEN_NAMES = (
    frozenset(_TABLES.variants)
    | frozenset(_SPELLING_GROUPS.split())
    | frozenset(_OTHER_GIVEN_NAMES.split())
)


def name_variants(given: str) -> set[str]:
    """The name's words and every known nickname, spelling and language variant of each.

    Both ways: name_variants("Bill") contains "william" and name_variants("William")
    contains "bill". Results are normalised (lower-case ASCII).
    """
    result: set[str] = set()
    for token in name_tokens(given):
        result.add(token)
        result |= _TABLES.variants.get(token, frozenset())
    return result


def _canonical_forms(token: str) -> frozenset[str]:
    return _TABLES.canonical.get(token, frozenset({token}))


def _variant_text(a: str, b: str) -> str:
    """Why two given names (normalised words) are variants, in plain English."""
    shown_a, shown_b = a.title(), b.title()
    if b in _TABLES.spelling_of.get(a, ()):
        return f"{shown_a} and {shown_b} are spellings of the same name"
    if b in _TABLES.language_form_of.get(a, ()):
        return f"{shown_a} and {shown_b} are the same name in different languages"
    # The nicknames data lists some pairs both ways (Bill has nickname William): the shorter
    # name is the short form.
    short, full = sorted((a, b), key=lambda name: (len(name), name))
    if full in _TABLES.short_form_of.get(short, ()) or short in _TABLES.short_form_of.get(full, ()):
        return f"{short.title()} is a short form of {full.title()}"
    return f"{shown_a} and {shown_b} are variants of the same name"
