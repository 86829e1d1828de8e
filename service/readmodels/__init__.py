"""The read-model runner: which projections run, how they follow the log, and their status."""
