"""Writes for panels."""
