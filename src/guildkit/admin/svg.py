"""SVG badge art, sanitised: :func:`sanitize_svg` parses an upload with defusedxml and rebuilds it
from an allowlist of SVG elements and attributes, and the rebuilt tree (never the uploaded bytes)
is what is stored and served.

Two outcomes, decided per construct:

* **refused** (:class:`~guildkit.errors.ValidationError`, ``field="image"``, naming the construct):
  anything that would make the file *do* something rather than draw: a DOCTYPE or entity, a
  processing instruction (``<?xml-stylesheet?>``), ``<script>``, ``<style>``, ``<foreignObject>``,
  animation (``<set>``, ``<animate>``...), ``<image>``, ``<a>``, event handlers, a link that is not
  ``#id``, a ``url()`` that is not ``url(#id)``, any other CSS function than colours and
  transforms, CSS escapes (``\\``) or rules (``@``, braces), ``javascript:`` or ``data:`` in a
  value, elements nested deeper than :data:`MAX_DEPTH`. An admin should learn that their file
  carried that.
* **left out** silently: whatever else is not on the allowlist and cannot act, mostly what editors
  add (comments, ``<metadata>``, ``inkscape:*`` / ``sodipodi:*`` elements and attributes, unknown
  style properties). Leaving it out is safe whatever it is, because it is never copied.

``style="..."`` (how Inkscape writes colours) is read declaration by declaration: allowlisted
presentation properties become presentation attributes after the same value checks, the rest is
left out. ``xlink:href`` becomes ``href``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from defusedxml import DefusedXmlException, DTDForbidden  # type: ignore[import-untyped]
from defusedxml.ElementTree import DefusedXMLParser  # type: ignore[import-untyped]

from guildkit.errors import ValidationError
from guildkit.i18n import gettext as _

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
#: Deeper trees are refused: serialising is recursive, and badge art never nests this deep.
MAX_DEPTH = 64

#: SVG elements badge art is drawn with (SVG namespace; names are case-sensitive in XML).
ALLOWED_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "textPath",
        "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
        "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
        "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood",
        "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur", "feMerge", "feMergeNode",
        "feMorphology", "feOffset", "fePointLight", "feSpecularLighting", "feSpotLight", "feTile",
        "feTurbulence",
    }
)  # fmt: skip

#: Elements that script, style, animate, load or link (lower-cased, in any namespace): refused.
ACTIVE_ELEMENTS = frozenset(
    {
        "script", "style", "foreignobject", "iframe", "frame", "embed", "object", "applet", "audio",
        "video", "canvas", "image", "feimage", "a", "set", "animate", "animatemotion",
        "animatetransform", "animatecolor", "discard", "handler", "listener", "link", "base", "meta",
        "include", "tref", "cursor", "font-face", "font-face-uri", "color-profile",
    }
)  # fmt: skip

#: Presentation attributes: browsers parse their values as CSS, and ``style`` may set them.
PRESENTATION_ATTRIBUTES = frozenset(
    {
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
        "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset",
        "stroke-opacity", "opacity", "color", "display", "visibility", "overflow", "clip-path",
        "clip-rule", "mask", "mask-type", "filter", "marker-start", "marker-mid", "marker-end",
        "stop-color", "stop-opacity", "flood-color", "flood-opacity", "lighting-color",
        "font-family", "font-size", "font-size-adjust", "font-weight", "font-style", "font-variant",
        "font-stretch", "text-anchor", "text-decoration", "dominant-baseline", "alignment-baseline",
        "baseline-shift", "letter-spacing", "word-spacing", "writing-mode", "direction",
        "unicode-bidi", "paint-order", "vector-effect", "shape-rendering", "text-rendering",
        "image-rendering", "color-interpolation", "color-interpolation-filters", "mix-blend-mode",
        "isolation", "pointer-events", "transform-origin",
    }
)  # fmt: skip

#: Other attributes (no namespace): geometry, structure, gradients, filters, text, accessibility.
PLAIN_ATTRIBUTES = frozenset(
    {
        "id", "class", "lang", "role", "aria-label", "aria-labelledby", "aria-describedby",
        "aria-hidden", "version", "viewBox", "preserveAspectRatio", "width", "height", "x", "y",
        "cx", "cy", "r", "rx", "ry", "x1", "y1", "x2", "y2", "points", "d", "pathLength",
        "transform", "href", "gradientUnits", "gradientTransform", "spreadMethod", "fx", "fy", "fr",
        "offset", "patternUnits", "patternContentUnits", "patternTransform", "clipPathUnits",
        "maskUnits", "maskContentUnits", "markerWidth", "markerHeight", "markerUnits", "refX",
        "refY", "orient", "dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset",
        "method", "spacing", "side", "filterUnits", "primitiveUnits", "in", "in2", "result",
        "stdDeviation", "edgeMode", "mode", "operator", "k1", "k2", "k3", "k4", "type", "values",
        "tableValues", "slope", "intercept", "amplitude", "exponent", "baseFrequency",
        "numOctaves", "seed", "stitchTiles", "scale", "xChannelSelector", "yChannelSelector",
        "radius", "order", "kernelMatrix", "divisor", "bias", "targetX", "targetY",
        "preserveAlpha", "surfaceScale", "diffuseConstant", "specularConstant",
        "specularExponent", "kernelUnitLength", "azimuth", "elevation", "z", "pointsAtX",
        "pointsAtY", "pointsAtZ", "limitingConeAngle",
    }
)  # fmt: skip

#: Attributes in other namespaces that are kept, as ElementTree names them (``xlink:href`` is
#: written back as ``href``).
NAMESPACED_ATTRIBUTES = frozenset({f"{{{XML_NS}}}space", f"{{{XML_NS}}}lang"})
#: Every attribute name that can appear in a sanitised file.
ALLOWED_ATTRIBUTES = PRESENTATION_ATTRIBUTES | PLAIN_ATTRIBUTES | NAMESPACED_ATTRIBUTES
#: CSS functions a value may call: colours and transforms (``url()`` is checked on its own).
ALLOWED_FUNCTIONS = frozenset(
    {
        "url", "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "matrix",
        "translate", "translatex", "translatey", "scale", "scalex", "scaley", "rotate", "skewx",
        "skewy",
    }
)  # fmt: skip
#: Read by people, never by a CSS or URL parser: only the parser's own escaping applies.
_FREE_TEXT_ATTRIBUTES = frozenset({"aria-label"})

_LOCAL_REF = re.compile(r"#[A-Za-z_][\w.:-]*")
_LOCAL_URL = re.compile(r"""url\(\s*(['"]?)#[A-Za-z_][\w.:-]*\1\s*\)""", re.I)
# Matched against reversed text, so the name before a "(" is found without rescanning (linear).
_NAME_BACKWARDS = re.compile(r"[\w-]*")
_PROPERTY = re.compile(r"-?[a-z][a-z-]*")
# Whitespace and control characters are skipped by URL parsers ("java&#x09;script:").
_IGNORED_BY_URL_PARSERS = re.compile(r"[\x00-\x20\x7f]+")
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")


def sanitize_svg(data: bytes) -> bytes:
    """The upload rebuilt from allowlisted elements and attributes, as UTF-8 SVG.

    Raises :class:`ValidationError` (``field="image"``) naming the first thing refused.
    """
    root = _parse(data)
    if _split(root.tag) not in ((SVG_NS, "svg"), ("", "svg")):
        raise _refuse(_("the SVG's root element must be <svg>"))
    # Tags are written unqualified under one xmlns on the root (ElementTree's default_namespace
    # option refuses unqualified attribute names, which is what SVG attributes are).
    clean = ET.Element("svg", {"xmlns": SVG_NS} | _clean_attributes(root))
    clean.text = root.text
    stack: list[tuple[ET.Element, ET.Element, int]] = [(root, clean, 1)]
    while stack:  # a loop, not recursion: the depth is checked here before anything recurses
        source, target, depth = stack.pop()
        for child in source:
            copy = _clean_element(child, depth + 1)
            if copy is None:
                _keep_tail(target, child.tail)
                continue
            copy.text, copy.tail = child.text, child.tail
            target.append(copy)
            stack.append((child, copy, depth + 1))
    rebuilt: bytes = ET.tostring(clean, encoding="utf-8")
    return rebuilt


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, field="image")


class _TreeBuilder(ET.TreeBuilder):
    """Records processing instructions (the default builder drops them, so nobody would know)."""

    def __init__(self) -> None:
        super().__init__()
        self.instructions: list[str] = []

    def pi(self, target: str, text: str | None = None) -> ET.Element:
        self.instructions.append(target)
        return ET.Element("pi")


def _parse(data: bytes) -> ET.Element:
    builder = _TreeBuilder()
    # The builder does not insert comments, so they are never in the tree; DOCTYPEs, entities and
    # external references raise before anything is built (a DTD is how entity bombs are declared).
    parser: ET.XMLParser = DefusedXMLParser(target=builder, forbid_dtd=True)
    try:
        parser.feed(data)
        root: ET.Element = parser.close()
    except DTDForbidden:
        raise _refuse(_("SVG images may not have a DOCTYPE")) from None
    except DefusedXmlException:
        raise _refuse(_("SVG images may not declare entities or refer to outside files")) from None
    except ET.ParseError as exc:
        raise _refuse(_("the SVG is not well-formed XML: %(error)s", error=exc)) from None
    if builder.instructions:
        raise _refuse(
            _(
                "SVG images may not have processing instructions (<?%(target)s ...?>)",
                target=builder.instructions[0],
            )
        )
    return root


def _split(name: str) -> tuple[str, str]:
    """``(namespace, local name)`` of an ElementTree name."""
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        return namespace, local
    return "", name


def _clean_element(element: ET.Element, depth: int) -> ET.Element | None:
    """A copy of the element with clean attributes and no children, or ``None`` to leave it out."""
    namespace, local = _split(element.tag)
    if local.lower() in ACTIVE_ELEMENTS:
        if local.lower() == "style":
            raise _refuse(_("SVG images may not contain <style>: use presentation attributes such as fill and stroke"))
        raise _refuse(_("SVG images may not contain <%(element)s>", element=local))
    if depth > MAX_DEPTH:
        raise _refuse(_("SVG images may nest elements at most %(depth)s deep", depth=MAX_DEPTH))
    # Unnamespaced elements are read as SVG: only allowlisted names are written back, checked.
    if namespace not in (SVG_NS, "") or local not in ALLOWED_ELEMENTS:
        _check_subtree(element)
        return None
    return ET.Element(local, _clean_attributes(element))


def _check_subtree(element: ET.Element) -> None:
    """Refuse active content even inside an element that is left out (it is never copied, but an
    admin who uploaded a script hidden in ``<metadata>`` should hear about it all the same)."""
    for descendant in element.iter():  # iterative, so any depth is fine
        local = _split(descendant.tag)[1]
        if local.lower() in ACTIVE_ELEMENTS:
            raise _refuse(_("SVG images may not contain <%(element)s>", element=local))
        for name in descendant.attrib:
            if _split(name)[1].lower().startswith("on"):
                raise _refuse(_("SVG images may not have event handlers (%(name)s)", name=_split(name)[1]))


def _clean_attributes(element: ET.Element) -> dict[str, str]:
    kept: dict[str, str] = {}
    styled: dict[str, str] = {}
    for name, value in element.attrib.items():
        namespace, local = _split(name)
        if local.lower().startswith("on"):
            raise _refuse(_("SVG images may not have event handlers (%(name)s)", name=local))
        if local == "style" and not namespace:
            styled = _style_declarations(value)
            continue
        if local.lower() == "href":
            _check_link(value)
            # SVG 2: a plain href wins over xlink:href, whichever comes first.
            if local == "href" and (not namespace or (namespace == XLINK_NS and "href" not in kept)):
                kept["href"] = value.strip()
            continue
        if name in ALLOWED_ATTRIBUTES:
            _check_value(local, value)
            kept[name] = value
    return kept | styled  # a style declaration wins over the presentation attribute


def _check_link(value: str) -> None:
    if not _LOCAL_REF.fullmatch(value.strip()):
        raise _refuse(_("SVG images may only link inside themselves (href='#...')"))


def _check_value(name: str, value: str) -> None:
    """Refuse a value a CSS or URL parser could turn into a load or a script."""
    if name in _FREE_TEXT_ATTRIBUTES:
        return
    if "\\" in value:
        raise _refuse(_("SVG images may not use CSS escapes (\\) in %(name)s", name=name))
    if any(mark in value for mark in "@{}"):
        raise _refuse(_("SVG images may not use CSS rules (@, { or }) in %(name)s", name=name))
    folded = _IGNORED_BY_URL_PARSERS.sub("", value).lower()
    if any(scheme in folded for scheme in _SCRIPT_SCHEMES):
        raise _refuse(_("SVG images may not have script or data URLs (%(name)s)", name=name))
    for function in _functions(value):
        if function.lower() not in ALLOWED_FUNCTIONS:
            if not function:
                raise _refuse(_("SVG images may not use parentheses in %(name)s", name=name))
            raise _refuse(_("SVG images may not use %(function)s() in %(name)s", function=function, name=name))
    if "url(" in _LOCAL_URL.sub("", value).lower().replace(" ", ""):
        raise _refuse(_("SVG images may only refer to themselves (url(#...))"))


def _style_declarations(style: str) -> dict[str, str]:
    """The allowlisted presentation properties of a ``style`` attribute, checked; others left out."""
    if "\\" in style:
        raise _refuse(_("SVG images may not use CSS escapes (\\) in %(name)s", name="style"))
    if any(mark in style for mark in ("@", "{", "}", "<")):
        raise _refuse(_("SVG style attributes may only set properties (no @rules or blocks)"))
    properties: dict[str, str] = {}
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if not colon or not _PROPERTY.fullmatch(name):
            _check_value("style", declaration)  # unreadable, left out, but never a hiding place
            continue
        head, bang, flag = value.rpartition("!")
        if bang and flag.strip().lower() == "important":  # attributes have no priority to carry
            value = head.rstrip()
        _check_value(name, value)
        if name in PRESENTATION_ATTRIBUTES and value:
            properties[name] = value
    return properties


def _functions(value: str) -> Iterator[str]:
    """The name before each ``(`` in a value (``""`` for a bare parenthesis)."""
    for before in value.split("(")[:-1]:
        name = _NAME_BACKWARDS.match(before.rstrip()[::-1])
        yield name.group()[::-1] if name else ""


def _keep_tail(parent: ET.Element, tail: str | None) -> None:
    """Keep the text that followed a left-out element (it belongs to the parent, as in ``<text>``)."""
    if not tail:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
