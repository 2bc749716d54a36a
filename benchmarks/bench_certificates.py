"""Certificates (issue #6, Speed): one PDF in a warm process under 100 ms at p95; a cohort of
1,000 certificates issued by the worker in under 2 minutes.

Builds a throwaway SQLite site (or BENCH_DATABASE_URL) with TASK_BACKEND=database, then
1. renders the default English course certificate and the Urdu ToT certificate again and
   again in this (warmed) process, each with a new code and QR code;
2. queues the bulk issue of a 1,000-trainer cohort (`cohort_certificates_issue`) and runs
   the real worker in-process (`manage.py db_worker --batch`) until the queue is empty:
   rendering, storing and recording every certificate and notifying every holder. The
   per-certificate figures are the gaps between consecutive certificates' creation times.
"""

import itertools
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.timing import time_calls

ROOT = Path(__file__).resolve().parents[1]
RENDERS = int(os.environ.get("BENCH_CERTIFICATE_RENDERS", "200"))
COHORT_SIZE = int(os.environ.get("BENCH_COHORT_SIZE", "1000"))


def _setup() -> None:
    tmp = tempfile.mkdtemp(prefix="bench-certificates-")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{tmp}/certificates.sqlite3"
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings"
    os.environ["TASK_BACKEND"] = "database"
    os.environ["MEDIA_ROOT"] = f"{tmp}/media"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["EMAIL_URL"] = "dummymail://"  # every holder is notified; mail goes nowhere
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _render_rows() -> list[dict]:
    from trainers.certificates import render
    from trainers.services.certificates import certificate_code_new, certificate_template_for

    rows = []
    render.warm_up()
    for kind, language, label in [
        ("course", "en", "English course certificate"),
        ("tot", "ur", "Urdu ToT certificate"),
    ]:
        template = certificate_template_for(kind=kind, language=language)
        certificate = render.sample_certificate(template=template)
        for _ in range(5):
            render.render_pdf(certificate=certificate, template=template)

        cpu = []

        def one(certificate=certificate, template=template, cpu=cpu):
            certificate.code = certificate_code_new()
            start = time.process_time()
            render.render_pdf(certificate=certificate, template=template)
            cpu.append((time.process_time() - start) * 1000)

        figures = time_calls(one, runs=RENDERS)
        rows.append({"scenario": f"render one PDF, warm ({label})", "size": "1 page", **figures})
        # The same renders in CPU time: what the figure is on an idle machine (wall time on
        # a shared one includes waiting for a core).
        cpu.sort()
        rows.append(
            {
                "scenario": f"  the same, CPU time ({label})",
                "size": "1 page",
                "runs": RENDERS,
                "p50_ms": round(statistics.median(cpu), 1),
                "p95_ms": round(cpu[min(len(cpu) - 1, int(len(cpu) * 0.95))], 1),
                "max_ms": round(cpu[-1], 1),
            }
        )
    return rows


def _cohort(size: int):
    from django.contrib.auth.hashers import make_password

    from lms.models import User
    from trainers.models import Certification, CohortParticipant, Trainer
    from trainers.services.registry import cohort_create

    cohort = cohort_create(
        name="Benchmark ToT cohort",
        course_title="Training of Trainers on Migration Management",
        place="Islamabad",
        country="PK",
        start_date=date(2025, 10, 6),
        end_date=date(2025, 10, 17),
        hours=60,
        validity_months=36,
    )
    password = make_password(None)
    users = User.objects.bulk_create(
        User(
            username=f"bench-trainer-{n}",
            first_name="Trainer",
            last_name=f"Number {n}",
            email=f"bench-trainer-{n}@example.org",
            password=password,
        )
        for n in range(size)
    )
    users = list(User.objects.filter(username__startswith="bench-trainer-").order_by("pk"))
    Trainer.objects.bulk_create(
        Trainer(user=user, full_name=user.get_full_name(), country="PK", email=user.email)
        for user in users
    )
    trainers = list(Trainer.objects.filter(user__in=users).order_by("pk"))
    CohortParticipant.objects.bulk_create(
        CohortParticipant(cohort=cohort, trainer=t, outcome="certified") for t in trainers
    )
    Certification.objects.bulk_create(
        Certification(
            trainer=t, cohort=cohort, issued_on=cohort.end_date, expires_on=date(2028, 10, 17)
        )
        for t in trainers
    )
    return cohort


def _cohort_rows() -> tuple[dict, dict]:
    from django.core.management import call_command

    from trainers.models import Certificate, CertificateIssueJob
    from trainers.services.certificates import cohort_certificates_issue

    cohort = _cohort(COHORT_SIZE)
    start, cpu_start = time.perf_counter(), time.process_time()
    job = cohort_certificates_issue(cohort=cohort, by=None)  # queued in the database
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    job = CertificateIssueJob.objects.get(pk=job.pk)
    assert (job.state, job.done) == ("finished", COHORT_SIZE), (job.state, job.done, job.error)
    created = list(
        Certificate.objects.filter(cohort=cohort)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    gaps = sorted((b - a).total_seconds() * 1000 for a, b in itertools.pairwise(created))
    return {
        "scenario": "issue a cohort's certificates (queued, db_worker)",
        "size": f"{COHORT_SIZE:,} certificates",
        "runs": COHORT_SIZE,
        "rps": round(COHORT_SIZE / elapsed, 1),
        "p50_ms": round(statistics.median(gaps), 1),
        "p95_ms": round(gaps[min(len(gaps) - 1, int(len(gaps) * 0.95))], 1),
        "max_ms": round(gaps[-1], 1),
        "total_s": round(elapsed, 1),
        "errors": COHORT_SIZE - job.done,
    }, {
        "scenario": "  the same, CPU time of the worker",
        "size": f"{COHORT_SIZE:,} certificates",
        "runs": COHORT_SIZE,
        "total_s": round(cpu, 1),
    }


def run() -> list[dict]:
    _setup()
    return [*_render_rows(), *_cohort_rows()]
