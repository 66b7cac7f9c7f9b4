"""Pure values of the domain: projects, kinds, the graph, settings, names, versions, the .mono/ layout.

Nothing here reads or writes a file or starts a program; every other layer builds on these.
"""
