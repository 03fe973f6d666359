"""The scrutiny report's figures, each defined once, in SQL, with its meaning in plain English.

`compute.compute_figures` gathers them for a scope (a period and the panels); the
`suppression` module turns that into what a committee may be shown.
"""
