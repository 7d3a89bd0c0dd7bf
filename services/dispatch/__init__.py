"""Dispatch (指挥协调): cases through the workflow, deadlines, statistics and department performance."""
