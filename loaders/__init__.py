"""Readers that bring outside material in, one per source: plan YAML files (``plans``), divisions and named
county sets (``regions``), and uploaded spreadsheets read into plain grids of cells (``workbooks``). Each returns
the project's own records (``tracker.model``) and reports problems as values naming the file and the place. A new
file format or reference source goes here; what the figures in it mean is the intake's business.
"""
