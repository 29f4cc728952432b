"""Batch sweeps: many problems x kinds x one eps grid, resumable, on processes or Dask (see run.py)."""
