"""Permission-matrix targets of the Today page's app: the page on how figures are computed."""

from culturegap.tests.matrix import Target

TARGETS = {"methods": Target()}
