"""The only code that starts programs: proc (process groups, logs, stop-all), and one module per
program the tool drives (git, poetry, uv, pip, docker, ruff, copier, Jupyter) and the package index."""
