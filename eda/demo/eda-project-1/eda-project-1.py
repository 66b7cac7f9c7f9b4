# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
# ---

# %% [markdown]
# # How the iris species differ
#
# The 150 flowers of the shared `iris-data` library, explored with pandas and matplotlib. Each
# `# %%` starts a cell: VS Code and PyCharm run them one at a time in an interactive window (pick
# the kernel `eda-project-1`, registered by `./mono kernel eda-project-1`); `./mono notebook
# eda-project-1` pairs this script with a Jupyter notebook; `python eda-project-1.py` runs it all.
# The figure goes to `figures/` (or to `$FIGURES_DIR`).

# %%
import os
from dataclasses import asdict
from pathlib import Path

# No backend is chosen here: in Jupyter and in VS Code's interactive window figures show inline,
# and run as a script without a display matplotlib draws with Agg on its own.
import matplotlib.pyplot as plt
import pandas as pd
from iris_data import features, load

frame = pd.DataFrame([{**asdict(flower), **features(flower)} for flower in load()])
print(f"{len(frame)} flowers, {frame['species'].nunique()} species")

# %% [markdown]
# ## Means per species
# Setosa's petals are much smaller; versicolor and virginica overlap more.

# %%
means = frame.groupby("species").mean(numeric_only=True).round(2)
print(means[["sepal_length", "sepal_width", "petal_length", "petal_width", "petal_area"]])

# %% [markdown]
# ## Petal length alone separates setosa from the others

# %%
setosa = frame[frame["species"] == "setosa"]["petal_length"]
others = frame[frame["species"] != "setosa"]["petal_length"]
print(f"setosa petal_length max={setosa.max():.1f} < others min={others.min():.1f}: {setosa.max() < others.min()}")

# %% [markdown]
# ## Petal length against width

# %%
figures = Path(os.environ.get("FIGURES_DIR", "figures"))
figures.mkdir(parents=True, exist_ok=True)
figure, axes = plt.subplots(figsize=(6, 4))
for species, group in frame.groupby("species"):
    axes.scatter(group["petal_length"], group["petal_width"], label=species, s=14)
axes.set_xlabel("petal length (cm)")
axes.set_ylabel("petal width (cm)")
axes.set_title("Iris petals by species")
axes.legend()
figure.tight_layout()
figure.savefig(figures / "petals.png", dpi=100)
print(f"figure: {figures / 'petals.png'}")
