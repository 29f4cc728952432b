"""Text formats, knowing no Problem: safe reading, the CSV tables, the scenario JSON, spreadsheet cells."""
