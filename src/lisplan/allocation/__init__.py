"""The allocation engine: pure Python + HiGHS, no Django imports (see allocation-format.md)."""
