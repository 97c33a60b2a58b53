"""Where the tabs are written: a local workbook or a Google spreadsheet."""
