"""System check: WeasyPrint needs HarfBuzz's subsetting library to render certificates fast.

Without libharfbuzz-subset0 WeasyPrint falls back to fontTools and every certificate takes
several times longer (issue #6, "Speed"); `manage.py check` says so.
"""

from django.core.checks import Warning, register


@register()
def harfbuzz_subset_check(app_configs, **kwargs):
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except (ImportError, OSError) as error:
        return [
            Warning(
                f"WeasyPrint cannot load ({error}): certificates cannot be made.",
                hint="Install Pango and HarfBuzz (see docker/Dockerfile).",
                id="trainers.W001",
            )
        ]
    if harfbuzz_subset is None:
        return [
            Warning(
                "HarfBuzz's subsetting library is missing: WeasyPrint falls back to fontTools "
                "and certificates render several times slower.",
                hint="apt-get install libharfbuzz-subset0",
                id="trainers.W002",
            )
        ]
    return []
