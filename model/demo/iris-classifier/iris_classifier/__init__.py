"""A nearest-centroid classifier of iris species, trained on the shared iris-data dataset.

`iris_classifier.train` fits it and writes a versioned artifact; `iris_classifier.predict`
serves predictions from that artifact over JSON. Each has its image: train-image/ and
predict-image/ (`./mono build iris-classifier`).
"""
