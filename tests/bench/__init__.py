"""Benchmarks: `make bench`, or `python -m tests.bench [NAME ...]`.

Each module here prints its figures with their goals and asserts nothing,
so a slow machine shows slow figures instead of failing.
"""
