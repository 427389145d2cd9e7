"""Benchmarks: ``python -m bench [--quick]``. Times are medians of several runs, each reported as a ratio against
a baseline measured in the same process, so that a slower or faster machine moves both together."""
