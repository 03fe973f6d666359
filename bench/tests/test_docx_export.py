"""The Word export's benchmark, run small for correctness only (never an assertion about
speed): each length is timed with the same queries, and nothing it made is left behind."""

from __future__ import annotations

import math

import pytest
from django.utils import timezone

from actions.models import ActionPlan
from bench.actions import DOCX_HEADING, docx_lines, marginal_growth, measure_docx_export
from bench.runner import merge_logging_section, render_docx_section

pytestmark = pytest.mark.django_db


def test_docx_benchmark_times_each_length_and_leaves_nothing_behind():
    timings = measure_docx_export(repeat=2, steps=(30, 60, 120))

    assert [(t.steps, t.actions, len(t.samples_ms)) for t in timings] == [
        (30, 10, 2),
        (60, 20, 2),
        (120, 40, 2),
    ]
    assert len({t.queries for t in timings}) == 1  # the same queries at every length
    assert timings[0].document_bytes < timings[1].document_bytes < timings[2].document_bytes
    assert not ActionPlan.objects.exists()
    assert math.isfinite(marginal_growth(timings))  # a figure, whatever the machine's load

    lines = docx_lines(timings, before=timings)
    assert lines[0].startswith("| steps | actions | median ms | ms per step |")
    assert len(lines) == 2 + 3 and lines[2].split("|")[5].strip() == "–"


def test_docx_section_replaces_its_own_part_of_the_report():
    timings = measure_docx_export(repeat=1, steps=(30, 60))

    section = render_docx_section(
        timings,
        command="docx",
        started=timezone.now(),
        repeat=1,
        load_before=(0.0, 0.0, 0.0),
        load_after=(0.0, 0.0, 0.0),
    )
    existing = "# Benchmarks\n\n## Pages\n\nold\n\n## Interpretation\n\ntext\n"
    merged = merge_logging_section(existing, section, heading=DOCX_HEADING)
    assert merged.index("## Pages") < merged.index(DOCX_HEADING) < merged.index("## Interp")
    again = merge_logging_section(merged, section, heading=DOCX_HEADING)
    assert again.count(DOCX_HEADING) == 1
