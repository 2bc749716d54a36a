"""A minimal element tree with line numbers, built with ``defusedxml``'s SAX parser.

No DTDs, no entity declarations, no external references: ``defusedxml`` refuses them
before expat expands anything. Each :class:`Node` knows the line its start tag is on, so
errors can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

import defusedxml.sax
from defusedxml import DefusedXmlException

from ..errors import ErrorItem, MoodleXmlError


@dataclass(eq=False)
class Node:
    tag: str
    attrib: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Character data directly inside this element (CDATA included)."""
        return "".join(self.parts)

    def find(self, tag: str) -> Node | None:
        """The first child with this tag."""
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findall(self, tag: str) -> list[Node]:
        return [child for child in self.children if child.tag == tag]

    def path(self, *tags: str) -> Node | None:
        node: Node | None = self
        for tag in tags:
            node = node.find(tag) if node is not None else None
        return node


class _Builder(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.root: Node | None = None
        self.stack: list[Node] = []
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        line = self.locator.getLineNumber() if self.locator is not None else 0
        node = Node(tag=name, attrib=dict(attrs.items()), line=line)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def endElement(self, name: str) -> None:
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.stack:
            self.stack[-1].parts.append(content)


def parse_tree(data: bytes) -> Node:
    """Parse XML safely; raise :class:`MoodleXmlError` with the line of any syntax error."""
    builder = _Builder()
    try:
        defusedxml.sax.parseString(
            data, builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except SAXParseException as exc:
        raise MoodleXmlError(
            [
                ErrorItem(
                    line=exc.getLineNumber(),
                    message=f"the file is not well-formed XML ({exc.getMessage()} at column "
                    f"{exc.getColumnNumber() + 1})",
                )
            ]
        ) from None
    except DefusedXmlException as exc:
        raise MoodleXmlError(
            f"the file declares a DTD, entities or external references, which are not "
            f"allowed in question files ({type(exc).__name__})"
        ) from None
    if builder.root is None:
        raise MoodleXmlError("the file holds no XML element")
    return builder.root
