"""Property-based fuzzing of the XML API (hypothesis): strategies, properties, the
harness that runs them against a target, the pytest glue and the replay of saved failures.

The fuzz tests themselves live in the top-level ``fuzz/`` directory.
"""
