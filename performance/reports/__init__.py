"""The head-office monthly report (XLSX summary sheets, client-level CSV) and the tier summary table.

Its own app label (``reports``) inside the ``performance`` package: the report reads the performance figures
but keeps its own models and migrations.
"""
