"""A new user's first steps in a real browser: sign in, dashboard, switch to Urdu."""

import pytest

from tests.e2e.conftest import screenshot, sign_in


@pytest.mark.parametrize(
    ("username", "section"),
    [
        ("officer", "My courses"),
        ("trainer", "Courses I teach"),
        ("reviewer", "Waiting for my review"),
        ("partner", "Training calendar"),
        ("admin", "Site figures"),
    ],
)
def test_each_demo_account_signs_in_to_its_dashboard(page, username, section):
    sign_in(page, username)

    assert page.get_by_role("heading", name=section).is_visible()
    screenshot(page, f"dashboard-{username}")


def test_switching_to_urdu_lays_the_page_out_right_to_left(page):
    sign_in(page, "officer")

    page.get_by_role("button", name="اردو").click()
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ur"
    assert page.get_by_role("heading", name="میرے کورسز").is_visible()  # "My courses"
    # the brand sits on the right in RTL
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > page.viewport_size["width"] / 2
    screenshot(page, "dashboard-officer-urdu")

    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("dir") == "ltr"


def test_the_dashboard_works_on_a_phone(new_page):
    page = new_page(viewport={"width": 375, "height": 740})
    sign_in(page, "officer")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the page scrolls sideways on a phone"
    screenshot(page, "dashboard-officer-phone")


def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(page):
    page.goto("/")

    page.keyboard.press("Tab")

    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
