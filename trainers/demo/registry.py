"""Demo registry: ToT cohorts that look like the real ones, their certified trainers and the
trainings those went on to deliver; the demo `trainer` is one of the FIA Academy graduates.

Through the services only, and idempotent: a second run finds every row and changes nothing.
A cohort's dates are set when it is first created (the pilot cohort's relative to that day,
so that one certification is expiring soon).
"""

from datetime import date, timedelta

from django.utils import timezone

from courses.models import CoursePage, ThematicArea
from lms.models import Organisation, User
from lms.services import organisation_upsert
from trainers.models import Certification, Cohort, Trainer
from trainers.services import registry as services

Kind = Organisation.Kind

ORGANISATIONS = [
    ("MoMD Iraq", "Ministry of Migration and Displacement, Iraq", Kind.MINISTRY, "IQ"),
    ("MoI Iraq", "Ministry of Interior, Iraq", Kind.MINISTRY, "IQ"),
    ("KRG", "Kurdistan Regional Government", Kind.MINISTRY, "IQ"),
    ("MoRR Afghanistan", "Ministry of Refugees and Repatriation, Afghanistan", Kind.MINISTRY, "AF"),
    ("MoFA Afghanistan", "Ministry of Foreign Affairs, Afghanistan", Kind.MINISTRY, "AF"),
    ("EU", "European Union", Kind.DONOR, "BE"),
]

# full name, name in own script, gender, organisation, languages, email
ERBIL = [
    ("Ahmed Kadhim Al-Saadi", "أحمد كاظم الساعدي", "male", "MoMD Iraq", ["ar", "en"], ""),
    ("Zainab Hussein Al-Jubouri", "زينب حسين الجبوري", "female", "MoMD Iraq", ["ar", "en"],
     "z.aljubouri@momd.example.org"),
    ("Mustafa Abdulkareem Al-Obaidi", "مصطفى عبد الكريم العبيدي", "male", "MoMD Iraq", ["ar"], ""),
    ("Haider Jabbar Al-Maliki", "حيدر جبار المالكي", "male", "MoMD Iraq", ["ar"], ""),
    ("Noor Salman Al-Rubaie", "نور سلمان الربيعي", "female", "MoMD Iraq", ["ar", "en"], ""),
    ("Ali Qasim Al-Tamimi", "علي قاسم التميمي", "male", "MoMD Iraq", ["ar"], ""),
    ("Sarmad Faleh Al-Khafaji", "سرمد فالح الخفاجي", "male", "MoMD Iraq", ["ar", "en"], ""),
    ("Rana Abbas Al-Dulaimi", "رنا عباس الدليمي", "female", "MoMD Iraq", ["ar"], ""),
    ("Firas Majeed Al-Hashimi", "فراس مجيد الهاشمي", "male", "MoI Iraq", ["ar", "en"],
     "f.alhashimi@moi.example.org"),
    ("Omar Khalid Al-Janabi", "عمر خالد الجنابي", "male", "MoI Iraq", ["ar"], ""),
    ("Yasir Hameed Al-Zubaidi", "ياسر حميد الزبيدي", "male", "MoI Iraq", ["ar"], ""),
    ("Muntadhar Kareem Al-Shammari", "منتظر كريم الشمري", "male", "MoI Iraq", ["ar"], ""),
    ("Hassan Nouri Al-Bayati", "حسن نوري البياتي", "male", "MoI Iraq", ["ar", "tr"], ""),
    ("Layla Mahmoud Al-Azzawi", "ليلى محمود العزاوي", "female", "MoI Iraq", ["ar", "en"], ""),
    ("Karrar Adnan Al-Musawi", "كرار عدنان الموسوي", "male", "MoI Iraq", ["ar"], ""),
    ("Bassam Talib Al-Kubaisi", "بسام طالب الكبيسي", "male", "MoI Iraq", ["ar"], ""),
    ("Rebwar Aziz Mohammed", "ڕێبوار عەزیز محەمەد", "male", "KRG", ["ku", "ar", "en"],
     "r.aziz@krg.example.org"),
    ("Shilan Omar Rasul", "شیلان عومەر ڕەسوڵ", "female", "KRG", ["ku", "en"], ""),
    ("Hawre Karim Ahmed", "هاوڕێ کەریم ئەحمەد", "male", "KRG", ["ku", "ar"], ""),
    ("Dilshad Sabir Hussein", "دڵشاد سابیر حوسێن", "male", "KRG", ["ku", "ar"], ""),
    ("Karwan Jalal Mustafa", "کاروان جەلال مستەفا", "male", "KRG", ["ku", "en"], ""),
    ("Bahar Salih Aziz", "بەهار ساڵح عەزیز", "female", "KRG", ["ku", "ar", "en"], ""),
]  # fmt: skip

ISTANBUL = [
    ("Abdul Rahim Ahmadzai", "عبدالرحیم احمدزی", "male", "MoRR Afghanistan", ["fa", "ps", "en"],
     "a.ahmadzai@morr.example.org"),
    ("Mohammad Nasir Hakimi", "محمد ناصر حکیمی", "male", "MoRR Afghanistan", ["fa", "ps"], ""),
    ("Farida Sultani", "فریده سلطانی", "female", "MoRR Afghanistan", ["fa", "en"], ""),
    ("Ahmad Shah Noori", "احمد شاه نوری", "male", "MoRR Afghanistan", ["fa", "ps"], ""),
    ("Gul Agha Stanikzai", "گل آغا ستانکزی", "male", "MoRR Afghanistan", ["ps", "fa"], ""),
    ("Sayed Jawad Hussaini", "سید جواد حسینی", "male", "MoRR Afghanistan", ["fa"], ""),
    ("Mohammad Yousuf Rahimi", "محمد یوسف رحیمی", "male", "MoRR Afghanistan", ["fa", "ps"], ""),
    ("Zarghona Wardak", "زرغونه وردک", "female", "MoRR Afghanistan", ["ps", "fa", "en"], ""),
    ("Abdul Basir Samadi", "عبدالبصیر صمدی", "male", "MoRR Afghanistan", ["fa"], ""),
    ("Najibullah Karimi", "نجیب‌الله کریمی", "male", "MoFA Afghanistan", ["fa", "en"], ""),
    ("Homayoun Azizi", "همایون عزیزی", "male", "MoFA Afghanistan", ["fa", "en", "ru"], ""),
    ("Mariam Haidari", "مریم حیدری", "female", "MoFA Afghanistan", ["fa", "en"],
     "m.haidari@mofa.example.org"),
    ("Khalid Amiri", "خالد امیری", "male", "MoFA Afghanistan", ["fa", "ps"], ""),
    ("Rahmatullah Safi", "رحمت‌الله صافی", "male", "MoFA Afghanistan", ["ps", "fa"], ""),
    ("Habibullah Mohammadi", "حبیب‌الله محمدی", "male", "MoFA Afghanistan", ["fa", "en"], ""),
]  # fmt: skip

# full name, native, gender, organisation, languages, specialisations (theme slugs)
FIA_ISLAMABAD = [
    ("Muhammad Asif Khan", "محمد آصف خان", "male", "FIA Immigration", ["ur", "ps", "en"],
     ["smuggling-of-migrants", "border-management"]),
    ("Naveed Akhtar", "نوید اختر", "male", "FIA AHTC", ["ur", "pa"],
     ["smuggling-of-migrants", "trafficking-in-human-beings", "investigation-techniques"]),
    ("Farah Naz", "فرح ناز", "female", "FIA AHTC", ["ur", "en"],
     ["trafficking-in-human-beings", "migrants-rights-and-protection"]),
    ("Zulfiqar Ali Shah", "ذوالفقار علی شاہ", "male", "FIA Karachi Zone", ["ur", "sd", "en"],
     ["document-fraud", "smuggling-of-migrants"]),
    ("Amina Baloch", "آمنہ بلوچ", "female", "FIA Karachi Zone", ["ur", "bal", "en"],
     ["migrants-rights-and-protection", "irregular-migration"]),
    ("Tariq Mehmood", "طارق محمود", "male", "FIA Lahore Zone", ["ur", "pa"],
     ["investigation-techniques", "anti-money-laundering"]),
    ("Shahzad Gul Afridi", "شہزاد گل آفریدی", "male", "FIA Peshawar Zone", ["ps", "ur"],
     ["smuggling-of-migrants", "border-management"]),
    ("Rabia Khalid", "رابعہ خالد", "female", "FIA Immigration", ["ur", "en"],
     ["data-collection", "irregular-migration"]),
    ("Kamran Haider", "کامران حیدر", "male", "FIA Cyber Crime", ["ur", "en"],
     ["cybercrime", "trafficking-in-human-beings"]),
]  # fmt: skip

FIA_PILOT = [
    ("Imtiaz Hussain", "امتیاز حسین", "male", "FIA Lahore Zone", ["ur", "pa"],
     ["smuggling-of-migrants", "trafficking-in-human-beings"]),
    ("Saima Parveen", "صائمہ پروین", "female", "FIA Immigration", ["ur", "en"],
     ["trafficking-in-human-beings", "migrants-rights-and-protection"]),
    ("Junaid Iqbal", "جنید اقبال", "male", "FIA Peshawar Zone", ["ps", "ur"],
     ["border-management", "smuggling-of-migrants"]),
]  # fmt: skip

ERBIL_THEMES = [
    "irregular-migration",
    "border-management",
    "return-and-reintegration",
    "migrants-rights-and-protection",
]
ISLAMABAD_THEMES = [
    "smuggling-of-migrants",
    "trafficking-in-human-beings",
    "irregular-migration",
    "border-management",
    "document-fraud",
    "migrants-rights-and-protection",
]
ISTANBUL_THEMES = ["return-and-reintegration", "labour-migration", "migrants-rights-and-protection"]


def _themes(slugs) -> list[ThematicArea]:
    return list(ThematicArea.objects.filter(slug__in=slugs))


def _cohort(name: str, **fields) -> Cohort:
    """The cohort with this name, made on the first run and left alone afterwards."""
    existing = Cohort.objects.filter(name=name).first()
    return existing or services.cohort_create(name=name, **fields)


def _trainers(rows, *, country: str, organisations, themes=None) -> list[Trainer]:
    made = []
    for row in rows:
        full_name, native, gender, organisation, languages, extra = row
        email = extra if isinstance(extra, str) else ""
        specialisations = _themes(extra) if isinstance(extra, list) else themes
        made.append(
            services.trainer_upsert(
                full_name=full_name,
                full_name_native=native,
                country=country,
                gender=gender,
                organisation=organisations[organisation],
                languages=languages,
                specialisations=specialisations,
                email=email,
            )
        )
    return made


def _certify(cohort: Cohort, trainers: list[Trainer]) -> list[Certification]:
    services.cohort_add_participants(cohort=cohort, trainers=trainers)
    return [services.certification_grant(trainer=t, cohort=cohort) for t in trainers]


def seed(*, stdout=None) -> None:
    organisations = {o.short_name: o for o in Organisation.objects.all()}
    for short_name, name, kind, country in ORGANISATIONS:
        organisations[short_name] = organisation_upsert(
            short_name=short_name, name=name, kind=kind, country=country
        )
    admin = User.objects.filter(username="admin").first()
    courses = {
        c.code: c for c in CoursePage.objects.filter(code__in=["FIA-MMT-301", "FIA-THB-101"])
    }
    icmpd, eu = organisations.get("ICMPD"), organisations["EU"]
    academy = organisations.get("FIA Academy")

    # Iraq: 22 trainers of three institutions, certified in Erbil after a ten-day course.
    erbil = _cohort(
        "Erbil ToT on migration management, September 2025",
        course_title="Training of Trainers on Migration Management",
        place="Erbil",
        country="IQ",
        start_date=date(2025, 9, 14),
        end_date=date(2025, 9, 23),
        hours=60,
        themes=_themes(ERBIL_THEMES),
        organisers=[o for o in (icmpd,) if o],
        funding_partner=eu,
        validity_months=36,
    )
    iraqis = _trainers(
        ERBIL, country="IQ", organisations=organisations, themes=_themes(ERBIL_THEMES)
    )
    erbil_certifications = _certify(erbil, iraqis)

    # Afghanistan: 15 employees of two ministries, three of them women, certified in Istanbul.
    istanbul = _cohort(
        "Istanbul ToT on return and reintegration, May 2024",
        course_title="Training of Trainers on Return, Reintegration and Migrants' Rights",
        place="Istanbul",
        country="TR",
        start_date=date(2024, 5, 12),
        end_date=date(2024, 5, 21),
        hours=56,
        themes=_themes(ISTANBUL_THEMES),
        organisers=[o for o in (icmpd,) if o],
        funding_partner=eu,
        validity_months=36,
    )
    afghans = _trainers(
        ISTANBUL, country="AF", organisations=organisations, themes=_themes(ISTANBUL_THEMES)
    )
    _certify(istanbul, afghans)

    # FIA Academy: the ten-day ToT on migration management, with the demo trainer.
    mmt = courses.get("FIA-MMT-301")
    islamabad = _cohort(
        "FIA Academy ToT on migration management, Islamabad, October 2025",
        course=mmt,
        course_title="" if mmt else "ToT on Migration Management",
        place="Islamabad",
        country="PK",
        start_date=date(2025, 10, 6),
        end_date=date(2025, 10, 17),
        hours=60,
        themes=_themes(ISLAMABAD_THEMES),
        organisers=[o for o in (academy, icmpd) if o],
        funding_partner=organisations.get("EU Delegation"),
        validity_months=36,
    )
    pakistanis = _trainers(FIA_ISLAMABAD, country="PK", organisations=organisations)
    demo_trainer = _demo_trainer(organisations)
    if demo_trainer is not None:
        pakistanis.insert(0, demo_trainer)
    _certify(islamabad, pakistanis)

    # An earlier pilot, three years ago: one certification renewed, one expiring, one suspended.
    thb = courses.get("FIA-THB-101")
    today = timezone.localdate()
    pilot_end = services.add_months(today, -36) + timedelta(days=45)
    pilot = _cohort(
        "FIA Academy ToT pilot on victim identification, Lahore",
        course=thb,
        course_title="" if thb else "ToT on Identifying Victims of Trafficking",
        place="Lahore",
        country="PK",
        start_date=pilot_end - timedelta(days=4),
        end_date=pilot_end,
        hours=30,
        themes=None if thb else _themes(["trafficking-in-human-beings"]),
        organisers=[o for o in (academy,) if o],
        validity_months=36,
    )
    imtiaz, saima, junaid = _trainers(FIA_PILOT, country="PK", organisations=organisations)
    _expiring, renewed, suspended = _certify(pilot, [imtiaz, saima, junaid])
    if not renewed.renewals.exists():
        services.certification_renew(
            certification=renewed, by=admin, note="Renewed after a refresher course in Islamabad"
        )
    services.certification_set_state(
        certification=suspended,
        state=Certification.State.SUSPENDED,
        reason="Suspended while a complaint about a delivered training is reviewed.",
        by=admin,
    )

    deliveries = _deliveries(
        iraqis=iraqis, afghans=afghans, pakistanis=pakistanis, pilot=[imtiaz, saima],
        organisations=organisations, courses=courses,
    )  # fmt: skip
    if stdout:
        stdout.write(
            f"  trainers: {Trainer.objects.count()} trainers in the registry, "
            f"{Cohort.objects.count()} ToT cohorts, {len(erbil_certifications)} certified in "
            f"Erbil, {len(deliveries)} deliveries"
        )


def _demo_trainer(organisations) -> Trainer | None:
    user = User.objects.filter(username="trainer").select_related("organisation").first()
    if user is None:
        return None
    return services.trainer_upsert(
        user=user,
        full_name=user.get_full_name() or user.username,
        full_name_native="سعدیہ ملک",
        country="PK",
        gender="female",
        email=user.email,
        organisation=user.organisation or organisations.get("FIA Academy"),
        languages=["ur", "en", "pa"],
        specialisations=_themes(
            ["smuggling-of-migrants", "trafficking-in-human-beings", "document-fraud"]
        ),
        bio=(
            "Assistant Director at the FIA Academy's Training Wing. Teaches victim "
            "identification, document fraud and the investigation of migrant smuggling; "
            "certified ToT graduate since 2025."
        ),
    )


def _deliveries(*, iraqis, afghans, pakistanis, pilot, organisations, courses) -> list:
    by_name = {t.full_name: t for t in [*iraqis, *afghans, *pakistanis, *pilot]}
    demo = next((t for t in pakistanis if t.user_id), None)
    rows = [
        # source, trainer, title, start, days, reached, place, organisation, course code
        ("demo:erbil:1", by_name["Rebwar Aziz Mohammed"], "Migration management for border "
         "police", date(2025, 11, 10), 4, 28, "Erbil", "KRG", None),
        ("demo:erbil:2", by_name["Zainab Hussein Al-Jubouri"], "Return and reintegration "
         "counselling", date(2026, 1, 18), 3, 24, "Baghdad", "MoMD Iraq", None),
        ("demo:erbil:3", by_name["Firas Majeed Al-Hashimi"], "Indicators of irregular migration "
         "for MoI officers", date(2026, 3, 8), 4, 31, "Basra", "MoI Iraq", None),
        ("demo:erbil:4", by_name["Shilan Omar Rasul"], "Migrants' rights in return "
         "procedures", date(2026, 5, 3), 2, 19, "Sulaymaniyah", "KRG", None),
        ("demo:istanbul:1", by_name["Abdul Rahim Ahmadzai"], "Reintegration support for "
         "returnees", date(2024, 9, 15), 3, 20, "Kabul", "MoRR Afghanistan", None),
        ("demo:istanbul:2", by_name["Mariam Haidari"], "Migrants' rights for consular staff",
         date(2024, 10, 20), 2, 18, "Kabul", "MoFA Afghanistan", None),
        ("demo:fia:1", by_name["Naveed Akhtar"], "Investigating migrant smuggling networks",
         date(2026, 1, 12), 5, 26, "Lahore", "FIA Lahore Zone", None),
        ("demo:fia:2", by_name["Muhammad Asif Khan"], "Smuggling of migrants at the Torkham "
         "border", date(2026, 2, 16), 3, 30, "Peshawar", "FIA Peshawar Zone", None),
        ("demo:fia:3", by_name["Imtiaz Hussain"], "Identifying victims of trafficking",
         date(2024, 3, 4), 3, 25, "Lahore", "FIA Lahore Zone", "FIA-THB-101"),
        ("demo:fia:4", by_name["Saima Parveen"], "Identifying victims of trafficking at "
         "airports", date(2025, 4, 21), 2, 22, "Karachi", "FIA Karachi Zone", "FIA-THB-101"),
    ]  # fmt: skip
    if demo is not None:
        rows += [
            ("demo:fia:5", demo, "Smuggling of migrants: identify and investigate",
             date(2026, 2, 2), 5, 35, "Lahore", "FIA Lahore Zone", None),
            ("demo:fia:6", demo, "Identifying victims of trafficking at Islamabad airport",
             date(2026, 4, 13), 3, 22, "Islamabad", "FIA Immigration", "FIA-THB-101"),
        ]  # fmt: skip
    made = []
    for source, trainer, title, start, days, reached, place, organisation, code in rows:
        made.append(
            services.delivery_record(
                trainer=trainer,
                title=title,
                start_date=start,
                end_date=start + timedelta(days=days - 1),
                participants_reached=reached,
                course=courses.get(code) if code else None,
                source=source,
                organisation=organisations.get(organisation),
                place=place,
                themes=None if code else list(trainer.specialisations.all()),
            )
        )
    return made
