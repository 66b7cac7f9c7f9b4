# %% [markdown]
# # eda-project-1
# An example analysis in percent format: each `# %%` starts a cell that VS Code, PyCharm
# and Jupyter (through jupytext) run one at a time. `python eda-project-1.py` runs it all.

# %%
import pandas as pd
from helloworld import helloworld
from sklearn.linear_model import LinearRegression

print(helloworld("eda"))

# %%
# A small, made-up data set: hours studied against exam score.
scores = pd.DataFrame({"hours": [1, 2, 3, 4, 5, 6], "score": [52, 55, 61, 64, 70, 73]})
print(scores.describe().loc[["mean", "min", "max"]])

# %%
model = LinearRegression().fit(scores[["hours"]], scores["score"])
print(f"slope={model.coef_[0]:.2f} intercept={model.intercept_:.2f}")
