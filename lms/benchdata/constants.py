"""The shape and the fixed content of the benchmark data: the sizes of each scale
(`SCALES`), the markers that name everything generated (`bench-…` users, `BEN-…` courses and
organisations), the showcase course's layout, the shared account password, and the lesson
body and ten-question GIFT bank every generated course uses.
"""

SCALES = {
    "tiny": {
        "users": 400, "courses": 4, "enrolments": 800, "trainings": 5, "certificates": 20,
        "showcase_learners": 30,
    },
    "small": {
        "users": 5_000, "courses": 50, "enrolments": 10_000, "trainings": 25,
        "certificates": 250, "showcase_learners": 300,
    },
    "large": {
        "users": 100_000, "courses": 1_000, "enrolments": 200_000, "trainings": 500,
        "certificates": 5_000, "showcase_learners": 300,
    },
}  # fmt: skip
MODULES, LESSONS = 4, 5
COURSE_PREFIX = "BEN-C-"
SHOWCASE = "BEN-SHOWCASE"
#: Lessons per module of the showcase course: 65 in all.
SHOWCASE_MODULES = [7, 7, 7, 7, 7, 6, 6, 6, 6, 6]
#: (module, lesson) of the showcase lessons that place a quiz, by quiz number.
SHOWCASE_QUIZ_LESSONS = {(3, 7): 1, (6, 6): 2, (10, 6): 0}
SHOWCASE_LIVE_LESSONS = {(2, 1), (5, 1), (8, 1)}
SHOWCASE_QUIZZES = ["Final assessment", "Mid-course check", "Day 6 check"]
QUIZ_TITLE = "Knowledge check"
ATTEMPT_COLUMNS = [
    "quiz_id", "user_id", "number", "state", "started_at", "finished_at", "layout",
    "responses", "responses_saved_at", "marks", "feedback", "sum_marks", "max_marks",
    "grade_percent", "needs_grading",
]  # fmt: skip
TRAINER, PARTNER = "bench-trainer", "bench-partner"
ORGANISATIONS = 5
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's path alphabet
PASSWORD = "bench-password-2026"  # noqa: S105 - benchmark accounts on a throwaway database
REGIONS = ["Punjab", "Sindh", "Khyber Pakhtunkhwa", "Balochistan", "Islamabad"]
VENUES = [
    "FIA Academy, Islamabad",
    "Lahore zonal office",
    "Karachi zonal office",
    "Peshawar zonal office",
    "Quetta zonal office",
]
BODY = [
    {
        "type": "paragraph",
        "value": "<p>Indicators of trafficking include a third party holding the "
        "passenger's documents, scripted answers and a mismatch between the declared "
        "purpose of travel and the ticket.</p>",
        "id": "0",
    }
]
#: Ten auto-graded questions (GIFT): four multiple choice, three true/false, two short
#: answers and a number.
BANK = """$CATEGORY: top/{category}

::MC1:: Which agency investigates human trafficking cases at Pakistan's airports? \
{{=FIA ~Police ~Customs ~Airport security}}

::MC2:: Which document is the strongest proof of a traveller's identity? \
{{=A passport ~A boarding pass ~A hotel booking ~A ticket receipt}}

::MC3:: Which is an indicator of trafficking at immigration? \
{{=Someone else holds the passenger's documents ~A return ticket ~A tourist visa ~Luggage}}

::MC4:: Which law criminalises trafficking in persons in Pakistan? \
{{=The Prevention of Trafficking in Persons Act 2018 ~The Passport Act ~The Customs Act \
~The Emigration Ordinance}}

::TF1:: The Palermo Protocol defines trafficking in persons. {{T}}

::TF2:: A victim's consent makes exploitation legal. {{F}}

::TF3:: Smuggling of migrants always involves crossing a border. {{T}}

::SA1:: Name the agency that leads on trafficking cases. {{=FIA =Federal Investigation Agency}}

::SA2:: What is the three-part test of trafficking called (act, means and ...)? {{=purpose}}

::NU1:: How many elements has the definition of trafficking? {{#3:0}}
"""
