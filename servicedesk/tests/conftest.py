import pytest

from .factories import company, expert


@pytest.fixture
def firm(db):
    return company()


@pytest.fixture
def sara(db):
    return expert("ito.sara")


@pytest.fixture
def omid(db):
    return expert("ito.omid")
