"""Two small SCORM packages written for the FIA Academy, built in memory: "Passport
security features" as SCORM 1.2 and as SCORM 2004 (4th edition).

Each is one SCO of two pages: the features to check on a passport, then a three-question
check that reports a score, the status, the learner's answers (interactions), a bookmark
(location) and suspend data, so that the player, the report and resume can be seen working.

``scorm_demo_attach(course=...)`` uploads both to a course (idempotent: packages already
there by title are left as they are). The lead calls it from ``courses/demo.py``.
"""

from __future__ import annotations

import io
import zipfile

from courses.models import CoursePage, ScormPackage, ScormPackageVersion
from courses.scorm.services import scorm_package_upload

TITLE_12 = "Passport security features (SCORM 1.2)"
TITLE_2004 = "Passport security features (SCORM 2004)"

_MANIFEST_12 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="pk.gov.fia.academy.passport-security.12" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Passport security features</title>
      <item identifier="item_passport" identifierref="res_passport">
        <title>Checking a passport</title>
        <adlcp:masteryscore>67</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res_passport" type="webcontent" adlcp:scormtype="sco"
      href="index.html">
      <file href="index.html"/><file href="module.js"/><file href="module.css"/>
    </resource>
  </resources>
</manifest>
"""

_MANIFEST_2004 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="pk.gov.fia.academy.passport-security.2004" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Passport security features</title>
      <item identifier="item_passport" identifierref="res_passport">
        <title>Checking a passport</title>
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="passport_check" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>
        </imsss:sequencing>
      </item>
      <imsss:sequencing><imsss:controlMode choice="true" flow="true"/></imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res_passport" type="webcontent" adlcp:scormType="sco"
      href="index.html">
      <file href="index.html"/><file href="module.js"/><file href="module.css"/>
    </resource>
  </resources>
</manifest>
"""

_INDEX = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Passport security features</title>
<link rel="stylesheet" href="module.css"></head>
<body>
<main>
<section id="page-1" class="page">
  <h1>Passport security features</h1>
  <p>Before you accept a passport at the counter, check these features. A forger
  rarely gets all of them right.</p>
  <ol>
    <li><strong>Machine-readable zone (MRZ):</strong> two lines of 44 characters; the check
    digits must match the data page.</li>
    <li><strong>Optically variable ink and holograms:</strong> the image changes colour or
    shape when the page is tilted.</li>
    <li><strong>Microprinting:</strong> lines that are text under a magnifier; copies blur.</li>
    <li><strong>UV features:</strong> under ultraviolet light the paper stays dull and the
    printed fibres and patterns glow.</li>
    <li><strong>Laser-perforated number:</strong> the passport number is punched through the
    pages; the holes are smooth and conical.</li>
  </ol>
  <button type="button" id="to-page-2">Next: check yourself</button>
</section>
<section id="page-2" class="page" hidden>
  <h1>Check yourself</h1>
  <form id="quiz">
    <fieldset><legend>1. How many characters is each MRZ line of a passport?</legend>
      <label><input type="radio" name="q1" value="30"> 30</label>
      <label><input type="radio" name="q1" value="44"> 44</label>
      <label><input type="radio" name="q1" value="36"> 36</label></fieldset>
    <fieldset><legend>2. Under UV light, genuine passport paper…</legend>
      <label><input type="radio" name="q2" value="glows"> glows brightly</label>
      <label><input type="radio" name="q2" value="dull"> stays dull</label></fieldset>
    <fieldset><legend>3. Which feature changes when the page is tilted?</legend>
      <label><input type="radio" name="q3" value="hologram"> hologram</label>
      <label><input type="radio" name="q3" value="mrz"> MRZ</label></fieldset>
    <button type="button" id="back">Back</button>
    <button type="submit" id="submit">Submit answers</button>
  </form>
  <p id="result" role="status"></p>
  <button type="button" id="finish">Finish and close</button>
</section>
</main>
<script src="module.js"></script>
</body>
</html>
"""

_CSS = """body { font-family: system-ui, sans-serif; margin: 1.5rem; line-height: 1.5; }
fieldset { margin-block: 0.75rem; } label { display: block; }
button { margin-block: 0.5rem; padding: 0.4rem 1rem; }
"""

# One script for both versions: it finds whichever API the LMS offers.
_JS = r"""(function () {
  "use strict";
  var ANSWERS = { q1: "44", q2: "dull", q3: "hologram" };
  function find(name) {
    var w = window;
    for (var i = 0; i < 10 && w; i++) {
      try { if (w[name]) return w[name]; } catch (e) { return null; }
      if (w.parent === w) break;
      w = w.parent;
    }
    try { if (window.opener && window.opener[name]) return window.opener[name]; } catch (e) {}
    return null;
  }
  var api2004 = find("API_1484_11");
  var api12 = api2004 ? null : find("API");
  var started = Date.now();
  var lms = api2004 ? {
    init: function () { return api2004.Initialize(""); },
    get: function (k) { return api2004.GetValue(k); },
    set: function (k, v) { return api2004.SetValue(k, v); },
    commit: function () { return api2004.Commit(""); },
    finish: function () { return api2004.Terminate(""); },
    names: { location: "cmi.location", entry: "cmi.entry", exit: "cmi.exit",
      suspend: "cmi.suspend_data", session: "cmi.session_time" }
  } : api12 ? {
    init: function () { return api12.LMSInitialize(""); },
    get: function (k) { return api12.LMSGetValue(k); },
    set: function (k, v) { return api12.LMSSetValue(k, v); },
    commit: function () { return api12.LMSCommit(""); },
    finish: function () { return api12.LMSFinish(""); },
    names: { location: "cmi.core.lesson_location", entry: "cmi.core.entry",
      exit: "cmi.core.exit", suspend: "cmi.suspend_data", session: "cmi.core.session_time" }
  } : null;
  var finished = false;

  function sessionTime() {
    var s = Math.round((Date.now() - started) / 1000);
    if (api2004) return "PT" + s + "S";
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return "00" + two(h) + ":" + two(m) + ":" + two(r);
  }
  function show(n) {
    document.getElementById("page-1").hidden = n !== 1;
    document.getElementById("page-2").hidden = n !== 2;
    if (lms) { lms.set(lms.names.location, "page-" + n); lms.set(lms.names.suspend, "page=" + n); lms.commit(); }
  }
  function finish(exit) {
    if (!lms || finished) return;
    finished = true;
    lms.set(lms.names.session, sessionTime());
    lms.set(lms.names.exit, exit);
    lms.finish();
  }

  if (lms) {
    lms.init();
    if (api2004) lms.set("cmi.completion_status", "incomplete");
    else if (lms.get("cmi.core.lesson_status") === "not attempted") lms.set("cmi.core.lesson_status", "incomplete");
    var resumed = lms.get(lms.names.entry) === "resume" && lms.get(lms.names.suspend) === "page=2";
    show(resumed ? 2 : 1);
  } else {
    show(1);
  }
  document.getElementById("to-page-2").addEventListener("click", function () { show(2); });
  document.getElementById("back").addEventListener("click", function () { show(1); });
  document.getElementById("quiz").addEventListener("submit", function (event) {
    event.preventDefault();
    var correct = 0, n = 0;
    Object.keys(ANSWERS).forEach(function (q) {
      var chosen = document.querySelector("input[name=" + q + "]:checked");
      var value = chosen ? chosen.value : "";
      var right = value === ANSWERS[q];
      if (right) correct += 1;
      if (!lms) return;
      var p = "cmi.interactions." + n + ".";
      lms.set(p + "id", q);
      lms.set(p + "type", "choice");
      if (api2004) { lms.set(p + "learner_response", value || "none"); lms.set(p + "result", right ? "correct" : "incorrect"); }
      else { lms.set(p + "student_response", value || "none"); lms.set(p + "result", right ? "correct" : "wrong"); }
      n += 1;
    });
    var percent = Math.round(100 * correct / 3);
    document.getElementById("result").textContent = "You answered " + correct + " of 3 correctly (" + percent + "%).";
    if (!lms) return;
    lms.set(api2004 ? "cmi.score.raw" : "cmi.core.score.raw", String(percent));
    lms.set(api2004 ? "cmi.score.min" : "cmi.core.score.min", "0");
    lms.set(api2004 ? "cmi.score.max" : "cmi.core.score.max", "100");
    if (api2004) {
      lms.set("cmi.score.scaled", String(correct / 3));
      lms.set("cmi.completion_status", "completed");
      lms.set("cmi.success_status", correct >= 2 ? "passed" : "failed");
    } else {
      lms.set("cmi.core.lesson_status", correct >= 2 ? "passed" : "failed");
    }
    lms.commit();
  });
  document.getElementById("finish").addEventListener("click", function () { finish(api2004 ? "normal" : ""); });
  window.addEventListener("pagehide", function () { finish("suspend"); });
})();
"""  # noqa: E501


def _zip(manifest: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", manifest)
        archive.writestr("index.html", _INDEX)
        archive.writestr("module.js", _JS)
        archive.writestr("module.css", _CSS)
    return buffer.getvalue()


def passport_package_12() -> bytes:
    """The SCORM 1.2 package as zip bytes."""
    return _zip(_MANIFEST_12)


def passport_package_2004() -> bytes:
    """The SCORM 2004 4th edition package as zip bytes."""
    return _zip(_MANIFEST_2004)


def scorm_demo_attach(*, course: CoursePage, user=None) -> list[ScormPackageVersion]:
    """Upload both demo packages to ``course`` unless packages with their titles are there."""
    versions = []
    for title, build in ((TITLE_12, passport_package_12), (TITLE_2004, passport_package_2004)):
        existing = ScormPackage.objects.filter(course=course, title=title).first()
        if existing is not None and existing.current is not None:
            versions.append(existing.current)
            continue
        versions.append(
            scorm_package_upload(course=course, file=io.BytesIO(build()), user=user, title=title)
        )
    return versions
