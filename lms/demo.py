"""Demo data for accounts: the Academy, FIA units, partners and one account per role.

Idempotent: every call brings the same rows to the same state through the services.
"""

from django.conf import settings

from lms import services
from lms.models import Organisation, User
from lms.roles import Role

Kind = Organisation.Kind

ORGANISATIONS = [
    # short name, name, kind, country, parent short name
    ("FIA Academy", "FIA Academy, Islamabad", Kind.ACADEMY, "PK", None),
    ("FIA Immigration", "FIA Immigration Wing", Kind.FIA_UNIT, "PK", None),
    ("FIA AHTC", "FIA Anti-Human Trafficking and Smuggling Wing", Kind.FIA_UNIT, "PK", None),
    ("FIA Cyber Crime", "FIA Cyber Crime Wing", Kind.FIA_UNIT, "PK", None),
    ("FIA Lahore Zone", "FIA Lahore Zone", Kind.FIA_UNIT, "PK", None),
    ("FIA Karachi Zone", "FIA Karachi Zone", Kind.FIA_UNIT, "PK", None),
    ("FIA Peshawar Zone", "FIA Peshawar Zone", Kind.FIA_UNIT, "PK", None),
    (
        "ICMPD",
        "International Centre for Migration Policy Development",
        Kind.INTERNATIONAL,
        "AT",
        None,
    ),
    ("UNODC", "United Nations Office on Drugs and Crime", Kind.INTERNATIONAL, "AT", None),
    ("IOM", "International Organization for Migration", Kind.INTERNATIONAL, "CH", None),
    ("GIZ", "Deutsche Gesellschaft für Internationale Zusammenarbeit", Kind.PARTNER, "DE", None),
    ("EU Delegation", "Delegation of the European Union to Pakistan", Kind.DONOR, "PK", None),
    (
        "MOPHRD",
        "Ministry of Overseas Pakistanis and Human Resource Development",
        Kind.MINISTRY,
        "PK",
        None,
    ),
]

# username, first name, last name, roles, organisation, extra fields
ACCOUNTS = [
    (
        "admin",
        "Ayesha",
        "Siddiqui",
        [Role.ADMIN],
        "FIA Academy",
        {"rank": "Director", "service_number": "FIA-0001"},
    ),
    (
        "reviewer",
        "Imran",
        "Qureshi",
        [Role.REVIEWER],
        "FIA Academy",
        {"rank": "Deputy Director (Training)", "service_number": "FIA-0002"},
    ),
    (
        "trainer",
        "Sadia",
        "Malik",
        [Role.TRAINER],
        "FIA Academy",
        {"rank": "Assistant Director", "service_number": "FIA-0103", "unit": "Training Wing"},
    ),
    (
        "officer",
        "Bilal",
        "Ahmed",
        [Role.OFFICER],
        "FIA Immigration",
        {
            "rank": "Inspector",
            "service_number": "FIA-2417",
            "unit": "Immigration, Islamabad Airport",
        },
    ),
    (
        "partner",
        "Elena",
        "Novak",
        [Role.PARTNER],
        "ICMPD",
        {"rank": "", "unit": "Silk Routes Partnership"},
    ),
]


def seed(*, stdout=None) -> dict[str, User]:
    organisations = {}
    for short_name, name, kind, country, parent in ORGANISATIONS:
        organisations[short_name] = services.organisation_upsert(
            short_name=short_name,
            name=name,
            kind=kind,
            country=country,
            parent=organisations.get(parent) if parent else None,
        )
    users = {}
    for username, first, last, roles, organisation, extra in ACCOUNTS:
        users[username] = services.user_upsert(
            username=username,
            password=settings.DEMO_PASSWORD,
            roles=roles,
            first_name=first,
            last_name=last,
            email=f"{username}@fia-academy.example",
            organisation=organisations[organisation],
            **extra,
        )
    if stdout:
        stdout.write(f"  accounts: {len(users)} demo users, {len(organisations)} organisations")
    return users
