"""The allocation engine: pure Python + HiGHS, no Django imports (see allocation-format.md).

The entry point is `lisplan.allocation.engine.solve(instance, *, max_delay, time_limit,
progress) -> Result` (documented there); `lisplan allocate` is a thin command over it.
"""
