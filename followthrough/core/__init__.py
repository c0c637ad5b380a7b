"""The product's rules as pure Python: no Django, no clock, no database.

Callers pass `now` and plain values (frozen dataclasses, enums) and get plain values back, so every
rule here is tested with tables and no database (see tests/test_no_django.py).
"""
