"""Signals other apps listen to (the certificates app issues certificates on completion)."""

from django.dispatch import Signal

# Sent after the commit that completes a learner's enrolment: kwargs enrolment, user, course.
course_completed = Signal()
