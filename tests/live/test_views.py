"""The classroom page, the follow-me stage, the video room, the attendance reports and
their exports, the dashboard's sessions, and the API."""

import csv
import hashlib
import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from live import attendance, selectors, services
from live.models import AttendanceRecord, LiveConnection
from lms.roles import Role
from scheduling.models import Nomination
from tests.courses.factories import course_create, lessons_of
from tests.factories import UserFactory
from tests.live.factories import classroom_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(username="officer", roles=[Role.OFFICER])


@pytest.fixture
def session(officer):
    return classroom_create(participants=[officer], course=course_create(modules=1, lessons=2))


@pytest.fixture
def trainer(session):
    return session.training.assignments.get().trainer.user


# --- The classroom page ---------------------------------------------------------------------
def test_a_participant_gets_the_classroom_shell_with_its_websocket(client, session, officer):
    client.force_login(officer)

    response = client.get(f"/live/{session.pk}/")

    assert response.status_code == 200
    content = response.content.decode()
    assert f'"ws_path": "/ws/live/{session.pk}/"' in content
    assert "live/classroom.js" in content
    assert "data-lesson-select" not in content  # the stage controls are the trainer's


def test_the_trainer_gets_the_stage_controls_with_the_course_lessons(client, session, trainer):
    client.force_login(trainer)

    content = client.get(f"/live/{session.pk}/").content.decode()

    assert "data-lesson-select" in content
    for lesson in lessons_of(session.training.course):
        assert lesson.title in content


def test_anyone_else_gets_404_and_anonymous_visitors_are_sent_to_sign_in(client, session):
    assert client.get(f"/live/{session.pk}/").status_code == 302
    client.force_login(UserFactory(username="stranger"))
    assert client.get(f"/live/{session.pk}/").status_code == 404
    assert client.get("/live/999999/").status_code == 404


def test_the_stage_shows_a_lesson_of_the_course_cut_into_slides(client, session, officer):
    lesson = lessons_of(session.training.course)[0]
    lesson.body = [
        ("paragraph", "<p>Opening</p>"),
        ("heading", {"text": "Indicators", "level": "h2"}),
        ("paragraph", "<p>Isolation, debt bondage</p>"),
    ]
    lesson.save_revision().publish()
    foreign = lessons_of(course_create(lessons=1))[0]
    client.force_login(officer)

    response = client.get(f"/live/{session.pk}/stage/{lesson.pk}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-slides="2"' in content
    assert "Opening" in content and "Isolation, debt bondage" in content
    assert client.get(f"/live/{session.pk}/stage/{foreign.pk}/").status_code == 404


# --- External video rooms ---------------------------------------------------------------------
def test_a_jitsi_room_is_embedded_in_the_classroom(client, officer):
    session = classroom_create(
        participants=[officer], external_room_url="https://meet.jit.si/FIA-THB-101-day-1"
    )
    client.force_login(officer)

    content = client.get(f"/live/{session.pk}/").content.decode()

    assert '<iframe class="live-room" src="https://meet.jit.si/FIA-THB-101-day-1"' in content


def test_a_bigbluebutton_join_link_is_signed_with_the_shared_secret(officer, settings):
    settings.BBB_URL = "https://bbb.example.org/bigbluebutton/api/"
    settings.BBB_SECRET = "s3cret"
    settings.BBB_CHECKSUM = "sha1"
    session = classroom_create(
        participants=[officer], external_room_url="https://bbb.example.org/bigbluebutton/api/"
    )

    room = selectors.external_room(session=session, user=officer, moderator=False)

    url = urlsplit(room["url"])
    query, checksum = url.query.rsplit("&checksum=", 1)
    assert room["kind"] == "bigbluebutton"
    assert url.path == "/bigbluebutton/api/join"
    assert checksum == hashlib.sha1(f"join{query}s3cret".encode()).hexdigest()  # noqa: S324
    params = parse_qs(query)
    assert params["meetingID"] == [f"fia-live-{session.pk}"]
    assert params["role"] == ["VIEWER"]
    assert params["fullName"] == [officer.get_full_name()]


def test_the_room_page_creates_the_bbb_meeting_for_the_trainer_then_joins(
    client, officer, settings, monkeypatch
):
    settings.BBB_URL = "https://bbb.example.org/bigbluebutton/api/"
    settings.BBB_SECRET = "s3cret"
    session = classroom_create(
        participants=[officer],
        external_room_url="https://bbb.example.org/bigbluebutton/api/?meetingID=thb-day-1",
    )
    trainer = session.training.assignments.get().trainer.user
    created = []
    monkeypatch.setattr(services, "bbb_meeting_ensure", lambda *, session: created.append(session))
    client.force_login(trainer)

    response = client.get(f"/live/{session.pk}/room/")

    assert response.status_code == 302
    assert (
        "meetingID=thb-day-1" in response["Location"] and "role=MODERATOR" in response["Location"]
    )
    assert created == [session]


# --- Attendance reports -----------------------------------------------------------------------
def attended(session, user, minutes):
    LiveConnection.objects.create(
        session=session,
        user=user,
        role="participant",
        channel_name="x",
        connected_at=session.starts_at,
        last_seen_at=session.starts_at + timedelta(minutes=minutes),
        disconnected_at=session.starts_at + timedelta(minutes=minutes),
    )
    return attendance.attendance_update(session=session, user=user)


def test_the_trainer_sees_and_marks_attendance_and_others_get_404(
    client, session, officer, trainer
):
    attended(session, officer, 30)
    client.force_login(officer)
    assert client.get(f"/live/{session.pk}/attendance/").status_code == 404
    client.force_login(trainer)

    page = client.get(f"/live/{session.pk}/attendance/")
    marked = client.post(
        f"/live/{session.pk}/attendance/",
        {"user": officer.pk, "status": "excused", "note": "court hearing"},
        follow=True,
    )

    assert page.status_code == 200
    assert "30.0" in page.content.decode()
    assert marked.status_code == 200 and "court hearing" in marked.content.decode()
    record = AttendanceRecord.objects.get(user=officer)
    assert (record.status, record.marked_by) == ("excused", trainer)


def test_attendance_exports_as_csv_and_xlsx(client, session, officer, trainer):
    from openpyxl import load_workbook

    attended(session, officer, 50)
    client.force_login(trainer)

    text = client.get(f"/live/{session.pk}/attendance/?format=csv").content.decode("utf-8-sig")
    book = load_workbook(
        io.BytesIO(client.get(f"/live/{session.pk}/attendance/?format=xlsx").content)
    )

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["Username", "Name", "Role", "Minutes present", "Status"]
    assert [officer.username, "participant", "50.0", "present"] == [
        rows[2][0],
        rows[2][2],
        rows[2][3],
        rows[2][4],
    ]
    sheet = list(book.active.values)
    assert sheet[2][0] == officer.username and sheet[2][3] == 50.0


@pytest.mark.parametrize("participants", [2, 25])
def test_the_attendance_page_costs_the_same_queries_whatever_the_class_size(
    client, query_budget, participants
):
    people = [UserFactory(username=f"p{n}") for n in range(participants)]
    session = classroom_create(participants=people)
    for person in people:
        attended(session, person, 50)
    client.force_login(session.training.assignments.get().trainer.user)

    query_budget(client.get, f"/live/{session.pk}/attendance/", max_queries=14)


def test_the_training_report_and_its_export(client, officer):
    session = classroom_create(participants=[officer], sessions=2)
    attended(session, officer, 60)
    client.force_login(session.training.assignments.get().trainer.user)

    page = client.get(f"/live/trainings/{session.training_id}/attendance/")
    text = client.get(
        f"/live/trainings/{session.training_id}/attendance/?format=csv"
    ).content.decode("utf-8-sig")

    assert page.status_code == 200 and "1/2" in page.content.decode()
    last = list(csv.reader(io.StringIO(text)))[1]
    assert last[0] == officer.username and last[-1] == "1"


# --- Dashboard ---------------------------------------------------------------------------------
def test_the_dashboard_links_todays_sessions_for_learners_and_trainers(client, officer):
    session = classroom_create(
        participants=[officer], starts_at=timezone.localtime().replace(hour=23, minute=0)
    )
    later = classroom_create(participants=[officer], starts_at=timezone.now() + timedelta(days=60))
    trainer = session.training.assignments.get().trainer.user

    client.force_login(officer)
    learner_page = client.get("/dashboard/").content.decode()
    client.force_login(trainer)
    trainer_page = client.get("/dashboard/").content.decode()

    assert f'href="/live/{session.pk}/"' in learner_page
    assert f'href="/live/{later.pk}/"' not in learner_page
    assert f'href="/live/{session.pk}/"' in trainer_page
    assert f'href="/live/{session.pk}/attendance/"' in trainer_page


# --- API ---------------------------------------------------------------------------------------
def test_the_api_gives_participants_the_session_and_its_websocket(client, session, officer):
    client.force_login(officer)

    body = client.get(f"/api/v1/live/{session.pk}").json()

    assert body["websocket"] == f"/ws/live/{session.pk}/"
    assert body["role"] == "participant" and body["moderator"] is False
    assert body["training"]["id"] == session.training_id
    assert body["starts_at"].endswith("+05:00")
    assert body["external_room"] is None


def test_the_api_hides_a_session_from_everyone_else(client, session):
    assert client.get(f"/api/v1/live/{session.pk}").status_code == 401
    stranger = UserFactory(username="stranger")
    client.force_login(stranger)
    assert client.get(f"/api/v1/live/{session.pk}").status_code == 404
    Nomination.objects.create(training=session.training, user=stranger, status="withdrawn")
    assert client.get(f"/api/v1/live/{session.pk}").status_code == 404
