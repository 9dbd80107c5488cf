"""Permission-matrix targets of the operational endpoints."""

from culturegap.tests.matrix import Target

TARGETS = {"ops:healthz": Target()}
