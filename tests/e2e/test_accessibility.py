"""axe-core over every page that exists, in English and in Urdu: no serious or critical
violations. Later capabilities add their pages to PAGES."""

import pytest

from tests.e2e.conftest import sign_in

# (who is signed in, or None; the path)
PAGES = [
    (None, "/"),
    (None, "/accounts/login/"),
    (None, "/accounts/password_reset/"),
    (None, "/accounts/password_reset/done/"),
    ("officer", "/dashboard/"),
    ("trainer", "/dashboard/"),
    ("reviewer", "/dashboard/"),
    ("partner", "/dashboard/"),
    ("admin", "/dashboard/"),
    ("officer", "/accounts/password_change/"),
    (None, "/courses/"),
    (None, "/courses/fia-thb-101/"),
    ("officer", "/courses/fia-thb-101/"),
    (
        "officer",
        "/courses/fia-thb-101/day-1-recognising-trafficking-at-the-border/why-the-border-matters/",
    ),
    ("trainer", "/learn/FIA-THB-101/participants/"),
    # assessments (quiz 2 is FIA-THB-101's demo quiz: assessments.demo seeds in a fixed order)
    ("officer", "/quizzes/2/"),
    ("trainer", "/quizzes/2/"),
    ("trainer", "/quizzes/2/grading/"),
    ("trainer", "/quizzes/courses/FIA-THB-101/gradebook/"),
    ("trainer", "/quizzes/courses/FIA-THB-101/questions/"),
    # trainer registry (cohorts 1-4 are Erbil, Istanbul, Islamabad and the Lahore pilot, in
    # the order trainers.demo.registry seeds them; /trainers/me/ is the demo trainer's profile)
    ("partner", "/trainers/?theme=smuggling-of-migrants&language=ur&status=certified"),
    ("trainer", "/trainers/me/"),
    ("admin", "/trainers/1/"),
    ("partner", "/trainers/cohorts/"),
    ("admin", "/trainers/cohorts/4/"),
    ("partner", "/trainers/summary/"),
    ("admin", "/trainers/import/"),
    # certificates (job 1 is the demo's bulk issue for the Islamabad cohort; an unknown code
    # shows the verification page's "not found" answer)
    ("officer", "/trainers/certificates/"),
    ("admin", "/trainers/certificates/manage/"),
    ("admin", "/trainers/certificates/jobs/1/"),
    (None, "/verify/"),
    (None, "/verify/ABCD-EFGH-JKMN-PQRS/"),
    # training calendar (training 1 is the demo's confirmed remote course, the first that
    # scheduling.demo seeds; 3 is IOM's proposal with its acknowledged conflict)
    ("partner", "/trainings/"),
    ("partner", "/trainings/?view=week"),
    ("officer", "/trainings/?view=list"),
    ("officer", "/trainings/1/"),
    ("admin", "/trainings/3/"),
    ("partner", "/trainings/new/"),
    ("admin", "/trainings/approvals/"),
    ("partner", "/trainings/1/nominations/"),
    ("officer", "/trainings/feeds/"),
]


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("language", ["en", "ur"])
@pytest.mark.parametrize(("who", "path"), PAGES)
def test_no_serious_accessibility_violations(page, live_site, who, path, language):
    if who:
        sign_in(page, who)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_site.url}])

    page.goto(path)

    assert page.locator("html").get_attribute("lang") == language
    assert serious_violations(page) == []
