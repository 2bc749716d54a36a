"""The SCORM engine: manifest parsing, safe package extraction and the CMI data models.

The engine modules below are pure Python (no Django import), so they can be tested and
benchmarked on their own and reused by the upload service, the import command and the API.

- :mod:`courses.scorm.manifest` parses ``imsmanifest.xml`` (SCORM 1.2 and SCORM 2004
  2nd/3rd/4th edition) into frozen dataclasses.
- :mod:`courses.scorm.package` validates an uploaded zip and extracts it atomically.
- :mod:`courses.scorm.datamodel` holds the CMI data models of both versions as data, the
  validating in-memory models ``Cmi12`` / ``Cmi2004`` and ``apply_commit`` for the server.
- :mod:`courses.scorm.sequencing` is SCORM 2004 simple sequencing: the activity tree,
  rules, rollup, global objectives and navigation requests.

The Django side: :mod:`.services` (upload, launch, commit), :mod:`.package_summary` (what
is kept of a manifest), :mod:`.navigation` (the learner's sequencing state and the player's
navigation requests), :mod:`.shared_data` (4th edition ``adl.data`` buckets),
:mod:`.commit_keys` (the runtime frame's own last commit as the tab closes),
:mod:`.selectors` (reports, gradebook items), :mod:`.views` / :mod:`.api` /
:mod:`.admin_views`.
"""
