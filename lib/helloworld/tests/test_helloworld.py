from helloworld import helloworld


def test_greets_by_name() -> None:
    assert helloworld("christopher") == "Hello world christopher"


def test_greeting_keeps_the_name_as_given() -> None:
    assert helloworld("Ada Lovelace") == "Hello world Ada Lovelace"
