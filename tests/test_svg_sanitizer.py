"""SVG badge art uploads: a corpus of known SVG XSS vectors is refused or comes out harmless,
ordinary badge art comes out drawing the same shapes, and for generated trees the output only
holds allowlisted names. Outputs are checked by parsing them, not by looking for substrings.

The first six vectors are the ones an outside review found accepted (and served unchanged) by
the regex filter this sanitiser replaced."""

from __future__ import annotations

import io
import re
import time
import xml.etree.ElementTree as ET

import defusedxml.ElementTree as DET  # type: ignore[import-untyped]
import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from guildkit import GuildKit
from guildkit.admin.images import SVG, check_image
from guildkit.admin.svg import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_ELEMENTS,
    MAX_DEPTH,
    SVG_NS,
    XLINK_NS,
    XML_NS,
    sanitize_svg,
)
from guildkit.errors import ValidationError
from guildkit.testing import Members
from guildkit.web.badge_art import generated_svg
from tests.webclient import PREFIX, Site, mount

NS = f'xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}"'
XHTML_NS = "http://www.w3.org/1999/xhtml"


def svg(body: str, *, prologue: str = "", attrs: str = "") -> bytes:
    return f"{prologue}<svg {NS} {attrs}>{body}</svg>".encode()


REVIEW_VECTORS = {
    "set-href-javascript": svg(
        '<a href="#x"><set attributeName="href" to="javascript:alert(1)"/><text y="20">go</text></a>'
    ),
    "animate-href-javascript": svg(
        '<a href="#x"><animate attributeName="href" values="javascript:alert(1)" begin="0s"/><circle r="9"/></a>'
    ),
    "xml-stylesheet-pi": svg('<circle r="9"/>', prologue='<?xml-stylesheet href="https://evil.example/x.css"?>'),
    "style-css-escaped-url": svg('<style>circle{fill:u\\72l(https://evil.example/x)}</style><circle r="9"/>'),
    "style-css-escaped-import": svg('<style>@\\69mport "https://evil.example/x.css";</style><circle r="9"/>'),
    "style-attribute-css-escaped-url": svg('<circle r="9" style="fill:u\\72l(https://evil.example/x)"/>'),
}

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
)

VECTORS = {
    **REVIEW_VECTORS,
    # Animation aimed at links, without an <a> around it.
    "set-href-on-use": svg('<use href="#c"><set attributeName="href" to="javascript:alert(1)"/></use><circle id="c"/>'),
    "set-xlink-href": svg('<use xlink:href="#c"><set attributeName="xlink:href" to="javascript:alert(1)"/></use>'),
    "animate-onbegin": svg(
        '<rect width="9" height="9"><animate onbegin="alert(1)" attributeName="x" dur="1s"/></rect>'
    ),
    "animatetransform-onend": svg('<g><animateTransform onend="alert(1)" attributeName="transform" dur="1s"/></g>'),
    "animatemotion": svg('<circle r="2"><animateMotion dur="1s" path="M0 0 L9 9"/></circle>'),
    # Scripts, in every spelling.
    "script": svg("<script>alert(1)</script>"),
    "script-cdata": svg("<script><![CDATA[alert(1)]]></script>"),
    "script-svg-prefix": svg('<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>'),
    "script-xhtml-namespace": svg(f'<h:script xmlns:h="{XHTML_NS}">alert(1)</h:script>'),
    "script-upper-case": svg("<SCRIPT>alert(1)</SCRIPT>"),
    "script-in-metadata": svg("<metadata><script>alert(1)</script></metadata>"),
    "handler-element": svg('<handler type="application/ecmascript">alert(1)</handler>'),
    "foreignobject-html": svg(
        f'<foreignObject width="9" height="9"><body xmlns="{XHTML_NS}"><iframe src="javascript:alert(1)"/></body>'
        "</foreignObject>"
    ),
    "iframe": svg('<iframe src="https://evil.example/"/>'),
    # Event handlers.
    "onload-root": svg('<circle r="9"/>', attrs='onload="alert(1)"'),
    "onclick": svg('<rect width="9" height="9" onclick="alert(1)"/>'),
    "onload-upper-case": svg('<rect width="9" height="9" ONLOAD="alert(1)"/>'),
    "onclick-mixed-case": svg('<rect width="9" height="9" OnClIcK="alert(1)"/>'),
    "onload-foreign-namespace": svg('<rect xmlns:e="urn:evil" e:onload="alert(1)"/>'),
    # Links out of the file.
    "a-javascript": svg('<a href="javascript:alert(1)"><circle r="9"/></a>'),
    "a-xlink-mixed-case": svg('<a xlink:href="JaVaScRiPt:alert(1)"><circle r="9"/></a>'),
    "use-data-uri": svg('<use href="data:image/svg+xml;base64,PHN2Zy8+#x"/>'),
    "use-external": svg('<use xlink:href="https://evil.example/sprite.svg#x"/>'),
    "use-tab-entity": svg('<use href="java&#x09;script:alert(1)"/>'),
    "use-entity-encoded": svg('<use href="&#106;avascript:alert(1)"/>'),
    "use-leading-space": svg('<use href="  javascript:alert(1)"/>'),
    "use-plain-href-wins": svg('<use xlink:href="#c" href="javascript:alert(1)"/>'),
    "xlink-other-prefix": svg(f'<use xmlns:x="{XLINK_NS}" x:href="javascript:alert(1)"/>'),
    "image-javascript": svg('<image href="javascript:alert(1)" width="9" height="9"/>'),
    "image-data": svg('<image href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"/>'),
    "feimage": svg('<filter id="f"><feImage xlink:href="https://evil.example/x.png"/></filter>'),
    "xinclude": svg('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>'),
    # DOCTYPEs and entities.
    "billion-laughs": svg("<text>&d;</text>", prologue=BILLION_LAUGHS),
    "external-entity": svg("<text>&x;</text>", prologue='<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'),
    "external-dtd": svg("", prologue='<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "https://evil.example/x.dtd">'),
    "attlist-default-handler": svg("", prologue='<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>'),
    # Processing instructions and comments.
    "xsl-stylesheet-pi": svg("", prologue='<?xml-stylesheet type="text/xsl" href="https://evil.example/x.xsl"?>'),
    "pi-inside": svg('<?php echo "x"; ?><circle r="9"/>'),
    "comment-hiding-script": svg('<!--<script>alert(1)</script>--><circle r="9"/>'),
    # CSS, in <style> and in attributes.
    "style-expression": svg("<style>circle{width:expression(alert(1))}</style>"),
    "style-url": svg("<style>circle{fill:url(https://evil.example/x)}</style>"),
    "style-import": svg('<style>@import "https://evil.example/x.css";</style>'),
    "style-cdata": svg("<style><![CDATA[@import url(https://evil.example/x.css);]]></style>"),
    "style-svg-prefix": svg('<svg:style xmlns:svg="http://www.w3.org/2000/svg">@import "x.css";</svg:style>'),
    "style-attribute-expression": svg('<rect style="width:expression(alert(1))"/>'),
    "style-attribute-url": svg('<rect style="fill:url(https://evil.example/x)"/>'),
    "style-attribute-import": svg('<rect style="@import &quot;x.css&quot;"/>'),
    "style-attribute-escaped-javascript": svg('<rect style="fill:url(\\6a avascript:alert(1))"/>'),
    "fill-external-url": svg('<rect fill="url(https://evil.example/x#p)"/>'),
    "fill-css-escape": svg('<rect fill="u\\72l(https://evil.example/x)"/>'),
    "filter-data-url": svg('<rect filter="url(data:image/svg+xml,x#f)"/>'),
    "mask-javascript-url": svg("<rect mask=\"url('javascript:alert(1)')\"/>"),
    "cursor-element": svg('<cursor xlink:href="https://evil.example/c.png"/>'),
    "utf16-script": f"<svg {NS}><script>alert(1)</script></svg>".encode("utf-16"),
}

#: What must never come out, whatever the implementation's allowlist says (lower-cased names).
DANGEROUS_ELEMENTS = {
    "script", "style", "foreignobject", "iframe", "embed", "object", "image", "feimage", "a", "set",
    "animate", "animatemotion", "animatetransform", "animatecolor", "handler", "listener", "include",
    "cursor", "discard",
}  # fmt: skip
LOCAL_URL = re.compile(r"""url\(\s*(['"]?)#[\w.:-]+\1\s*\)""", re.I)


def outcome(data: bytes) -> bytes | None:
    """The stored bytes for an upload, or ``None`` when it is refused (as a guildkit error)."""
    try:
        stored, kind = check_image(data, 256 * 1024)
    except ValidationError as exc:
        refusal = exc
    else:
        assert kind == SVG
        return stored
    assert refusal.field == "image" and str(refusal)
    return None


def parse_all(output: bytes) -> ET.Element:
    """The output's tree, comments and processing instructions included (they must not be there)."""
    builder = ET.TreeBuilder(insert_comments=True, insert_pis=True)
    parser = DET.DefusedXMLParser(target=builder, forbid_dtd=True)
    parser.feed(output)
    root: ET.Element = parser.close()
    return root


def local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def assert_harmless(output: bytes) -> None:
    assert output.startswith(b"<svg "), "nothing (no PI, DOCTYPE or comment) may precede the root"
    root = parse_all(output)
    assert root.tag == f"{{{SVG_NS}}}svg"
    for element in root.iter():
        # A comment's or processing instruction's tag is a function, not a name.
        assert isinstance(element.tag, str) and element.tag.startswith(f"{{{SVG_NS}}}"), element.tag
        name = local(element.tag)
        assert name.lower() not in DANGEROUS_ELEMENTS and name in ALLOWED_ELEMENTS, name
        for attribute, value in element.attrib.items():
            assert attribute in ALLOWED_ATTRIBUTES, attribute
            lowered = local(attribute).lower()
            assert not lowered.startswith("on") and lowered not in ("style", "attributename"), attribute
            if lowered == "href":
                assert re.fullmatch(r"#[\w.:-]+", value), value
            if attribute == "aria-label":
                continue
            folded = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
            for bad in ("javascript:", "vbscript:", "data:", "expression(", "@import", "\\"):
                assert bad not in folded, (attribute, value)
            assert "url(" not in LOCAL_URL.sub("", value).lower(), (attribute, value)


@pytest.mark.parametrize("vector", VECTORS.values(), ids=VECTORS.keys())
def test_xss_vectors_are_refused_or_come_out_harmless(vector: bytes) -> None:
    result = outcome(vector)
    if result is not None:
        assert_harmless(result)
        assert outcome(result) == result  # a rebuilt file is a fixed point


def test_the_corpus_is_big_enough() -> None:
    assert len(VECTORS) >= 30 and set(REVIEW_VECTORS) <= set(VECTORS)


@pytest.mark.parametrize("vector", REVIEW_VECTORS.values(), ids=REVIEW_VECTORS.keys())
def test_the_review_vectors_are_refused(vector: bytes) -> None:
    assert outcome(vector) is None


@pytest.mark.parametrize(
    ("vector", "message"),
    [
        ("script", "SVG images may not contain <script>"),
        ("script-svg-prefix", "SVG images may not contain <script>"),
        ("script-in-metadata", "SVG images may not contain <script>"),
        ("set-href-on-use", "SVG images may not contain <set>"),
        ("animatemotion", "SVG images may not contain <animateMotion>"),
        ("style-css-escaped-url", "may not contain <style>: use presentation attributes"),
        ("xml-stylesheet-pi", "SVG images may not have processing instructions (<?xml-stylesheet ...?>)"),
        ("billion-laughs", "SVG images may not have a DOCTYPE"),
        ("external-dtd", "SVG images may not have a DOCTYPE"),
        ("onload-upper-case", "SVG images may not have event handlers (ONLOAD)"),
        ("use-tab-entity", "SVG images may only link inside themselves"),
        ("use-plain-href-wins", "SVG images may only link inside themselves"),
        ("fill-external-url", "SVG images may only refer to themselves (url(#...))"),
        ("style-attribute-css-escaped-url", "SVG images may not use CSS escapes"),
        ("style-attribute-expression", "SVG images may not use expression() in width"),
        ("mask-javascript-url", "SVG images may not have script or data URLs (mask)"),
    ],
)
def test_refusals_name_what_was_refused(vector: str, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)) as refused:
        check_image(VECTORS[vector], 256 * 1024)
    assert refused.value.errors == {"image": [str(refused.value)]}


BADGE_ART = svg(
    "<title>Helper</title><desc>A round badge</desc>"
    '<defs><linearGradient id="grad" x1="0" y1="0" x2="0" y2="1">'
    '<stop offset="0" stop-color="#f2c230"/><stop offset="1" stop-color="#8c5a2b" stop-opacity="0.9"/>'
    '</linearGradient><radialGradient id="glow" xlink:href="#grad" cx="0.5" cy="0.4" r="0.6"/>'
    '<clipPath id="round"><circle cx="32" cy="32" r="30"/></clipPath>'
    '<filter id="soft"><feGaussianBlur in="SourceGraphic" stdDeviation="1"/></filter>'
    '<symbol id="star" viewBox="0 0 10 10"><polygon points="5,0 6,4 10,4 7,6 8,10 5,7 2,10 3,6 0,4 4,4"/></symbol>'
    "</defs>"
    '<g clip-path="url(#round)" transform="translate(0 0) rotate(0 32 32)">'
    '<circle cx="32" cy="32" r="30" fill="url(#grad)" stroke="#1f2328" stroke-width="2"/>'
    '<ellipse cx="32" cy="20" rx="18" ry="8" fill="url( \'#glow\' )" opacity="0.4" filter="url(#soft)"/>'
    '<path d="M12 44 Q32 60 52 44" fill="none" stroke="rgb(255, 255, 255)" stroke-linecap="round"/>'
    '<rect x="22" y="50" width="20" height="6" rx="2" fill="hsl(40 80% 50%)"/>'
    '<line x1="8" y1="32" x2="56" y2="32" stroke="#000" stroke-dasharray="2 2"/>'
    '<polyline points="8,8 16,16 24,8" fill="none" stroke="#fff"/>'
    '<use href="#star" x="27" y="4" width="10" height="10"/>'
    '<text x="32" y="40" text-anchor="middle" font-family="\'Open Sans\', sans-serif" font-size="22" '
    'font-weight="700" fill="#1f1a00">H<tspan dy="-4" font-size="10">2</tspan>O &amp; co</text>'
    "</g>",
    attrs='viewBox="0 0 64 64" width="64" height="64" role="img" aria-label="Helper (level 2)"',
)


def shapes(data: bytes) -> list[tuple[str, dict[str, str], str, str]]:
    """What a renderer draws from: each element's name, attributes (``xlink:href`` read as
    ``href``, as SVG 2 does), text and tail, in document order."""
    drawn = []
    for element in DET.fromstring(data).iter():
        attributes = {("href" if local(k) == "href" else k): v for k, v in element.attrib.items()}
        drawn.append((local(element.tag), attributes, element.text or "", element.tail or ""))
    return drawn


@pytest.mark.parametrize(
    "art",
    [BADGE_ART, generated_svg("Helper & Co", "gold"), svg('<circle cx="5" cy="5" r="4"/>')],
    ids=["hand-drawn", "generated", "minimal"],
)
def test_ordinary_badge_art_draws_the_same_shapes(art: bytes) -> None:
    stored = outcome(art)
    assert stored is not None
    assert_harmless(stored)
    assert shapes(stored) == shapes(art)
    assert outcome(stored) == stored


def test_editor_exports_lose_only_what_does_not_draw() -> None:
    """An Inkscape file: editor namespaces, metadata and comments are left out, and ``style``
    declarations become presentation attributes (a declaration beats an attribute, as in CSS)."""
    inkscape = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!-- Created with Inkscape -->\n'
        '<svg width="64" height="64" viewBox="0 0 64 64" version="1.1" id="svg1" inkscape:version="1.3" '
        'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        'xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" '
        f'xmlns="{SVG_NS}" xmlns:svg="{SVG_NS}" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<sodipodi:namedview id="namedview1" pagecolor="#ffffff" inkscape:zoom="4"/>'
        '<g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1">'
        '<circle fill="#000" style="fill:#ff0000 !important;stroke:#000000;stroke-width:2;-inkscape-stroke:none;'
        'not a declaration" cx="32" cy="32" r="30"/>'
        '<svg:text xml:space="preserve" x="32" y="40" style="font-size:22px;font-family:\'Sans Bold\'">'
        "A<sodipodi:x>dropped</sodipodi:x>B</svg:text>"
        '</g><metadata><rdf:RDF><rdf:Description rdf:about=""/></rdf:RDF></metadata></svg>'
    ).encode()
    expected = (
        f'<svg xmlns="{SVG_NS}" width="64" height="64" viewBox="0 0 64 64" version="1.1" id="svg1">'
        '<g id="layer1">'
        '<circle fill="#ff0000" cx="32" cy="32" r="30" stroke="#000000" stroke-width="2" />'
        '<text xml:space="preserve" x="32" y="40" font-size="22px" font-family="\'Sans Bold\'">AB</text>'
        "</g></svg>"
    ).encode()
    assert outcome(inkscape) == expected


def test_an_svg_without_a_namespace_is_written_with_one() -> None:
    assert sanitize_svg(b'<svg viewBox="0 0 9 9"><circle r="4"/></svg>') == (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 9 9"><circle r="4" /></svg>'.encode()
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg><circle></svg>", "the SVG is not well-formed XML"),
        (b"<html/>", "the SVG's root element must be <svg>"),
        (f'<svg xmlns="{XHTML_NS}"/>'.encode(), "the SVG's root element must be <svg>"),
        (svg("<g>" * (MAX_DEPTH + 1) + "</g>" * (MAX_DEPTH + 1)), f"at most {MAX_DEPTH} deep"),
    ],
)
def test_malformed_or_odd_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        sanitize_svg(data)


def test_limits_still_apply() -> None:
    deep_enough = svg("<g>" * (MAX_DEPTH - 1) + "</g>" * (MAX_DEPTH - 1))
    assert_harmless(sanitize_svg(deep_enough))
    with pytest.raises(ValidationError, match="larger than 1 KiB"):
        check_image(svg("<g/>" * 400), 1024)


HUGE = 200_000
SLOW_INPUTS = {  # each took seconds to forever with backtracking patterns; all must stay linear
    "comments-before-root": b"<!--a-->" * (HUGE // 8) + b"x",
    "pis-before-root": b"<?a?>" * (HUGE // 5) + b"x",
    "doctype-brackets": b"<!DOCTYPE svg [" + b"]" * HUGE + b"x",
    "style-with-spaces": svg('<rect style="fill:a' + " " * HUGE + 'b"/>'),
    "long-word-value": svg('<rect fill="' + "x" * HUGE + '"/>'),
    "spaces-value": svg('<rect fill="a' + " " * HUGE + '"/>'),
    "many-parentheses": svg('<rect fill="' + "rgb(" * (HUGE // 4) + '"/>'),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("data", SLOW_INPUTS.values(), ids=SLOW_INPUTS.keys())
def test_big_inputs_are_checked_in_linear_time(data: bytes) -> None:
    started = time.perf_counter()
    result = outcome(data)
    assert time.perf_counter() - started < 2
    if result is not None:
        assert_harmless(result)


# -- generated trees --------------------------------------------------------------------------

NAMESPACES = [SVG_NS, SVG_NS, SVG_NS, "", XHTML_NS, XLINK_NS, "urn:editor"]
#: Names and values that draw, or that do nothing (left out): a tree of these is never refused.
INERT_ELEMENTS = [*sorted(ALLOWED_ELEMENTS), "metadata", "Circle", "blink", "namedview"]
INERT_ATTRIBUTES = [
    "id", "fill", "stroke", "d", "viewBox", "transform", "aria-label", "class", "style", "clip-path",
    "filter", "attributeName", "to", "values", f"{{{XLINK_NS}}}title", "{urn:editor}label",
    f"{{{XML_NS}}}base", f"{{{XML_NS}}}space", "data-x",
]  # fmt: skip
INERT_VALUES = [
    "#a", "url(#grad)", "url( '#g' )", "red", "fill:red", "fill:url(#g);stroke:blue !important", "x;fill:red",
    "rotate(45 3 3)", "rgb(1,2,3)", "M0 0 L9 9", "0 0 64 64", "", " ", "preserve", "-inkscape-x:'a b'",
]  # fmt: skip
#: Names and values that act: most trees holding one are refused.
ACTIVE_ELEMENTS = ["script", "SCRIPT", "style", "set", "animate", "foreignObject", "image", "a", "handler", "feImage"]
ACTIVE_ATTRIBUTES = ["onload", "ONCLICK", "onbegin", "href", f"{{{XLINK_NS}}}href", "{urn:editor}onload", "HREF"]
ACTIVE_VALUES = [
    "url(http://x/y)", "u\\72l(x)", "javascript:alert(1)", "JaVa\tScRiPt:x", "data:text/html,x", "fill:u\\72l(x)",
    "@import 'x'", "expression(alert(1))", "var(--x)", "fill:expression(x)", "{}", "alert(1)",
]  # fmt: skip


def element_trees(*, hostile: bool) -> st.SearchStrategy[ET.Element]:
    extra = 1 if hostile else 0  # how much of the active vocabulary to mix in
    names = st.tuples(st.sampled_from(NAMESPACES), st.sampled_from(INERT_ELEMENTS + ACTIVE_ELEMENTS * extra))
    free_text = "#azAZ09 ():;\\-.'\"" if hostile else "#azAZ09 -.,"
    values = st.one_of(st.sampled_from(INERT_VALUES + ACTIVE_VALUES * extra), st.text(free_text, max_size=12))
    attributes = st.dictionaries(st.sampled_from(INERT_ATTRIBUTES + ACTIVE_ATTRIBUTES * extra), values, max_size=4)
    texts = st.one_of(st.none(), st.text(alphabet="ab <&>]", max_size=6))

    def element(args: tuple[tuple[str, str], dict[str, str], str | None, str | None]) -> ET.Element:
        (namespace, name), attrib, text, tail = args
        made = ET.Element(f"{{{namespace}}}{name}" if namespace else name, attrib)
        made.text, made.tail = text, tail
        return made

    leaves = st.tuples(names, attributes, texts, texts).map(element)

    def with_children(children: st.SearchStrategy[ET.Element]) -> st.SearchStrategy[ET.Element]:
        def attach(args: tuple[ET.Element, list[ET.Element]]) -> ET.Element:
            parent, kids = args
            parent.extend(kids)
            return parent

        return st.tuples(leaves, st.lists(children, max_size=4)).map(attach)

    return st.recursive(leaves, with_children, max_leaves=20)


def rebuilt(children: list[ET.Element], attrib: dict[str, str]) -> bytes | None:
    root = ET.Element(f"{{{SVG_NS}}}svg", attrib)
    root.extend(children)
    output = outcome(ET.tostring(root))
    event("refused" if output is None else "rebuilt")
    if output is not None:
        assert_harmless(output)
        assert sanitize_svg(output) == output
    return output


PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(
    st.lists(element_trees(hostile=True), max_size=4),
    st.dictionaries(st.sampled_from(INERT_ATTRIBUTES + ACTIVE_ATTRIBUTES), st.sampled_from(ACTIVE_VALUES), max_size=2),
)
def test_generated_hostile_trees_are_refused_or_come_out_harmless(
    children: list[ET.Element], attrib: dict[str, str]
) -> None:
    rebuilt(children, attrib)


@PROPERTY_SETTINGS
@given(
    st.lists(element_trees(hostile=False), max_size=4),
    st.dictionaries(st.sampled_from(INERT_ATTRIBUTES), st.sampled_from(INERT_VALUES), max_size=3),
)
def test_generated_inert_trees_come_out_with_allowlisted_names_only(
    children: list[ET.Element], attrib: dict[str, str]
) -> None:
    assert rebuilt(children, attrib) is not None


# -- through the console ----------------------------------------------------------------------


@pytest.fixture
def site(gk_app: Flask, gk: GuildKit) -> Site:
    return Site(mount(gk_app, gk), gk)


def test_the_console_stores_the_rebuilt_file_and_serves_it_sandboxed(site: Site, gk_members: Members) -> None:
    admin = gk_members(roles=["admin"])
    site.post(
        "/admin/badges/new",
        {"slug": "helper", "name": "Helper", "description": "d", "tiers": "bronze", "criterion": "manual"},
        user=admin,
    )

    def upload(data: bytes) -> tuple[int, str]:
        with site.client.session_transaction() as session:
            token = session.setdefault("_guildkit_csrf", "tok")
        response = site.client.post(
            PREFIX + "/admin/badges/helper/image",
            data={"csrf_token": token, "image": (io.BytesIO(data), "badge.svg")},
            headers={"X-User": admin},
            content_type="multipart/form-data",
        )
        return response.status_code, response.get_data(as_text=True)

    status, page = upload(REVIEW_VECTORS["xml-stylesheet-pi"])
    assert status == 422 and "may not have processing instructions" in page
    commented = svg('<!-- made by hand --><metadata>x</metadata><circle r="9" style="fill:red"/>')
    assert upload(commented)[0] == 303
    served = site.client.get(PREFIX + "/badge-images/helper")
    assert served.mimetype == "image/svg+xml"
    assert served.data == f'<svg xmlns="{SVG_NS}"><circle r="9" fill="red" /></svg>'.encode()
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_an_svg_stored_before_the_sanitiser_is_rebuilt_when_served(site: Site, gk_members: Members) -> None:
    admin = gk_members(roles=["admin"])
    site.post(
        "/admin/badges/new",
        {"slug": "old", "name": "Old", "description": "d", "tiers": "bronze", "criterion": "manual"},
        user=admin,
    )
    badges = sa.table("guildkit_console_badges", sa.column("slug"), sa.column("image_data"), sa.column("image_type"))

    def store_as_0_1_did(data: bytes) -> None:
        with site.gk.store.engine.begin() as conn:
            conn.execute(badges.update().where(badges.c.slug == "old").values(image_data=data, image_type=SVG))

    store_as_0_1_did(REVIEW_VECTORS["animate-href-javascript"])
    served = site.client.get(PREFIX + "/badge-images/old").data
    assert b"javascript" not in served.lower() and b"<animate" not in served
    store_as_0_1_did(svg('<script>alert(1)</script><circle r="9"/>'))  # refused outright: the generated art
    served = site.client.get(PREFIX + "/badge-images/old").data
    assert b"<script" not in served and b"<svg" in served
