"""Selectors for the action plan, one module per area."""
