"""Shared page components and presentation helpers: pagination, section + table, Norwegian
number formats, audit events as sentences."""
