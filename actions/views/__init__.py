"""Pages of the action plan, one module per area."""
