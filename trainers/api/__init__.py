"""REST API of the trainers app; each module exposes a `router` added in lms/api.py."""
