"""Reading and writing the repository: discovery, the pyproject read and edit models, git changes,
selection, and the state kept under .mono/."""
