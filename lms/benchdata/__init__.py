"""A large site for benchmarks, made with bulk inserts (minutes, not hours); the
`generate_bench_data` command runs it.

large:
- 100,000 officers; 1,000 courses `BEN-C-nnnn` of 4 modules x 5 lessons (20,000 lessons);
  200,000 enrolments with lesson progress;
- a question bank and a 10-question quiz per course, with a finished attempt for about half
  of its learners: about 1,000,000 quiz responses;
- the showcase course `BEN-SHOWCASE`: 10 modules, 65 lessons (three of them place a
  10-question quiz, three a live session), a trainer (`bench-trainer`) and 300 learners
  (`bench-000000`…`bench-000299`) who have taken its quizzes;
- 500 scheduled trainings of five partner organisations (`BEN-ORG-n`, coordinator
  `bench-partner`) with themes, audience, sessions and nominations;
- 5,000 issued course certificates (codes only: verification needs no PDF).

small is a twentieth of that, except the showcase course, which is the same at every scale.
`tiny` is for the tests. Every account's password is PASSWORD.

Everything it makes is marked (user names `bench-…`, course codes `BEN-…`, organisations
`BEN-…`), so it is idempotent: each part is made once and a second run adds nothing; a part
added later is added to an existing data set. `inventory.reset` removes it all.

Wagtail pages are written straight into the page tree (paths computed here, as treebeard
would) because creating 25,000 pages one by one through the ORM takes far too long. Quiz
attempts are real: one per quiz is started by `attempt_start` (so its layout is exactly what
the service freezes), graded by `attempt_grade`, and the others are bulk copies of it with
responses and marks graded the same way.

Modules, one per part: `constants` (scales, markers, fixed content), `bulk` (COPY/INSERT
helpers), `pages` (the page tree), `people` (accounts and enrolments), `quizzes` (banks,
quizzes, attempts), `showcase` (the showcase course), `trainings` (trainings and
certificates) and `inventory` (counting and removing it). The names other code uses are
re-exported here.
"""

from lms.benchdata.bulk import copy_objects, copy_rows
from lms.benchdata.constants import (
    ALPHABET,
    ATTEMPT_COLUMNS,
    BANK,
    BODY,
    COURSE_PREFIX,
    LESSONS,
    MODULES,
    ORGANISATIONS,
    PARTNER,
    PASSWORD,
    QUIZ_TITLE,
    REGIONS,
    SCALES,
    SHOWCASE,
    SHOWCASE_LIVE_LESSONS,
    SHOWCASE_MODULES,
    SHOWCASE_QUIZ_LESSONS,
    SHOWCASE_QUIZZES,
    TRAINER,
    VENUES,
)
from lms.benchdata.inventory import counts, reset
from lms.benchdata.pages import pages, step, unstep
from lms.benchdata.people import add_role, enrol, enrolments, special_user, users
from lms.benchdata.quizzes import attempted, attempts, course_quizzes, quiz_create
from lms.benchdata.showcase import showcase
from lms.benchdata.trainings import certificates, trainings

__all__ = [
    "ALPHABET",
    "ATTEMPT_COLUMNS",
    "BANK",
    "BODY",
    "COURSE_PREFIX",
    "LESSONS",
    "MODULES",
    "ORGANISATIONS",
    "PARTNER",
    "PASSWORD",
    "QUIZ_TITLE",
    "REGIONS",
    "SCALES",
    "SHOWCASE",
    "SHOWCASE_LIVE_LESSONS",
    "SHOWCASE_MODULES",
    "SHOWCASE_QUIZZES",
    "SHOWCASE_QUIZ_LESSONS",
    "TRAINER",
    "VENUES",
    "add_role",
    "attempted",
    "attempts",
    "certificates",
    "copy_objects",
    "copy_rows",
    "counts",
    "course_quizzes",
    "enrol",
    "enrolments",
    "pages",
    "quiz_create",
    "reset",
    "showcase",
    "special_user",
    "step",
    "trainings",
    "unstep",
    "users",
]
