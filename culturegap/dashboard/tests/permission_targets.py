"""Permission-matrix targets of the executive dashboard."""

from culturegap.tests.matrix import Target

TARGETS = {
    "dashboard:index": Target(),
    "dashboard:export": Target(),  # without ?table= the impact table
}
