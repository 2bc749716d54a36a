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
