"""Certificate pages: my certificates, downloads, issue jobs, revocation."""

urlpatterns: list = []
