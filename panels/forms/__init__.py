"""Forms for the panels' pages, one module per area."""
