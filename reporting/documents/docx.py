"""The report as a Word document, in the committee's house format."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.shared import Cm, Pt

from reporting.documents.outline import Heading, Image, Paragraph, TableBlock, outline


def render_docx(report: dict[str, Any], figures: dict[str, Any]) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    document.core_properties.title = report["title"]
    document.core_properties.author = ""
    for block in outline(report, figures):
        match block:
            case Heading(text, level):
                document.add_heading(text, level)
            case Paragraph(text, bold):
                paragraph = document.add_paragraph()
                paragraph.add_run(text).bold = bold
            case TableBlock(headers, rows, caption):
                if caption:
                    document.add_paragraph(caption, style="Caption")
                table = document.add_table(rows=1, cols=len(headers))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, headers, strict=True):
                    cell.text = text
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
                for row in rows:
                    cells = table.add_row().cells
                    for cell, text in zip(cells, row, strict=True):
                        cell.text = text
            case Image(png, caption, alt):
                document.add_picture(io.BytesIO(png), width=Cm(16))
                # Word reads a picture's alternative text from its description.
                picture = document.inline_shapes[-1]
                picture._inline.docPr.set("descr", alt)  # noqa: SLF001
                picture._inline.docPr.set("title", caption)  # noqa: SLF001
                document.add_paragraph(caption, style="Caption")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
