"""Reads for the governance pages, one module per thing read: the agency's access log,
unusual reading in it, and everything held about one person."""
