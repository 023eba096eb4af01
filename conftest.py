# The conformance plugin is registered by the package's pytest11 entry point
# (pip install -e .); nothing else belongs here.
