"""Identity matching: is this the same person as that one, how sure, and why.

Pure Python, no Django, so search, the cohort import and the cross-referencing job share it:

- `normalise_name`, `name_tokens`: comparable forms of names as typed by any agency;
- `phonetic_key`, `match_keys`, `record_match_keys`: short blocking keys to store in a
  PostgreSQL array column (GIN-indexed) and to group on, so candidates are found without
  comparing every pair; `batch_match_keys`, `record_batch_match_keys`: narrower ones from the
  same sounds for the batch job, which compares every record with every other;
- `name_variants`: nicknames and spelling or language variants (Bill/William, Mohammed/
  Muhammad, Piotr/Peter), both ways;
- `compare_dob`: the level at which two dates of birth agree;
- `score(a, b)`: identifier rules, then a Fellegi-Sunter sum of per-field weights turned into a
  probability, with a plain-English line for every field.

The weights are log2(m/u) for each level of agreement, where m is the chance that two records
of the same person agree at that level and u the chance that two different people do. They
are set from the data-quality rates seen in multi-agency offender data and from this
population's make-up (see the comments by each value), not fitted; when they are re-estimated
(for example by expectation-maximisation on confirmed pairs) MODEL_VERSION changes, so stored
scores can say which model made them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

import jellyfish
from nicknames import name_triplets
from rapidfuzz.distance import OSA, JaroWinkler

from matching.identifiers import validate_identifier

__all__ = [
    "CONFLICT_CAP",
    "DEFINITE_IDENTIFIER_KINDS",
    "DEFINITE_THRESHOLD",
    "EXCLUDING_IDENTIFIER_KINDS",
    "LIKELY_THRESHOLD",
    "MODEL_VERSION",
    "POSSIBLE_THRESHOLD",
    "PRIOR_LOG2_ODDS",
    "AliasName",
    "Decision",
    "DobLevel",
    "FieldComparison",
    "MatchResult",
    "NameComparison",
    "NameFrequencies",
    "NameLevel",
    "PersonRecord",
    "best_matches",
    "compare_dob",
    "compare_family_names",
    "compare_given_names",
    "frequency_key",
    "batch_match_keys",
    "match_keys",
    "name_tokens",
    "name_variants",
    "normalise_name",
    "normalise_postcode",
    "phonetic_key",
    "record_batch_match_keys",
    "record_match_keys",
    "score",
]

MODEL_VERSION = "fs-1"

# --- Records and results --------------------------------------------------------------------


class AliasName(NamedTuple):
    """Another name (and, if different, date of birth) a person has used."""

    given: str
    family: str
    dob: date | None = None


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One agency's record of a person: what the scorer compares.

    `identifiers` maps a kind ("pnc", "cro", "crn", "prison", "nhs", "local") to its value;
    values are normalised before comparison, so raw input is fine. `gender` is free text
    ("male", "M", "female", ...); unknown values are ignored.
    """

    given: str
    family: str
    dob: date | None = None
    dob_approximate: bool = False
    gender: str = ""
    postcode: str = ""
    identifiers: Mapping[str, str] = field(default_factory=dict)
    aliases: Sequence[AliasName] = ()
    # Other text an agency holds, such as an address line: compared by matching.linkage
    # (exactly or closely) with weights fitted to the data; `score` leaves it out.
    extra: Mapping[str, str] = field(default_factory=dict)


class Decision(StrEnum):
    DEFINITE = "definite"
    LIKELY = "likely"
    POSSIBLE = "possible"
    UNLIKELY = "unlikely"


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """How one field compared: its level, its weight (bits of evidence) and a sentence."""

    field: str
    level: str
    weight: float
    text: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The scorer's answer. `rule` names an identifier rule that decided it, if one did."""

    score: float
    decision: Decision
    explanation: tuple[FieldComparison, ...]
    rule: str | None = None
    model_version: str = MODEL_VERSION

    @property
    def summary(self) -> str:
        """The explanation as one line, for a search result or a review queue."""
        return "; ".join(item.text for item in self.explanation)


# Probability thresholds for each decision. DEFINITE needs about 10 bits of evidence beyond
# the prior: for example name and date of birth agreeing plus a corroborating postcode, or an
# identifier. LIKELY and POSSIBLE separate "review first" from "show as a maybe".
DEFINITE_THRESHOLD = 0.999
LIKELY_THRESHOLD = 0.90
POSSIBLE_THRESHOLD = 0.30

# --- Names: normalisation -------------------------------------------------------------------

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


# --- Names: phonetic keys and similarity ----------------------------------------------------


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


# --- Names: nicknames and variants ----------------------------------------------------------

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


# --- Blocking keys --------------------------------------------------------------------------


def _family_key_parts(family: str) -> list[str]:
    """The phonetic keys of a family name: the whole, plus each part of a double-barrel."""
    tokens = name_tokens(family)
    keys = [phonetic_key(family)]
    if len(tokens) > 1:
        keys += [phonetic_key(token) for token in tokens]
    return [key for key in dict.fromkeys(keys) if key]


def match_keys(given: str, family: str, dob: date | None) -> set[str]:
    """Blocking keys for one name and date of birth; records sharing any key are candidates.

    Chosen so that each single error an agency makes still leaves a shared key:
    - "F:<family sound>:<birth year>" survives a wrong or nickname given name and a day or
      month error;
    - "N:<sound>|<sound>" (given and family sounds, sorted) survives any date error and
      swapped given and family names;
    - "V:<canonical given>:<family sound>" joins nicknames (Bill/William) when the date is
      missing or wrong;
    - "D:<date of birth>:<initial>", once for each name's initial, survives a misspelt family
      or given name and a swap.
    Keys are short ASCII strings, fit for a PostgreSQL text[] column with a GIN index.
    """
    given_tokens = name_tokens(given)
    family_tokens = name_tokens(family)
    keys: set[str] = set()
    first_given = given_tokens[0] if given_tokens else ""
    given_sound = phonetic_key(first_given) if first_given else ""
    family_sounds = _family_key_parts(family)
    for family_sound in family_sounds:
        if dob is not None:
            keys.add(f"F:{family_sound}:{dob.year}")
        if given_sound:
            keys.add("N:" + "|".join(sorted((given_sound, family_sound))))
        if first_given:
            keys |= {f"V:{canon}:{family_sound}" for canon in _canonical_forms(first_given)}
    if dob is not None:
        initials = {token[0] for token in given_tokens[:1] + family_tokens[:1]}
        keys |= {f"D:{dob.isoformat()}:{initial}" for initial in initials}
    return keys


def record_match_keys(record: PersonRecord) -> set[str]:
    """Blocking keys for a record: its own name and date of birth and those of its aliases."""
    keys = match_keys(record.given, record.family, record.dob)
    for alias in record.aliases:
        keys |= match_keys(alias.given, alias.family, alias.dob or record.dob)
    return keys


def batch_match_keys(given: str, family: str, dob: date | None, *, approximate: bool) -> set[str]:
    """Narrower blocking keys for comparing every record with every other (the monthly
    cross-reference), built from the same name sounds and forms as `match_keys`.

    `match_keys` suits one record looked up against the register, where a wide block is one
    index lookup. In a batch every pair in a block is scored, and a key of names alone (or a
    family name and a year) holds more records the larger the partnership, so its pairs grow
    with the square of the register. Here every key also pins part of the date of birth,
    and each single error an agency makes still leaves one in common:
    - "B:<date of birth>:<sound>", once for each name's sound: one name misspelt or replaced
      by a nickname, or given and family names swapped;
    - "Y:<sounds>:<year>" (given and family sounds, sorted): a wrong or swapped day or month;
    - "M:<sounds>:<month>:<day>": a wrong year;
    - "V:<canonical given>:<family sound>:<year>": a nickname and a wrong day or month.
    A date of birth that is missing or only approximate pins nothing, so such a record keeps
    the name key "N:<sounds>" of `match_keys`, and `record_batch_match_keys` marks every
    other record's name key "n:" so the batch can compare it with them (see
    `matching.linkage.candidate_pairs`).
    """
    given_tokens = name_tokens(given)
    first_given = given_tokens[0] if given_tokens else ""
    given_sound = phonetic_key(first_given) if first_given else ""
    family_sounds = _family_key_parts(family)
    dated = None if approximate else dob
    keys: set[str] = set()
    for family_sound in family_sounds:
        if given_sound:
            sounds = "|".join(sorted((given_sound, family_sound)))
            keys.add(f"{'N' if dated is None else 'n'}:{sounds}")
            if dob is not None:
                keys.add(f"Y:{sounds}:{dob.year}")
            if dated is not None:
                keys.add(f"M:{sounds}:{dated.month}:{dated.day}")
        if dated is not None and first_given:
            keys |= {
                f"V:{canon}:{family_sound}:{dated.year}" for canon in _canonical_forms(first_given)
            }
    if dated is not None:
        sounds_of_names = {given_sound, *family_sounds} - {""}
        keys |= {f"B:{dated.isoformat()}:{sound}" for sound in sounds_of_names}
    return keys


def record_batch_match_keys(record: PersonRecord) -> set[str]:
    """`batch_match_keys` of a record's own name and date of birth and of its aliases'."""
    keys = batch_match_keys(
        record.given, record.family, record.dob, approximate=record.dob_approximate
    )
    for alias in record.aliases:
        keys |= batch_match_keys(
            alias.given,
            alias.family,
            alias.dob or record.dob,
            approximate=record.dob_approximate and alias.dob is None,
        )
    return keys


# --- Field comparisons ----------------------------------------------------------------------


class NameLevel(StrEnum):
    EXACT = "exact"
    VARIANT = "variant"  # nickname, spelling or language variant
    PHONETIC = "phonetic"
    SIMILAR = "similar"  # Jaro-Winkler >= 0.92, or one letter added, lost, changed or swapped
    OTHER_NAME = "other_name"  # a middle name, or one part of a double-barrelled name
    INITIAL = "initial"  # one side gives only an initial that agrees
    DIFFERENT = "different"
    MISSING = "missing"


class DobLevel(StrEnum):
    EXACT = "exact"
    TRANSPOSED = "transposed"  # day and month swapped
    YEAR_OFF_BY_ONE = "year_off_by_one"
    ONE_DIGIT = "one_digit"
    DIGITS_SWAPPED = "digits_swapped"  # two neighbouring digits typed the wrong way round
    SAME_DAY_MONTH = "same_day_month"
    APPROXIMATE_SAME_YEAR = "approximate_same_year"
    APPROXIMATE_NEAR_YEAR = "approximate_near_year"
    DIFFERENT = "different"
    MISSING = "missing"


# (m, u) for each level. m: chance two records of one person agree at this level;
# u: chance two different people do. Each weight is log2(m / u).
_GIVEN_MU: dict[NameLevel, tuple[float, float]] = {
    # Given names are recorded exactly in most agency records (~85 %). u is the chance two
    # random people share a given name: ~1 % across a mixed urban population, higher for
    # the commonest names.
    NameLevel.EXACT: (0.85, 0.01),
    NameLevel.VARIANT: (0.05, 0.002),  # nicknames in ~5 % of records; few random pairs
    NameLevel.PHONETIC: (0.03, 0.004),
    NameLevel.SIMILAR: (0.03, 0.003),  # one typo in ~3 % of records
    NameLevel.OTHER_NAME: (0.015, 0.003),  # known by a middle name
    NameLevel.INITIAL: (0.01, 0.006),  # initial only: weak, near neutral
    # A wholly different given name for the same person is rare once aliases, nicknames and
    # typos are accounted for.
    NameLevel.DIFFERENT: (0.015, 0.97),
}
_FAMILY_MU: dict[NameLevel, tuple[float, float]] = {
    # Family names are rarer than given names (u ~0.3 % on average: Smith is ~1 %).
    NameLevel.EXACT: (0.88, 0.003),
    NameLevel.VARIANT: (0.01, 0.0005),
    NameLevel.PHONETIC: (0.03, 0.001),
    NameLevel.SIMILAR: (0.03, 0.001),
    NameLevel.OTHER_NAME: (0.02, 0.0005),  # Smith-Jones vs Smith
    NameLevel.INITIAL: (0.003, 0.004),
    # Marriage, a parent's surname, or a different name given to police: ~3 %.
    NameLevel.DIFFERENT: (0.03, 0.99),
}
# Given and family names recorded the wrong way round (common with names from cultures that
# put the family name first, and with two "given-looking" names): the cross-comparison's
# weights are used, less this many bits, because a swap is less likely than a straight match.
_SWAP_PENALTY = 2.0

_DOB_MU: dict[DobLevel, tuple[float, float]] = {
    # Births here span ~49 years, so two random people share a date with chance ~1/18,000;
    # u is set ten times higher because twins, siblings and default dates (01/01) break the
    # independence the model assumes.
    DobLevel.EXACT: (0.90, 0.0006),
    DobLevel.TRANSPOSED: (0.02, 0.0002),  # US-style entry: 1 in 50 records
    DobLevel.YEAR_OFF_BY_ONE: (0.008, 0.00011),  # same day and month, one year out
    DobLevel.ONE_DIGIT: (0.03, 0.0015),  # ~25 one-digit neighbours of a date / 18,000
    DobLevel.DIGITS_SWAPPED: (0.01, 0.0004),  # ~7 neighbours of a date / 18,000
    # Same day and month within a few years: a mistyped year. Further apart, it is more
    # often a parent and child of the same name, so it counts as different.
    DobLevel.SAME_DAY_MONTH: (0.005, 0.0006),  # 1/365 x (share of pairs within 5 years)
    # An approximate date is often a guess ("about 30"): agreement on the year is weak.
    DobLevel.APPROXIMATE_SAME_YEAR: (0.5, 0.03),  # 1/49, raised for clustering of ages
    DobLevel.APPROXIMATE_NEAR_YEAR: (0.3, 0.1),  # within two years
    DobLevel.DIFFERENT: (0.02, 0.99),
}
_POSTCODE_MU: dict[str, tuple[float, float]] = {
    # People move and agencies hold different addresses: only ~50 % agree exactly. u is
    # inflated from ~1/2,000 because relatives (the usual false match) share addresses.
    "exact": (0.50, 0.004),
    "same_outward": (0.20, 0.03),
    "different": (0.30, 0.966),
}
_GENDER_MU: dict[str, tuple[float, float]] = {
    "same": (0.98, 0.55),  # ~85 % of this population is male, so agreement says little
    "different": (0.02, 0.45),
}
# A different identifier of a kind where a person can wrongly get two (a second CRN on
# nDelius, a second CRO) counts against a match, but does not rule it out.
_IDENTIFIER_DIFFERENT_MU: dict[str, tuple[float, float]] = {
    "cro": (0.01, 1.0),
    "crn": (0.05, 1.0),
    "prison": (0.03, 1.0),
    "nhs": (0.01, 1.0),
}

# The prior odds that two records compared are of the same person: about 1 in 10,000,
# roughly the chance for a record against a borough's or a London-wide population.
PRIOR_LOG2_ODDS = math.log2(1 / 10_000)

# Identifiers unique to one person: two records that share one are the same person.
DEFINITE_IDENTIFIER_KINDS: tuple[str, ...] = ("pnc", "cro", "crn", "prison", "nhs")
# Two different PNC IDs mean two people: the PNC merges its own duplicates.
EXCLUDING_IDENTIFIER_KINDS: tuple[str, ...] = ("pnc",)

# Given names, or dates of birth, that disagree completely cap the score below LIKELY: twins
# and siblings share a family name, date of birth and address, and a parent and child a name
# and an address. The weights assume fields agree independently, and over-count these.
CONFLICT_CAP = 0.85

_IDENTIFIER_LABELS = {
    "pnc": "PNC ID",
    "cro": "CRO number",
    "crn": "CRN",
    "prison": "Prison number",
    "nhs": "NHS number",
}


def _weight(mu: tuple[float, float]) -> float:
    return math.log2(mu[0] / mu[1])


_GIVEN_WEIGHTS = {level: _weight(mu) for level, mu in _GIVEN_MU.items()}
_FAMILY_WEIGHTS = {level: _weight(mu) for level, mu in _FAMILY_MU.items()}
_DOB_WEIGHTS = {level: _weight(mu) for level, mu in _DOB_MU.items()}
_POSTCODE_WEIGHTS = {level: _weight(mu) for level, mu in _POSTCODE_MU.items()}
_GENDER_WEIGHTS = {level: _weight(mu) for level, mu in _GENDER_MU.items()}


class NameComparison(NamedTuple):
    level: NameLevel
    text: str  # the reason, without the field name


def _show(value: str) -> str:
    """A name as the agency typed it, spaces tidied: explanations quote the records."""
    return " ".join(value.split()) or "(blank)"


def compare_given_names(a: str, b: str) -> NameComparison:
    """Compare two given names (all their words) and say how they agree."""
    return _compare_names(a, b, given=True)


def compare_family_names(a: str, b: str) -> NameComparison:
    """Compare two family names; the parts of a double-barrelled name count separately."""
    return _compare_names(a, b, given=False)


@lru_cache(maxsize=262_144)
def _compare_names(a: str, b: str, *, given: bool) -> NameComparison:
    tokens_a, tokens_b = name_tokens(a), name_tokens(b)
    if not tokens_a or not tokens_b:
        return NameComparison(NameLevel.MISSING, "not recorded on both")
    shown = f"({_show(a)} / {_show(b)})"
    # Given names compare on the first word (the one people use); family names compare
    # whole, with spaces and hyphens removed, so "Mc Donald" = "McDonald".
    whole_a = tokens_a[0] if given else "".join(tokens_a)
    whole_b = tokens_b[0] if given else "".join(tokens_b)
    if whole_a == whole_b:
        return NameComparison(NameLevel.EXACT, f"same ({whole_a.title() if given else _show(a)})")
    if given and len(whole_a) > 1 and len(whole_b) > 1:
        if whole_b in _TABLES.variants.get(whole_a, ()):
            return NameComparison(NameLevel.VARIANT, _variant_text(whole_a, whole_b))
    if min(len(whole_a), len(whole_b)) > 1:
        if _sounds_alike(whole_a, whole_b):
            return NameComparison(NameLevel.PHONETIC, f"sound alike {shown}")
        similarity = _similarity(whole_a, whole_b)
        one_edit = min(len(whole_a), len(whole_b)) >= 3 and OSA.distance(whole_a, whole_b) == 1
        if similarity >= _SIMILAR_MIN or one_edit:
            if given and whole_a in _KNOWN_GIVEN_NAMES and whole_b in _KNOWN_GIVEN_NAMES:
                # Two real names a letter apart (Dean / Sean, Daniel / Danielle) are two
                # names, not a typing slip: siblings are often named this way.
                return NameComparison(NameLevel.DIFFERENT, f"different names {shown}")
            if one_edit:
                return NameComparison(NameLevel.SIMILAR, f"one letter different {shown}")
            return NameComparison(
                NameLevel.SIMILAR, f"spelt similarly {shown}, similarity {similarity:.2f}"
            )
    if not given and whole_a in _TABLES.spelling_of.get(whole_b, ()):
        return NameComparison(NameLevel.VARIANT, _variant_text(whole_a, whole_b))
    common = set(tokens_a) & set(tokens_b)
    if common:
        what = "a middle name" if given else "one part of a double-barrelled name"
        return NameComparison(
            NameLevel.OTHER_NAME, f"{sorted(common)[0].title()} is {what} in common {shown}"
        )
    if given and (len(whole_a) == 1 or len(whole_b) == 1) and whole_a[0] == whole_b[0]:
        return NameComparison(NameLevel.INITIAL, f"only an initial agrees {shown}")
    return NameComparison(NameLevel.DIFFERENT, f"different {shown}")


# Same day and month up to this many years apart reads as a mistyped year.
_MISTYPED_YEAR_SPAN = 5


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@lru_cache(maxsize=262_144)
def compare_dob(
    a: date | None, b: date | None, *, approximate: bool = False
) -> tuple[DobLevel, str]:
    """The level at which two dates of birth agree, and a sentence saying so.

    `approximate` is true when either date is only known roughly: then only the years count.
    """
    if a is None or b is None:
        return DobLevel.MISSING, "not recorded on both"
    if approximate:
        if a.year == b.year:
            return DobLevel.APPROXIMATE_SAME_YEAR, f"approximate, same year ({a.year})"
        if abs(a.year - b.year) <= 2:
            return (
                DobLevel.APPROXIMATE_NEAR_YEAR,
                f"approximate, years close ({a.year} vs {b.year})",
            )
        return DobLevel.DIFFERENT, f"approximate and years far apart ({a.year} vs {b.year})"
    if a == b:
        return DobLevel.EXACT, f"same ({_fmt(a)})"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return (
            DobLevel.TRANSPOSED,
            f"day and month swapped ({a:%d/%m} vs {b:%d/%m}, {a.year})",
        )
    # Formatted only past the common cases: the batch job compares millions of pairs.
    shown = f"({_fmt(a)} vs {_fmt(b)})"
    if a.day == b.day and a.month == b.month:
        if abs(a.year - b.year) == 1:
            return DobLevel.YEAR_OFF_BY_ONE, f"same day and month, year one out {shown}"
    text_a, text_b = a.strftime("%d%m%Y"), b.strftime("%d%m%Y")
    differing = [i for i, (x, y) in enumerate(zip(text_a, text_b, strict=True)) if x != y]
    if len(differing) == 1:
        return DobLevel.ONE_DIGIT, f"one digit differs {shown}"
    if (
        len(differing) == 2
        and differing[1] == differing[0] + 1
        and text_a[differing[0]] == text_b[differing[1]]
        and text_a[differing[1]] == text_b[differing[0]]
    ):
        return DobLevel.DIGITS_SWAPPED, f"two digits typed the wrong way round {shown}"
    if a.day == b.day and a.month == b.month and abs(a.year - b.year) <= _MISTYPED_YEAR_SPAN:
        return DobLevel.SAME_DAY_MONTH, f"same day and month, different year {shown}"
    return DobLevel.DIFFERENT, f"different {shown}"


def _normalise_gender(value: str) -> str:
    text = value.strip().casefold()
    if text in ("m", "male", "man", "boy"):
        return "m"
    if text in ("f", "female", "woman", "girl"):
        return "f"
    if text in ("", "u", "unknown", "not known", "not stated", "prefer not to say", "n/k"):
        return ""
    return text


def _normalise_identifier(kind: str, value: str) -> str:
    try:
        return validate_identifier(kind, value)
    except ValueError:
        # An invalid value still identifies the same typed text on both sides.
        return re.sub(r"\s+", "", value).upper()


# --- Scoring --------------------------------------------------------------------------------


def _probability(log2_odds: float) -> float:
    # Clamp so math.pow cannot overflow on extreme sums.
    return 1.0 / (1.0 + math.pow(2.0, -max(min(log2_odds, 60.0), -60.0)))


def _decision(probability: float) -> Decision:
    if probability >= DEFINITE_THRESHOLD:
        return Decision.DEFINITE
    if probability >= LIKELY_THRESHOLD:
        return Decision.LIKELY
    if probability >= POSSIBLE_THRESHOLD:
        return Decision.POSSIBLE
    return Decision.UNLIKELY


class _Identity(NamedTuple):
    given: str
    family: str
    dob: date | None
    alias: bool


def _identities(record: PersonRecord) -> list[_Identity]:
    found = [_Identity(record.given, record.family, record.dob, False)]
    for alias in record.aliases:
        found.append(_Identity(alias.given, alias.family, alias.dob or record.dob, True))
    return found


@dataclass(frozen=True, slots=True)
class NameFrequencies:
    """How common each given name (first word) and family name is in the population searched.

    An exact agreement on a common name is weaker evidence than on a rare one (two Paul Jones
    are far likelier to be different people than two Ifeanyi Okonkwos). Build it from the
    nominals' names with `from_names` (or from a GROUP BY count of the normalised names) and
    pass it to `score`; without it the average u-probabilities above are used.
    """

    given: Mapping[str, float]
    family: Mapping[str, float]

    @classmethod
    def from_names(cls, names: Iterable[tuple[str, str]]) -> NameFrequencies:
        """Shares of each normalised given (first word) and family name among `names`."""
        given_counts: dict[str, int] = defaultdict(int)
        family_counts: dict[str, int] = defaultdict(int)
        total = 0
        for given, family in names:
            total += 1
            given_counts[frequency_key(given, given=True)] += 1
            family_counts[frequency_key(family, given=False)] += 1
        if not total:
            return cls({}, {})
        return cls(
            {name: count / total for name, count in given_counts.items() if name},
            {name: count / total for name, count in family_counts.items() if name},
        )


def frequency_key(name: str, *, given: bool) -> str:
    """The form of a name that NameFrequencies counts: a given name's first word, or the
    family name's words joined ("smithjones")."""
    tokens = name_tokens(name)
    if not tokens:
        return ""
    return tokens[0] if given else "".join(tokens)


# Bounds on a frequency-based u: a name seen once in a small population is not evidence of
# one in a million, and no name is shared by more than a fifth of people.
_MIN_NAME_U = 0.0002
_MAX_NAME_U = 0.2


def _exact_name_weight(mu: tuple[float, float], share: float | None) -> tuple[float, str]:
    """Weight of an exact name agreement, adjusted for the name's frequency if known."""
    if share is None:
        return _weight(mu), ""
    u = min(max(share, _MIN_NAME_U), _MAX_NAME_U)
    note = f", a name shared by {share:.1%} of records" if share >= 0.01 else ""
    return _weight((mu[0], u)), note


class _IdentityComparison(NamedTuple):
    total: float
    given_level: NameLevel
    dob_level: DobLevel
    items: list[FieldComparison]


def _compare_identities(
    a: _Identity, b: _Identity, *, approximate: bool, frequencies: NameFrequencies | None
) -> _IdentityComparison:
    """Names (straight or swapped) and date of birth of one pairing of names."""
    given = _compare_names(a.given, b.given, given=True)
    family = _compare_names(a.family, b.family, given=False)
    given_weight = _GIVEN_WEIGHTS.get(given.level, 0.0)
    family_weight = _FAMILY_WEIGHTS.get(family.level, 0.0)
    given_note = family_note = ""
    if frequencies is not None and given.level == NameLevel.EXACT:
        share = frequencies.given.get(frequency_key(a.given, given=True))
        given_weight, given_note = _exact_name_weight(_GIVEN_MU[NameLevel.EXACT], share)
    if frequencies is not None and family.level == NameLevel.EXACT:
        share = frequencies.family.get(frequency_key(a.family, given=False))
        family_weight, family_note = _exact_name_weight(_FAMILY_MU[NameLevel.EXACT], share)
    straight = given_weight + family_weight
    items: list[FieldComparison]
    given_level = given.level
    # Swapped: a's given name against b's family name and the other way round.
    # b's family name holds its given name here, so it compares as one (nicknames count).
    cross_given = _compare_names(a.given, b.family, given=True)
    cross_family = _compare_names(a.family, b.given, given=False)
    swapped = (
        _FAMILY_WEIGHTS.get(cross_given.level, 0.0)
        + _FAMILY_WEIGHTS.get(cross_family.level, 0.0)
        - _SWAP_PENALTY
    )
    agreeing = {NameLevel.EXACT, NameLevel.VARIANT, NameLevel.PHONETIC, NameLevel.SIMILAR}
    if swapped > straight and cross_given.level in agreeing and cross_family.level in agreeing:
        name_weight = swapped
        given_level = cross_given.level
        items = [
            FieldComparison(
                "Names",
                "swapped",
                swapped,
                f"Names: given and family names swapped ({_show(a.given)} {_show(a.family)} "
                f"vs {_show(b.given)} {_show(b.family)})",
            )
        ]
    else:
        name_weight = straight
        items = [
            FieldComparison(
                "Given name",
                given.level.value,
                given_weight,
                f"Given name: {given.text}{given_note}",
            ),
            FieldComparison(
                "Family name",
                family.level.value,
                family_weight,
                f"Family name: {family.text}{family_note}",
            ),
        ]
    dob_level, dob_text = compare_dob(a.dob, b.dob, approximate=approximate)
    dob_weight = _DOB_WEIGHTS.get(dob_level, 0.0)
    items.append(
        FieldComparison("Date of birth", dob_level.value, dob_weight, f"Date of birth: {dob_text}")
    )
    return _IdentityComparison(name_weight + dob_weight, given_level, dob_level, items)


def _identifier_rules(
    a: PersonRecord, b: PersonRecord
) -> tuple[list[str], list[str], list[FieldComparison]]:
    """Identifier kinds that agree, kinds that rule a match out, and weighted differences."""
    agree: list[str] = []
    exclude: list[str] = []
    items: list[FieldComparison] = []
    for kind in DEFINITE_IDENTIFIER_KINDS:
        value_a, value_b = a.identifiers.get(kind), b.identifiers.get(kind)
        if not value_a or not value_b:
            continue
        label = _IDENTIFIER_LABELS[kind]
        norm_a, norm_b = _normalise_identifier(kind, value_a), _normalise_identifier(kind, value_b)
        if norm_a == norm_b:
            agree.append(kind)
            items.append(FieldComparison(label, "same", 0.0, f"{label}: same ({norm_a})"))
        elif kind in EXCLUDING_IDENTIFIER_KINDS:
            exclude.append(kind)
            items.append(
                FieldComparison(
                    label,
                    "different",
                    0.0,
                    f"{label}: different ({norm_a} vs {norm_b}); a {label} belongs to one "
                    f"person, so these are different people",
                )
            )
        else:
            weight = _weight(_IDENTIFIER_DIFFERENT_MU[kind])
            items.append(
                FieldComparison(
                    label, "different", weight, f"{label}: different ({norm_a} vs {norm_b})"
                )
            )
    return agree, exclude, items


def score(
    a: PersonRecord, b: PersonRecord, *, frequencies: NameFrequencies | None = None
) -> MatchResult:
    """How likely `a` and `b` are records of the same person, with the reasons.

    1. Identifiers first: a shared PNC ID, CRO number, CRN, prison or NHS number is a
       definite match (score 1.0); different PNC IDs are a definite non-match (score 0.0).
       Identifiers that say both (shared CRN, different PNC ID) fall through to the weights
       and are held at "possible" for a person to resolve.
    2. Otherwise the weights of names (the best pairing of the names and aliases of both,
       straight or swapped), date of birth, postcode, gender and differing identifiers are
       summed with the prior and turned into a probability. With `frequencies`, exact
       agreement on a common name counts for less than on a rare one.
    """
    agree, exclude, identifier_items = _identifier_rules(a, b)
    if agree and not exclude:
        return MatchResult(
            1.0,
            Decision.DEFINITE,
            tuple(item for item in identifier_items if item.level == "same"),
            rule=f"same_{agree[0]}",
        )
    if exclude and not agree:
        return MatchResult(
            0.0,
            Decision.UNLIKELY,
            tuple(item for item in identifier_items if item.level == "different"),
            rule=f"different_{exclude[0]}",
        )

    approximate = a.dob_approximate or b.dob_approximate
    # The best pairing of either record's names and aliases: max() keeps the first of equal
    # totals, so the main names win ties and the result is deterministic.
    best, best_pair = max(
        (
            (
                _compare_identities(
                    identity_a, identity_b, approximate=approximate, frequencies=frequencies
                ),
                (identity_a, identity_b),
            )
            for identity_a in _identities(a)
            for identity_b in _identities(b)
        ),
        key=lambda pair: pair[0].total,
    )

    items: list[FieldComparison] = []
    if best_pair[0].alias or best_pair[1].alias:
        used = [
            f"{_show(identity.given)} {_show(identity.family)}"
            for identity in best_pair
            if identity.alias
        ]
        items.append(
            FieldComparison("Alias", "used", 0.0, f"Compared using the alias {' and '.join(used)}")
        )
    items += best.items

    postcode_a, postcode_b = normalise_postcode(a.postcode), normalise_postcode(b.postcode)
    if postcode_a and postcode_b:
        if postcode_a == postcode_b:
            level, text = "exact", f"same ({postcode_a})"
        elif _outward(postcode_a) == _outward(postcode_b):
            level, text = "same_outward", f"same area ({postcode_a} vs {postcode_b})"
        else:
            level, text = "different", f"different ({postcode_a} vs {postcode_b})"
        items.append(
            FieldComparison("Postcode", level, _POSTCODE_WEIGHTS[level], f"Postcode: {text}")
        )

    gender_a, gender_b = _normalise_gender(a.gender), _normalise_gender(b.gender)
    if gender_a and gender_b:
        level = "same" if gender_a == gender_b else "different"
        items.append(FieldComparison("Gender", level, _GENDER_WEIGHTS[level], f"Gender: {level}"))

    items += [item for item in identifier_items if item.level == "different"]
    log2_odds = PRIOR_LOG2_ODDS + sum(item.weight for item in items)
    probability = _probability(log2_odds)

    rule = None
    if best.given_level == NameLevel.DIFFERENT and probability > CONFLICT_CAP:
        probability = CONFLICT_CAP
        items.append(
            FieldComparison(
                "Given name",
                "conflict",
                0.0,
                "Given name: wholly different, and twins and siblings share a family name, date "
                "of birth and address, so this is not treated as likely without an identifier",
            )
        )
    if best.dob_level == DobLevel.DIFFERENT and probability > CONFLICT_CAP:
        probability = CONFLICT_CAP
        items.append(
            FieldComparison(
                "Date of birth",
                "conflict",
                0.0,
                "Date of birth: wholly different, and a parent and child can share a name and "
                "an address, so this is not treated as likely without an identifier",
            )
        )
    if agree and exclude:
        rule = "conflicting_identifiers"
        probability = min(probability, CONFLICT_CAP)
        items = identifier_items + items
        items.append(
            FieldComparison(
                "Identifiers",
                "conflict",
                0.0,
                "Identifiers: one is shared and another differs, so a person must check these "
                "records",
            )
        )
    return MatchResult(probability, _decision(probability), tuple(items), rule=rule)


def best_matches[K](
    probe: PersonRecord,
    candidates: Iterable[tuple[K, PersonRecord]],
    *,
    limit: int = 10,
    frequencies: NameFrequencies | None = None,
) -> list[tuple[K, MatchResult]]:
    """Score `probe` against (key, record) candidates and return the best `limit`, best first.

    Ties keep the candidates' order, so a stable input order gives a stable result.
    """
    scored = [(key, score(probe, record, frequencies=frequencies)) for key, record in candidates]
    scored.sort(key=lambda pair: pair[1].score, reverse=True)
    return scored[:limit]
