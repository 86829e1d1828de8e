"""The API's fixtures (an app, staff in every role, the read models brought up to date) for the printed outputs."""

from tests.http.conftest import app as app
from tests.http.conftest import client as client
from tests.http.conftest import gdpr as gdpr
from tests.http.conftest import project as project
from tests.http.conftest import runtime_of as runtime_of
from tests.http.conftest import staff as staff
