"""Rank a network's firms, or teams of them, for a set of required capabilities.

The engine is pure of any request model: it takes a list of `Requirement` (a capability
code and a minimum grade) and answers with `Candidate` firms (`ranking.rank_firms`) or
`TeamProposal` teams (`teams.propose_teams`), each with its reason as data that the caller
stores with its invitations and says in the reader's language (`explanations`). What it
knows of a firm's current work (open load) and its past answers (response rate) comes from
the caller, because that data lives in the apps above this one. On PostgreSQL it reads a
search structure the database keeps (`search_structure`, `tiered_search`); otherwise, and
for unusual requests, it runs one aggregating statement (`aggregating_statement`). Both
ways give identical results.
"""
