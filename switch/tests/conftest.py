"""The demo tenants of telephony/conftest.py, for the gate's guard and push tests."""

from telephony.conftest import demo, sim_pushes_to  # noqa: F401
