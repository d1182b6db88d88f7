"""The largest values the database's columns hold, which every layer checks against."""

# PostgreSQL's INTEGER: ids, prices, quantities and stock. A larger value that reached the
# database would be its error (a 500), so paths, bodies, tokens and stock stop here first.
MAX_INTEGER = 2_147_483_647
