from pathlib import Path

import pytest
from iris_data import SPECIES, Flower, Rejection, clean, features, load, read_rows, validate


def test_the_bundled_dataset_is_the_150_iris_flowers() -> None:
    flowers = load()
    assert len(flowers) == 150
    assert {species: sum(f.species == species for f in flowers) for species in SPECIES} == dict.fromkeys(SPECIES, 50)
    assert flowers[0] == Flower(5.1, 3.5, 1.4, 0.2, "setosa")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"sepal_length": "", "sepal_width": "3", "petal_length": "1", "petal_width": "0.2", "species": "setosa"},
         "sepal_length is missing"),
        ({"sepal_length": "5", "sepal_width": "three", "petal_length": "1", "petal_width": "0.2", "species": "setosa"},
         "sepal_width is not a number: 'three'"),
        ({"sepal_length": "5", "sepal_width": "3", "petal_length": "-1", "petal_width": "0.2", "species": "setosa"},
         "petal_length is out of range (0, 30] cm: -1"),
        ({"sepal_length": "5", "sepal_width": "3", "petal_length": "1", "petal_width": "0.2", "species": "rose"},
         "unknown species: 'rose'"),
    ],
)  # fmt: skip
def test_a_bad_row_is_rejected_with_its_reason(row: dict[str, str], reason: str) -> None:
    assert validate(row, line=7) == Rejection(7, reason)


def test_clean_keeps_the_valid_rows_and_counts_the_others_by_line(tmp_path: Path) -> None:
    source = tmp_path / "raw.csv"
    source.write_text(
        "sepal_length,sepal_width,petal_length,petal_width,species\n"
        "5.1,3.5,1.4,0.2,setosa\n"
        "5.1,3.5,,0.2,setosa\n"
        "6.3,3.3,6.0,2.5, Virginica \n"
    )
    cleaned = clean(read_rows(source))
    assert [f.species for f in cleaned.flowers] == ["setosa", "virginica"]
    assert cleaned.rejected == (Rejection(3, "petal_length is missing"),)


def test_features_are_derived_from_the_measurements() -> None:
    assert features(Flower(5.0, 2.0, 4.0, 1.5, "versicolor")) == {
        "petal_area": 6.0,
        "sepal_area": 10.0,
        "petal_to_sepal_length": 0.8,
    }
