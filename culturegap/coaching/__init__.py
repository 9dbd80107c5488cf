"""Coaching and behaviour: scorecards from the playbook, observations of real customer
conversations, self-assessments, and the readiness index per person and team."""
