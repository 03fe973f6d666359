"""The report as a PDF with the same content as the Word document, drawn with reportlab."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from reporting.documents.outline import Heading, Image, Paragraph, TableBlock, outline

HEADING_STYLES = {0: "Title", 1: "Heading1", 2: "Heading2", 3: "Heading3"}


def render_pdf(report: dict[str, Any], figures: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=report["title"],
        author="",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("Cell", fontSize=8, leading=10)
    story: list[Any] = []
    for block in outline(report, figures):
        match block:
            case Heading(text, level):
                story.append(
                    PdfParagraph(escape(text), styles[HEADING_STYLES.get(level, "Heading3")])
                )
            case Paragraph(text, bold):
                markup = f"<b>{escape(text)}</b>" if bold else escape(text)
                story.append(PdfParagraph(markup, styles["BodyText"]))
            case TableBlock(headers, rows, caption):
                if caption:
                    story.append(PdfParagraph(f"<i>{escape(caption)}</i>", styles["BodyText"]))
                data = [[PdfParagraph(f"<b>{escape(h)}</b>", small) for h in headers]]
                data += [[PdfParagraph(escape(text), small) for text in row] for row in rows]
                table = PdfTable(data, repeatRows=1, hAlign="LEFT")
                table.setStyle(
                    TableStyle(
                        [
                            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ]
                    )
                )
                story += [table, Spacer(1, 4 * mm)]
            case Image(png, caption, _alt):
                image = PdfImage(io.BytesIO(png))
                scale = (170 * mm) / image.imageWidth
                image.drawWidth, image.drawHeight = 170 * mm, image.imageHeight * scale
                story += [image, PdfParagraph(f"<i>{escape(caption)}</i>", styles["BodyText"])]
    document.build(story)
    return buffer.getvalue()
