"""Everything with I/O: web app, log, sync, targets and command line."""
