"""Measuring the assistant on question sets: questions, the run, scores, reports, comparisons."""
