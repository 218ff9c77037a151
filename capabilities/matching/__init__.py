"""Rank a network's firms, or teams of them, for a set of required capabilities."""
