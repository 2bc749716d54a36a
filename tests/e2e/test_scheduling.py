"""The shared calendar as partners and the Academy use it, with two browsers open at once:
`partner` proposes a training that clashes with one UNODC seeded and sees why; `admin`,
watching the calendar, sees the proposal arrive live and confirms it; `officer` is
nominated, enrolled, and finds the live session in their iCalendar feed."""

import re
import urllib.request
import zoneinfo
from datetime import datetime, timedelta

import icalendar
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in

KARACHI = zoneinfo.ZoneInfo("Asia/Karachi")
TITLE = "Migration management for Lahore Zone inspectors"


def test_propose_see_conflicts_confirm_live_nominate_and_subscribe(new_page, live_site):
    day = datetime.now(KARACHI).date() + timedelta(days=21)  # UNODC's Lahore course (demo)

    # The Academy watches the month of UNODC's course on the calendar.
    admin = new_page()
    sign_in(admin, "admin")
    admin.goto(f"/trainings/?date={day.isoformat()}")
    expect(admin.locator("[data-board-status]")).to_have_text("Live")
    admin.evaluate("window.notReloaded = true")

    # ICMPD's coordinator proposes a training for the same unit on the same days.
    partner = new_page()
    sign_in(partner, "partner")
    partner.goto("/trainings/new/")
    partner.get_by_label("Title").fill(TITLE)
    course = partner.locator("#id_course option", has_text="FIA-MMT-301").get_attribute("value")
    partner.get_by_label("Course").select_option(course)
    partner.get_by_label("Starts").fill(f"{day.isoformat()}T10:00")
    partner.get_by_label("Ends", exact=True).fill(f"{day.isoformat()}T16:00")
    partner.get_by_label("FIA units").fill("FIA Lahore Zone")
    partner.get_by_label("Live sessions").fill(f"{day.isoformat()} 11:00, 90, Opening session")
    partner.get_by_role("button", name="Propose to the Academy").click()

    # … and is told why it clashes, with a link to UNODC's training.
    panel = partner.get_by_role("alert")
    expect(panel).to_contain_text("conflicts with the calendar")
    expect(panel).to_contain_text("Identifying victims of trafficking at Lahore airport")
    expect(panel).to_contain_text("UNODC")
    expect(panel.get_by_role("link").first).to_have_attribute(
        "href", re.compile(r"/trainings/\d+/")
    )
    screenshot(partner, "scheduling-conflicts")
    expect(admin.get_by_text(TITLE)).to_have_count(0)  # nothing was saved, nothing announced

    partner.get_by_label("Why go ahead anyway?").fill(
        "A ToT for trainers of the Lahore Zone, not the victim identification course."
    )
    partner.get_by_role("button", name="Go ahead despite the conflicts").click()
    expect(partner.locator("h1")).to_have_text(TITLE)
    expect(partner.locator("[data-training-status]")).to_have_text("Proposed")
    training_url = partner.url

    # The Academy's calendar shows it without reloading, on the board and on the day.
    board = admin.locator("[data-board-events]")
    expect(board).to_contain_text(f"ICMPD proposed “{TITLE}”")
    expect(board).to_contain_text("Conflicts acknowledged")
    expect(admin.locator(f"[data-date='{day.isoformat()}']")).to_contain_text(TITLE)
    assert admin.evaluate("window.notReloaded") is True
    screenshot(admin, "scheduling-calendar-live")

    # The partner goes back to the calendar; the Academy confirms; the partner's chip turns
    # "Confirmed" live.
    partner.goto(f"/trainings/?date={day.isoformat()}")
    expect(partner.locator("[data-board-status]")).to_have_text("Live")
    chip = partner.locator(f"[data-date='{day.isoformat()}'] .training-chip", has_text=TITLE)
    expect(chip.locator("[data-status-label]")).to_have_text("Proposed")
    partner.evaluate("window.notReloaded = true")

    board.get_by_role("link", name=f"ICMPD proposed “{TITLE}”").click()
    admin.get_by_role("button", name="Approve and confirm").click()
    expect(admin.locator("[data-training-status]")).to_have_text("Confirmed")

    expect(chip.locator("[data-status-label]")).to_have_text("Confirmed")
    expect(partner.locator("[data-board-events]")).to_contain_text(
        f"The Academy confirmed “{TITLE}” (ICMPD)"
    )
    assert partner.evaluate("window.notReloaded") is True
    screenshot(partner, "scheduling-calendar")

    # ICMPD nominates the officer, who gets a place and the course.
    partner.goto(training_url.rstrip("/") + "/nominations/")
    partner.get_by_label("Officers").fill("officer")
    partner.get_by_role("button", name="Nominate").click()
    expect(partner.get_by_role("status")).to_contain_text("1 confirmed")
    expect(partner.get_by_role("table")).to_contain_text("Confirmed")

    officer = new_page()
    sign_in(officer, "officer")
    expect(officer.get_by_role("main")).to_contain_text(
        "Training of Trainers on Migration Management"
    )
    officer.goto(training_url)
    expect(officer.get_by_text("Your place")).to_be_visible()

    # The live session is in the officer's private calendar feed.
    officer.goto("/trainings/feeds/")
    feed_url = officer.locator("[data-feed-url='personal']").input_value()
    with urllib.request.urlopen(feed_url, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(response.read())
    sessions = [
        event
        for event in calendar.walk("VEVENT")
        if str(event["SUMMARY"]) == f"{TITLE}: Opening session"
    ]
    assert len(sessions) == 1
    start = sessions[0]["DTSTART"].dt
    assert start == datetime(day.year, day.month, day.day, 11, 0, tzinfo=KARACHI)
    assert sessions[0]["DTEND"].dt - start == timedelta(minutes=90)
    assert str(sessions[0]["STATUS"]) == "CONFIRMED"
    assert calendar.walk("VTIMEZONE")

    # Urdu: the calendar reads right to left.
    officer.context.add_cookies([{"name": "django_language", "value": "ur", "url": live_site.url}])
    officer.goto(f"/trainings/?date={day.isoformat()}")
    assert officer.locator("html").get_attribute("dir") == "rtl"
    headers = officer.locator(".calendar-month thead th")
    monday, sunday = headers.first.bounding_box(), headers.last.bounding_box()
    assert monday["x"] > sunday["x"]  # the week starts on the right
    expect(officer.locator(f"[data-date='{day.isoformat()}']")).to_contain_text(TITLE)
    screenshot(officer, "scheduling-calendar-ur")
