"""The browser's data model (courses/static/courses/scorm/runtime-model.js) gives the SCO
the same answers as the server's (courses.scorm.datamodel), run here under Node.js on the
spec the runtime page embeds: the adl.data buckets of SCORM 2004 4th edition."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from courses.scorm.datamodel import Cmi2004, LaunchContext, SharedData, to_json_spec
from courses.scorm.shared_data import shared_data_launch

NODE = shutil.which("node")
MODEL_JS = Path(__file__).resolve().parents[2] / "courses/static/courses/scorm/runtime-model.js"

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (node)")

RUNNER = """
const fs = require("fs");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
require(input.model);
const Model = globalThis.FiaScorm.dataModel(input.spec).Model;
const model = new Model(input.values, {}, null, input.shared);
const results = input.calls.map(([method, element, value]) =>
  method === "get" ? model.get(element) : model.set(element, value));
process.stdout.write(JSON.stringify(results));
"""


def _browser(*, values, shared, calls) -> list:
    data = {
        "model": str(MODEL_JS),
        "spec": to_json_spec("2004-4th"),
        "values": values,
        "shared": shared,
        "calls": calls,
    }
    result = subprocess.run(
        [NODE, "-e", RUNNER],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(result.stdout)


def _server(*, buckets, calls) -> list:
    cmi = Cmi2004.launch(context=LaunchContext(shared_data=buckets))
    return [
        list(cmi.get_value(element)) if method == "get" else cmi.set_value(element, value)
        for method, element, *rest in calls
        for value in [rest[0] if rest else None]
    ]


CALLS = [
    ["get", "adl.data._children"],
    ["get", "adl.data._count"],
    ["get", "adl.data.0.id"],
    ["get", "adl.data.1.id"],
    ["get", "adl.data.3.id"],
    ["get", "adl.data.0.store"],
    ["get", "adl.data.1.store"],
    ["get", "adl.data.2.store"],
    ["get", "adl.data.3.store"],
    ["set", "adl.data.1.store", "43"],
    ["set", "adl.data.0.id", "other"],
    ["set", "adl.data._count", "4"],
    ["set", "adl.data.3.store", "x"],
    ["set", "adl.data.0.store", "x" * 64001],
    ["set", "adl.data.2.store", "for the trainer"],
    ["get", "adl.data.2.store"],
    ["set", "adl.data.0.store", "notes"],
    ["get", "adl.data.0.store"],
    ["get", "adl.data.0.nothing"],
]


@pytest.mark.parametrize(
    "buckets",
    [
        (
            SharedData("notes"),
            SharedData("answers", writable=False, value="42"),
            SharedData("dropbox", readable=False, value="hidden"),
        ),
        (),
    ],
    ids=["three buckets", "none"],
)
def test_the_browser_and_the_server_answer_adl_data_alike(buckets):
    values, shared = shared_data_launch(buckets)

    browser = _browser(values=values, shared=shared, calls=CALLS)
    server = _server(buckets=buckets, calls=CALLS)

    assert "adl.data.2.store" not in values  # an unreadable value never reaches the browser
    assert browser == server
    if buckets:
        assert browser[6] == ["42", 0] and browser[7] == ["", 405] and browser[9] == 404
