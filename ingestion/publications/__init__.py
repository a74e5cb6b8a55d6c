"""Parsers for publications a generic reader cannot read as one table; they load through ``load_records``.

- ``epa_hub``: the US EPA GHG Emission Factors Hub workbook (12 tables stacked on one sheet).
"""
