"""Panels over the API, one module per aggregate; the router is in config/api.py."""
