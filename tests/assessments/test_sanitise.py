"""HTML question texts, choices and feedback (Moodle XML, GIFT `[html]`) are sanitised
before pages show them: only a small set of tags, only safe addresses, no handlers."""

from html.parser import HTMLParser

import pytest

from assessments.selectors.display import render_text

HOSTILE = [
    "<script>window.__xss=1</script>",
    # A pattern-based cleaner removes the inner tags and leaves the outer one whole.
    "<<x>script>window.__xss=1<</x>/script>",
    '<<x>img src=x onerror="window.__xss=1">',
    "<img src=x onerror=window.__xss=1>",
    '<img src="x" onerror="window.__xss=1">',
    '<a href="javascript:window.__xss=1">click</a>',
    '<a href="jav&#x09;ascript:window.__xss=1">click</a>',
    '<a href=" JAVASCRIPT:window.__xss=1">click</a>',
    '<a href="data:text/html,<script>window.__xss=1</script>">click</a>',
    "<svg onload=window.__xss=1>",
    "<svg><script>window.__xss=1</script></svg>",
    '<iframe srcdoc="<script>window.__xss=1</script>"></iframe>',
    "<textarea><img src=x onerror=window.__xss=1></textarea>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "<!--<img src=x onerror=window.__xss=1>-->",
    '<p style="background:url(javascript:window.__xss=1)" onclick="window.__xss=1">p</p>',
    '<details open ontoggle="window.__xss=1">',
    '<form action="javascript:window.__xss=1"><button>go</button></form>',
]


class Tags(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_html_comes_out_harmless(hostile):
    html = render_text(f"<p>Before {hostile} after</p>", "html")

    for tag, attrs in Tags(html).found:
        assert tag in {"p", "b", "a", "img", "table", "div", "span"}, (tag, html)
        assert set(attrs) <= {"href", "src", "alt"}, (attrs, html)
        for name in ("href", "src"):
            if name in attrs:
                assert attrs[name].startswith(("https://", "http://", "data:image/")), html
    assert html.startswith("<p>Before ")  # the text around is kept


def test_what_questions_use_is_kept():
    text = (
        '<p>Which <b>document</b> is <em>forged</em>? <a href="https://fia.gov.pk/x">Help</a>'
        '<img alt="specimen" src="data:image/png;base64,AAAA"></p>'
        "<ul><li>one &amp; two &lt;three&gt;</li></ul>"
    )

    html = render_text(text, "html")

    assert html == text.replace('AAAA">', 'AAAA"/>')


def test_plain_texts_are_escaped_not_sanitised():
    assert render_text('<b onmouseover="x">ایف آئی اے</b>', "moodle") == (
        "&lt;b onmouseover=&quot;x&quot;&gt;ایف آئی اے&lt;/b&gt;"
    )
