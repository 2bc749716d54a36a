"""Pages of the trainers app; each module exports its own `urlpatterns`."""
