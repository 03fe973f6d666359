"""The most an uploaded table may hold, so that reading one takes a bounded time and memory
whatever the file claims about itself. `core.tables` applies them to every importer.

A file that passes these is not yet a good list or plan: each importer has its own, smaller
limits on what its rows mean (a cohort list of at most 20,000 people, a plan of 2,000 rows).
These only stop a file from tying up a web worker. They count what is really in the file, not
what it declares: a workbook's <dimension> can claim 16,384 x 1,048,576 cells in a 5 KB file,
and a zip entry's size is written by whoever made the zip.
"""

from __future__ import annotations

# The upload itself. Five megabytes holds a 20,000-person list several times over.
MAX_FILE_BYTES = 5 * 1024 * 1024

# Rows read, blank rows included: a sheet whose one cell sits in row 1,048,576 is a million
# rows long to a reader that numbers rows as a spreadsheet does. The largest list has 20,000.
MAX_ROWS = 25_000

# Columns with something in them. Lists and plans have tens; empty cells to the right of the
# last filled one (formatting that reaches across a sheet) are not counted.
MAX_COLUMNS = 200

# Cells read, empty ones included, over the whole sheet or file: 20,000 people in 15 columns.
# This is what bounds the reading time: openpyxl reads between 30,000 cells a second (text
# written inside the sheet, as openpyxl itself writes it) and 200,000 (Excel's own files),
# so no file within the limits takes longer than the largest list it could be.
MAX_CELLS = 300_000

# Cells in one row of a worksheet's XML. Excel's own widest sheet has 16,384 columns, so a
# longer row was not written by a spreadsheet program.
MAX_CELLS_IN_A_ROW = 16_384

# A workbook is a zip archive of XML. These bound the unpacking before any XML is parsed.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # all the parts together, unpacked
MAX_COMPRESSION_RATIO = 100  # a part's unpacked size over its packed size
RATIO_CHECKED_FROM_BYTES = 1024 * 1024  # smaller parts may be any ratio: they cost nothing
MAX_PARTS = 1_000  # files inside the archive
