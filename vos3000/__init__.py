"""VOS3000 "Web Interface for Third Party": catalog, client and simulator.

Pure Python on purpose: nothing here imports Django, so the client and the
simulator can run (and be tested) on their own.
"""
