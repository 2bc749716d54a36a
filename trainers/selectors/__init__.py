"""Reads of the trainers app: `registry` (search, profiles, cohorts, summary figures)."""
