"""The trainer registry in a real browser: a partner looks for certified trainers in
smuggling of migrants who speak Urdu, opens one, and the page holds up in Urdu and on a phone."""

from tests.e2e.conftest import screenshot, sign_in


def test_a_partner_finds_a_certified_urdu_speaking_trainer_in_smuggling(page):
    sign_in(page, "partner")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trainers").click()
    page.wait_for_url("**/trainers/")

    page.get_by_label("Specialisation").select_option("smuggling-of-migrants")
    page.get_by_label("Language").select_option("ur")
    page.get_by_label("Status").select_option("certified")
    page.get_by_role("button", name="Find trainers").click()
    page.wait_for_url("**/trainers/?*theme=smuggling-of-migrants*")

    results = page.locator(".trainer-card")
    assert results.count() >= 3
    assert page.locator(".trainer-card .status-badge--revoked").count() == 0
    assert page.locator(".trainer-card .status-badge--suspended").count() == 0
    sadia = results.filter(has_text="Sadia Malik")
    assert sadia.get_by_text("Urdu").is_visible()
    assert sadia.get_by_text("Smuggling of migrants").is_visible()
    screenshot(page, "registry-search")

    sadia.get_by_role("link", name="Sadia Malik").click()
    page.wait_for_url("**/trainers/*/")

    assert page.get_by_role("heading", name="Sadia Malik", level=1).is_visible()
    assert page.get_by_role("heading", name="Certifications").is_visible()
    assert page.locator(".certification").filter(has_text="FIA Academy ToT").count() == 1
    # partner coordinators see how to reach the trainer
    assert page.get_by_role("link", name="trainer@fia-academy.example").is_visible()
    screenshot(page, "registry-profile")


def test_the_registry_reads_right_to_left_in_urdu(page):
    sign_in(page, "partner")
    page.goto("/trainers/?theme=smuggling-of-migrants&language=ur&status=certified")

    page.get_by_role("button", name="اردو").click()
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("dir") == "rtl"
    card = page.locator(".trainer-card").filter(has_text="Sadia Malik")
    box = card.bounding_box()
    name = card.get_by_role("link", name="Sadia Malik").bounding_box()
    # The name starts at the card's right edge in right-to-left.
    assert name["x"] + name["width"] > box["x"] + box["width"] * 0.6
    assert card.get_by_text("سعدیہ ملک").is_visible()
    screenshot(page, "registry-search-urdu")

    page.goto("/trainers/summary/")
    assert page.locator(".chart svg").count() >= 4
    screenshot(page, "registry-summary-urdu")


def test_the_registry_works_on_a_phone(new_page):
    page = new_page(viewport={"width": 375, "height": 740})
    sign_in(page, "partner")

    for path in ("/trainers/", "/trainers/cohorts/", "/trainers/summary/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} scrolls sideways on a phone"
    screenshot(page, "registry-summary-phone")
