"""Polls on cases: questions, options, votes and tallies decided at the case's origin."""
