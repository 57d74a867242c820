"""Files and text for people to read, knowing nothing of the domain: CSV and XLSX tables, PDF
from an HTML template, a terminal progress bar.

The apps decide what goes in (headers, rows, labels, the language); this package only decides
how it is written, so every export of the project shares one set of rules (typed cells, no
formula from user text, one PDF machinery).
"""
