"""Writes of the trainers app: `registry` (cohorts, trainers, certifications, deliveries) and
`certificates` (issue, render, revoke, re-issue, verify)."""
