"""Readers that bring outside material in: plan files, reference data and (later) county spreadsheets.

Each reader returns the project's own records and reports problems as values naming the file and the place.
"""
