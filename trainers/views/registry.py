"""Registry pages: search, trainer profile, cohorts, import/export, summary figures."""

urlpatterns: list = []
