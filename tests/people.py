"""A deterministic generator of realistic people, and of the ways other agencies record them.

Used by tests, `make bench` and the match-quality measurement: `generate_people(n, seed)`
gives the same people for the same arguments on every machine (it only uses `random.Random`
with the seed), `corrupt(person, rng, kind)` gives one realistic variant of a person as
another agency would record it, and `probes(people, n, seed)` draws (probe, true_index, kind)
triples for quality tests.

The name lists are embedded so no data is fetched. Within each list names are in rough order
of frequency among people born in the UK between 1960 and 2008 (after ONS baby-name and
surname tables, and the commonest names of each community), and are drawn with Zipf-like
weights by rank: the shape of the real distributions, not their exact counts. The mix of
communities is a plausible urban borough, not a census figure.

Postcodes use outward codes in the "QA".."QF" areas: the letter Q never starts a real UK
postcode, so a generated address can never be a real one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from itertools import accumulate

from matching.identifiers import cro_check_letter, nhs_check_digit, pnc_check_letter
from matching.names import name_variants, normalise_name
from matching.records import AliasName, PersonRecord

__all__ = [
    "AGENCY_CORRUPTIONS",
    "CORRUPTIONS",
    "Person",
    "corrupt",
    "generate_people",
    "probes",
]

# A generated person is the matcher's own record type, so it can be scored directly.
Person = PersonRecord

# Corruptions another agency's record may show. Each applies one change; `probes` also drops
# identifiers so the quality measure tests names and dates, not identifier look-ups.
CORRUPTIONS: tuple[str, ...] = (
    "typo",
    "nickname",
    "swap",
    "dob_transposed",
    "dob_digit",
    "missing_identifiers",
    "alias",
)

# The slips of a busy agency typing a list by hand, for the matching benchmarks: typos in
# both names at once, a given name cut to its initial, names the wrong way round, and a
# date of birth left out or known only as an age. Not in CORRUPTIONS, which searches and
# imports are measured on with one slip each.
AGENCY_CORRUPTIONS: tuple[str, ...] = (
    "typo",
    "typo_both",
    "initial",
    "nickname",
    "swap",
    "dob_transposed",
    "dob_digit",
    "dob_missing",
    "dob_approximate",
)

# --- Name lists ---------------------------------------------------------------------------
# Each community: (share of people, male given names, female given names, family names).

_COMMUNITIES: dict[str, tuple[float, str, str, str]] = {
    "british": (
        0.62,
        """
        David John Paul Mark James Andrew Michael Steven Robert Christopher Daniel Richard
        Peter Thomas Matthew Lee Jamie Ryan Jordan Liam Connor Jack Joshua Callum Kyle Dean
        Wayne Darren Craig Gary Kevin Anthony Stephen William Alan Ian Simon Martin Jason
        Scott Adam Luke Nathan Ben Benjamin Samuel Joseph George Harry Charlie Kieran Aaron
        Shane Carl Neil Graham Keith Colin Philip Barry Terry Tony Stuart Nicholas Jonathan
        Timothy Alexander Edward Karl Marcus Leon Ashley Bradley Reece Jake Lewis Mitchell
        Jay Danny Robbie Billy Tom Sam Josh Alex Joe Oliver Harvey Mason Tyler Brandon Owen
        Jacob Elliot Alfie Toby Dale Russell Trevor Malcolm Derek Raymond Roy Glen Gavin
        Jon Stevie Bobby Mick Gareth Rhys Dylan Ross Kenneth Brian Geoffrey Dennis Jeffrey
        """,
        """
        Sarah Claire Emma Laura Nicola Lisa Michelle Rebecca Kelly Gemma Hannah Charlotte Amy
        Jessica Sophie Lauren Chloe Katie Rachel Samantha Stacey Donna Tracey Julie Karen
        Susan Helen Joanne Louise Victoria Elizabeth Catherine Jennifer Jade Danielle Natalie
        Amanda Angela Dawn Lorraine Deborah Sharon Kerry Leanne Zoë Megan Ellie Olivia Emily
        Grace Lucy Holly Abigail Bethany Georgia Jasmine Shannon Courtney Paige Margaret
        Patricia Christine Alison Caroline Jacqueline Janet Wendy Tina Paula Kimberley
        Chantelle Stephanie Hayley Kirsty Carly Toni Jodie Kayleigh Leah Rosie Molly Ella
        Kathryn Jane Anne Diane Linda Carol Sandra Jill Beverley Andrea Vicky Kate Becky Liz
        """,
        """
        Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson
        Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Jackson
        Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan
        Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell
        Cook Carter Richardson Bailey Collins Bell Shaw Miller Cox Richards Marshall Anderson
        Simpson Ellis Adams Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Hunt
        Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker
        Fisher Stevens Jenkins Dixon Harvey Graham Pearson Fletcher Gibson Howard Andrews
        Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole
        Atkinson Bradley Spencer Dawson Ball Burton Watts Rose Booth Perry Grant Wells
        Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr
        Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding
        Porter Robertson Newton Oliver Reed Williamson Bird Gardner Dean Lane Cooke Bates
        Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross Cross Long Freeman
        Warren Nicholls Hamilton Sutton McDonald Yates Hodgson Robson Curtis Hopkins Harper
        Coleman Watkins Moss Chambers Griffin Sharp Hardy Wheeler Potter Osborne Johnston
        Gordon Wallace George Jordan Hutchinson Smyth Thomson MacDonald Ashworth Pritchard
        """,
    ),
    "irish": (
        0.06,
        """
        Sean Patrick Michael John Ciaran Declan Eoin Niall Cormac Conor Darragh Oisin Dermot
        Liam Brendan Fergal Padraig Seamus Kieran Aidan Cathal Rory Shane Colm Donal Ronan
        Eamon Fintan Killian Tadhg Séamus Diarmuid
        """,
        """
        Siobhan Niamh Aoife Caoimhe Roisin Sinead Orla Ciara Aisling Grainne Mairead Bridget
        Eileen Maeve Mary Deirdre Clodagh Fionnuala Saoirse Nuala Róisín Siobhán Sorcha
        """,
        """
        Murphy Kelly O'Sullivan Walsh O'Brien Byrne Ryan O'Connor O'Neill O'Reilly Doyle
        McCarthy Gallagher Doherty Kennedy Lynch Murray Quinn McLaughlin Carroll Connolly Daly
        Connell Fitzgerald Brennan Nolan McGrath Donnelly Maguire Flanagan McGuinness Keane
        O'Donnell Brady Sweeney Dunne Power Kavanagh Hegarty Boyle Mulligan Farrell Reilly
        """,
    ),
    "south_asian": (
        0.14,
        """
        Mohammed Muhammad Mohamed Ahmed Ali Imran Asif Tariq Zubair Bilal Hamza Usman Amir
        Faisal Kamran Shahid Rizwan Adnan Arif Raj Sanjay Vijay Amit Rahul Gurpreet Manjit
        Jaspal Sukhdev Rakesh Abdul Hassan Hussain Yusuf Ibrahim Ismail Omar Khalid Nadeem
        Sajid Waqas Zeeshan Mohammad Aamir Sohail Shabir Javed Rashid Harjit Ravinder Sunil
        Ajay Deepak Kuldip Arjun Rohit Nikhil Suleman Zain Ayaan Haris Ehsan Shakeel
        """,
        """
        Fatima Aisha Ayesha Zainab Maryam Amina Nadia Sana Saima Shazia Nazia Rubina Farzana
        Shabana Priya Anjali Pooja Sunita Kiran Harpreet Manpreet Jaspreet Parveen Rukhsana
        Samina Hina Bushra Sadia Tasneem Nasreen Shamima Rehana Sabrina Asma Mehreen Yasmin
        Reena Neelam Kamaljit Rajinder Sonia Anita Simran Jasmeet
        """,
        """
        Khan Patel Begum Ali Hussain Ahmed Singh Kaur Shah Rahman Miah Uddin Islam Hassan
        Akhtar Iqbal Mahmood Rashid Malik Aziz Chaudhry Choudhury Sharma Kumar Mistry Joshi
        Desai Sandhu Sidhu Dhillon Bains Mohammed Ahmad Hossain Rehman Butt Bibi Akram
        Qureshi Siddiqui Nawaz Anwar Bashir Haq Karim Sultana Parmar Gill Grewal Johal Virdi
        """,
    ),
    "african": (
        0.06,
        """
        Oluwaseun Chukwuemeka Emeka Tunde Babatunde Kwame Kofi Kwabena Yaw Samuel Emmanuel
        Daniel Ifeanyi Chidi Obinna Abdi Abdullahi Mohamud Ayodele Femi Olumide Segun Tendai
        Tafadzwa Kwaku Kojo Nnamdi Chinedu Tobi Ade Ahmed Hassan Yusuf Joseph Isaac
        """,
        """
        Abena Akosua Ama Adwoa Chiamaka Ngozi Adaeze Folake Funmilayo Yetunde Blessing
        Precious Grace Faith Comfort Nia Amara Halima Hodan Fadumo Sahra Esther Ruth Deborah
        Chioma Ifeoma Bukola Temitope Nneka Efua
        """,
        """
        Okafor Okonkwo Adeyemi Adebayo Oluwole Mensah Owusu Asante Boateng Osei Appiah Nwosu
        Eze Obi Abdi Mohamud Hussein Warsame Mwangi Ndlovu Moyo Banda Kamara Conteh Sesay
        Diallo Traore Okoro Ogunleye Bakare Adeleke Oyelaran Afolabi Nwachukwu Achebe Agyeman
        Addo Ansah Darko Farah Jama Omar Yusuf Ibrahim Mensa
        """,
    ),
    "caribbean": (
        0.05,
        """
        Delroy Winston Clive Marlon Tyrone Jermaine Dwayne Leroy Errol Courtney Andre Kareem
        Devon Rohan Junior Anthony Michael Mark Leon Shaun Dean Nathan Marcus Jerome Trevor
        Lloyd Everton Carlton Wesley Kemar
        """,
        """
        Marcia Beverley Sharon Donna Paulette Sonia Claudette Simone Keisha Tanisha Shanice
        Monique Natasha Charmaine Yvonne Jacqueline Cheryl Andrea Janice Kezia Tiana Aaliyah
        """,
        """
        Campbell Brown Francis Gayle Grant Lindo McKenzie Reid Thompson Richards Clarke Forbes
        Bailey Morrison Henry Samuels Powell Edwards Blake DaCosta Beckford Nembhard Bennett
        Gordon Chambers Lewis Stewart Wright Hylton Ferguson Johnson Williams Gayle Spence
        Barnett Facey Bryan Walters
        """,
    ),
    "eastern_european": (
        0.07,
        """
        Piotr Paweł Tomasz Krzysztof Marcin Michał Łukasz Jakub Mateusz Kamil Andrzej
        Wojciech Adrian Marius Ionut Andrei Florin Bogdan Vasile Gheorghe Darius Jonas Mantas
        Tomas Aleksander Dmitri Sergei Vladimir Oleksandr Artur Dawid Grzegorz Rafał Mihai
        Cristian Alexandru Nicolae Viktor Ivan Arturas Dainius Janis
        """,
        """
        Agnieszka Katarzyna Magdalena Joanna Anna Monika Aleksandra Ewa Justyna Karolina
        Natalia Ioana Elena Andreea Mihaela Alina Irina Olga Oksana Daria Ieva Inga Kristina
        Małgorzata Marta Paulina Dorota Beata Gabriela Roxana Simona Larisa
        """,
        """
        Kowalski Nowak Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański
        Woźniak Dąbrowski Kozłowski Jankowski Mazur Krawczyk Popescu Ionescu Popa Radu Stan
        Dumitru Petrov Ivanov Kazlauskas Jankauskas Petrauskas Bērziņš Horváth Novak Kovač
        Nowicki Wróbel Pawlak Michalski Grabowski Constantin Stoica Rusu Balan Smirnov
        """,
    ),
}


def _rank_weights(count: int, offset: int) -> list[float]:
    """Zipf-like weights by rank; a larger `offset` flattens the head of the list."""
    return [1.0 / (rank + offset) for rank in range(count)]


# Given names concentrate more than family names: David was ~4 % of boys born in the 1970s
# and 1980s, while Smith, the commonest family name, is ~1.3 % of people.
_GIVEN_OFFSET = 4
_FAMILY_OFFSET = 20


class _Pool:
    """Names of one list with cumulative weights, so `rng.choices` draws in O(log n)."""

    def __init__(self, text: str, offset: int) -> None:
        self.names = text.split()
        self.cum_weights = list(accumulate(_rank_weights(len(self.names), offset)))

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cum_weights)[0]


_POOLS: dict[str, tuple[_Pool, _Pool, _Pool]] = {
    name: (_Pool(male, _GIVEN_OFFSET), _Pool(female, _GIVEN_OFFSET), _Pool(family, _FAMILY_OFFSET))
    for name, (_, male, female, family) in _COMMUNITIES.items()
}
_COMMUNITY_NAMES = list(_COMMUNITIES)
_COMMUNITY_CUM = list(accumulate(share for share, *_ in _COMMUNITIES.values()))

# Outward codes: areas QA..QF (never real), districts 1..12.
_OUTWARD_CODES = [f"Q{area}{district}" for area in "ABCDEF" for district in range(1, 13)]
# Inward codes use every letter but C, I, K, M, O and V, as real postcodes do.
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

_FIRST_DOB = date(1960, 1, 1)
_LAST_DOB = date(2008, 12, 31)
# Offenders in a borough's cohorts are mostly born between the mid 1980s and early 2000s:
# weight each birth year by a tent peaking at 1992, with a floor so every year occurs.
_DOB_YEARS = list(range(_FIRST_DOB.year, _LAST_DOB.year + 1))
_DOB_YEAR_CUM = list(accumulate(max(0.15, 1 - abs(year - 1992) / 22) for year in _DOB_YEARS))

# A name someone is "known as" on the street, a married or former name, or a different date
# of birth: the aliases an agency records.
_ALIAS_SHARE = 0.15
_PNC_SHARE = 0.70
_CRO_SHARE = 0.25
_CRN_SHARE = 0.40
_PRISON_SHARE = 0.15
_NHS_SHARE = 0.20
_HYPHENATED_SHARE = 0.02
_APPROXIMATE_DOB_SHARE = 0.02
_MISSING_POSTCODE_SHARE = 0.05  # no fixed abode, or not known
_MIXED_GIVEN_SHARE = 0.10  # a given name drawn from another community's list
_FEMALE_SHARE = 0.15  # roughly the share of women among offenders managed by panels


def _draw_dob(rng: random.Random) -> date:
    year = rng.choices(_DOB_YEARS, cum_weights=_DOB_YEAR_CUM)[0]
    start = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - start).days
    return start + timedelta(days=rng.randrange(days))


def _draw_postcode(rng: random.Random) -> str:
    outward = rng.choice(_OUTWARD_CODES)
    return f"{outward} {rng.randrange(1, 10)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"


def _draw_name(rng: random.Random, gender: str) -> tuple[str, str, str]:
    """A (given, family, community) triple; given names sometimes come from another list."""
    community = rng.choices(_COMMUNITY_NAMES, cum_weights=_COMMUNITY_CUM)[0]
    male, female, family_pool = _POOLS[community]
    given_community = community
    if rng.random() < _MIXED_GIVEN_SHARE:
        given_community = rng.choices(_COMMUNITY_NAMES, cum_weights=_COMMUNITY_CUM)[0]
        male, female, _ = _POOLS[given_community]
    given = (female if gender == "female" else male).draw(rng)
    family = family_pool.draw(rng)
    if rng.random() < _HYPHENATED_SHARE:
        other = family_pool.draw(rng)
        if other != family:
            family = f"{family}-{other}"
    return given, family, community


class _UniqueDraw:
    """Draws identifiers until one not yet used comes up, so no two people share one."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, make: Callable[..., str], *args: object) -> str:
        while True:
            value = make(*args)
            if value not in self.used:
                self.used.add(value)
                return value


def _make_pnc(rng: random.Random, dob: date) -> str:
    # The PNC year is the year of the first arrest: from age 10 (the age of criminal
    # responsibility) to 2025.
    year = rng.randint(min(dob.year + 10, 2025), 2025) % 100
    serial = rng.randint(1, 999_999)
    return f"{year:02d}/{serial:07d}{pnc_check_letter(year, serial)}"


def _make_cro(rng: random.Random, dob: date) -> str:
    year = rng.randint(min(dob.year + 10, 2025), 2025) % 100
    serial = rng.randint(1, 999_999)
    return f"{serial:06d}/{year:02d}{cro_check_letter(year, serial)}"


def _make_crn(rng: random.Random) -> str:
    return f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{rng.randrange(1_000_000):06d}"


def _make_prison(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return f"{rng.choice(letters)}{rng.randrange(10_000):04d}{rng.choice(letters)}{rng.choice(letters)}"


def _make_nhs(rng: random.Random) -> str:
    while True:
        first_nine = f"{rng.randrange(400_000_000, 800_000_000):09d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"


def _make_alias(rng: random.Random, given: str, family: str, gender: str, dob: date) -> AliasName:
    """One alias of the kinds agencies record: another given name, family name, or DOB."""
    kind = rng.random()
    if kind < 0.4:
        # A different family name: a married or former name, or a parent's name.
        _, other_family, _ = _draw_name(rng, gender)
        return AliasName(given, other_family, None)
    if kind < 0.75:
        # A different given name ("known as"), keeping the family name.
        other_given, _, _ = _draw_name(rng, gender)
        return AliasName(other_given, family, None)
    # A different date of birth given to the police, usually close to the real one.
    return AliasName(given, family, dob + timedelta(days=rng.choice([-1, 1]) * rng.randint(1, 800)))


def generate_people(n: int, seed: int) -> list[Person]:
    """Return `n` realistic people; the same `n` and `seed` always give the same people.

    About 70 % have a PNC ID (with a correct check letter), 40 % a probation CRN, and fewer
    a CRO, prison or NHS number; 15 % have an alias. Identifiers are unique across people.
    """
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, not security
    pncs, cros, crns, prisons, nhss = (_UniqueDraw() for _ in range(5))
    people: list[Person] = []
    for _ in range(n):
        gender = "female" if rng.random() < _FEMALE_SHARE else "male"
        given, family, _ = _draw_name(rng, gender)
        dob = _draw_dob(rng)
        approximate = rng.random() < _APPROXIMATE_DOB_SHARE
        if approximate:
            dob = date(dob.year, 1, 1)  # how systems store "born about 1990"
        postcode = "" if rng.random() < _MISSING_POSTCODE_SHARE else _draw_postcode(rng)
        identifiers: dict[str, str] = {}
        if rng.random() < _PNC_SHARE:
            identifiers["pnc"] = pncs.take(_make_pnc, rng, dob)
            if rng.random() < _CRO_SHARE / _PNC_SHARE:
                identifiers["cro"] = cros.take(_make_cro, rng, dob)
        if rng.random() < _CRN_SHARE:
            identifiers["crn"] = crns.take(_make_crn, rng)
        if rng.random() < _PRISON_SHARE:
            identifiers["prison"] = prisons.take(_make_prison, rng)
        if rng.random() < _NHS_SHARE:
            identifiers["nhs"] = nhss.take(_make_nhs, rng)
        aliases: tuple[AliasName, ...] = ()
        if rng.random() < _ALIAS_SHARE:
            count = 1 if rng.random() < 0.8 else 2
            aliases = tuple(_make_alias(rng, given, family, gender, dob) for _ in range(count))
        people.append(
            Person(
                given=given,
                family=family,
                dob=dob,
                dob_approximate=approximate,
                gender=gender,
                postcode=postcode,
                identifiers=identifiers,
                aliases=aliases,
            )
        )
    return people


# --- Corruption ---------------------------------------------------------------------------

# Neighbouring keys on a UK QWERTY keyboard: most substitution typos hit one of them.
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _row_index, _row in enumerate(_KEYBOARD_ROWS):
    for _col, _key in enumerate(_row):
        near = _row[max(_col - 1, 0) : _col] + _row[_col + 1 : _col + 2]
        for _other_row in (_row_index - 1, _row_index + 1):
            if 0 <= _other_row < len(_KEYBOARD_ROWS):
                near += _KEYBOARD_ROWS[_other_row][max(_col - 1, 0) : _col + 1]
        _NEIGHBOURS[_key] = near


def _typo(rng: random.Random, name: str) -> str:
    """One insertion, deletion, substitution or transposition inside `name`."""
    letters = [i for i, char in enumerate(name) if char.isalpha()]
    for _ in range(20):
        operation = rng.choice(("insert", "delete", "substitute", "transpose"))
        i = rng.choice(letters)
        lower = name[i].lower()
        if operation == "insert":
            # Doubling a letter is the commonest insertion ("Philllip"), then a neighbour.
            extra = lower if rng.random() < 0.5 else rng.choice(_NEIGHBOURS.get(lower, lower))
            result = name[: i + 1] + extra + name[i + 1 :]
        elif operation == "delete" and len(letters) > 3:
            result = name[:i] + name[i + 1 :]
        elif operation == "substitute":
            replacement = rng.choice(_NEIGHBOURS.get(lower, "aeiou"))
            if name[i].isupper():
                replacement = replacement.upper()
            result = name[:i] + replacement + name[i + 1 :]
        elif operation == "transpose" and i + 1 < len(name) and name[i + 1].isalpha():
            result = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
            if i == 0:  # keep the capital at the front, as a person would
                result = result[0].upper() + result[1].lower() + result[2:]
        else:
            continue
        if normalise_name(result) != normalise_name(name):
            return result
    raise ValueError(f"cannot make a typo in {name!r}")


def _nickname(rng: random.Random, given: str) -> str:
    first = normalise_name(given).split(" ")[0]
    options = sorted(name_variants(first) - {first})
    if not options:
        raise ValueError(f"{given!r} has no known nickname or variant")
    return rng.choice(options).title()


def _dob_digit(rng: random.Random, dob: date) -> date:
    """The same date with one digit of DDMMYYYY mistyped, still a valid, plausible date."""
    text = dob.strftime("%d%m%Y")
    positions = [0, 1, 2, 3, 6, 7]  # a mistyped century (1 9 -> 2 9) is caught on entry
    for _ in range(50):
        i = rng.choice(positions)
        digit = str(rng.randrange(10))
        if digit == text[i]:
            continue
        candidate = text[:i] + digit + text[i + 1 :]
        try:
            typed = date(int(candidate[4:]), int(candidate[2:4]), int(candidate[:2]))
        except ValueError:
            continue
        if _FIRST_DOB.year - 5 <= typed.year <= _LAST_DOB.year + 5:
            return typed
    raise ValueError(f"cannot mistype a digit of {dob}")


def corrupt(person: Person, rng: random.Random, kind: str) -> Person:
    """Return `person` as another agency might have recorded them, with one `kind` of change.

    Raises ValueError when the change cannot apply to this person (no known nickname, no
    alias, a day and month that read the same either way), so callers can draw another.
    """
    if kind == "typo":
        if rng.random() < 0.5:
            return replace(person, given=_typo(rng, person.given))
        return replace(person, family=_typo(rng, person.family))
    if kind == "nickname":
        return replace(person, given=_nickname(rng, person.given))
    if kind == "swap":
        return replace(person, given=person.family, family=person.given)
    if kind == "dob_transposed":
        dob = person.dob
        if dob is None or person.dob_approximate or dob.day > 12 or dob.day == dob.month:
            raise ValueError("day and month cannot be swapped")
        return replace(person, dob=date(dob.year, dob.day, dob.month))
    if kind == "dob_digit":
        if person.dob is None or person.dob_approximate:
            raise ValueError("no exact date of birth to mistype")
        return replace(person, dob=_dob_digit(rng, person.dob))
    if kind == "missing_identifiers":
        if not person.identifiers:
            raise ValueError("no identifiers to lose")
        return replace(person, identifiers={})
    if kind == "alias":
        if not person.aliases:
            raise ValueError("no alias recorded")
        alias = rng.choice(person.aliases)
        # The other agency knows only the alias: it becomes their record's main identity.
        return replace(
            person, given=alias.given, family=alias.family, dob=alias.dob or person.dob, aliases=()
        )
    return _agency_slip(person, rng, kind)


def _agency_slip(person: Person, rng: random.Random, kind: str) -> Person:
    """The corruptions only AGENCY_CORRUPTIONS holds (see `corrupt`)."""
    if kind == "typo_both":
        return replace(person, given=_typo(rng, person.given), family=_typo(rng, person.family))
    if kind == "initial":
        initial = normalise_name(person.given)[:1].upper()
        if not initial or len(normalise_name(person.given)) < 2:
            raise ValueError("the given name is an initial already")
        return replace(person, given=initial)
    if kind == "dob_missing":
        if person.dob is None:
            raise ValueError("no date of birth to leave out")
        return replace(person, dob=None, dob_approximate=False)
    if kind == "dob_approximate":
        if person.dob is None:
            raise ValueError("no date of birth to know roughly")
        # An age on a list: the year it gives is out by one about half the time.
        year = person.dob.year - (1 if rng.random() < 0.5 else 0)
        return replace(person, dob=date(year, 1, 1), dob_approximate=True)
    raise ValueError(f"unknown corruption {kind!r}")


_MAX_PROBE_FAILURES = 100_000


def probes(
    people: list[Person],
    n: int,
    seed: int,
    *,
    kinds: tuple[str, ...] = CORRUPTIONS,
    keep_identifiers: bool = False,
) -> list[tuple[Person, int, str]]:
    """Draw `n` (probe, true_index, kind) triples, the kinds in turn, deterministically.

    Each probe has exactly one corruption. Unless `keep_identifiers`, probes carry no
    identifiers and no aliases, and half lose their postcode: the partner searching knows a
    name and a date of birth, so the measure is of name and date matching.
    """
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, not security
    drawn: list[tuple[Person, int, str]] = []
    failures = 0
    while len(drawn) < n:
        kind = kinds[len(drawn) % len(kinds)]
        index = rng.randrange(len(people))
        try:
            probe = corrupt(people[index], rng, kind)
        except ValueError:
            # This person cannot show this corruption (no alias, say): draw another, but do
            # not loop for ever on a population where nobody can.
            failures += 1
            if failures > _MAX_PROBE_FAILURES:
                raise ValueError(f"too few people can be given the corruption {kind!r}") from None
            continue
        if not keep_identifiers:
            probe = replace(
                probe,
                identifiers={},
                aliases=(),
                postcode=probe.postcode if rng.random() < 0.5 else "",
            )
        drawn.append((probe, index, kind))
    return drawn
