"""Reading untrusted spreadsheets: a workbook of any format (workbook.py), in a worker process that
may die (isolate.py), cached by content (cache.py); the cell values as text (values.py).

Only the file-size bound lives here: the modules that check it before any workbook is opened (the
folder walk, CSV files) need not import the parsers.
"""

MAX_FILE_BYTES = 100 * 1024 * 1024
"""The largest file read, a workbook or a CSV file."""
