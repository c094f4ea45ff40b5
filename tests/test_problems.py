"""Fleet database errors in words: each names what is wrong and what to do, never "unreachable"
for a database that answered. The cases a real server gives are in test_sender and test_report;
the test server trusts every login, so the password cases here use libpq's own wording."""

import psycopg
import pytest

from station.fleet.problems import explain, is_database_error, kind


@pytest.mark.parametrize(("message", "said"), [
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  password authentication '
     'failed for user "gym"', "the database refused the password of user gym: put the right one in the password file"),
    ("connection failed: fe_sendauth: no password supplied", "the database wants a password and none was given"),
    ('connection failed: FATAL:  database "fleet" does not exist', "there is no database fleet on that server"),
    ('connection failed: FATAL:  role "gym" does not exist', "there is no database user gym"),
    ('relation "sets" does not exist', "run `station sync --init`"),
    ('column "reps" does not exist', "its column reps is missing or renamed"),
    ("permission denied for table sets", "may not use sets: GRANT"),
    ("timestamp too large (after year 10K): 'infinity'", "a time outside the calendar"),
    ("connection failed: Connection refused", "unreachable (connection failed: Connection refused)"),
])  # fmt: skip
def test_each_error_says_what_is_wrong_and_what_to_do(message, said):
    assert said in explain(psycopg.OperationalError(message))


def test_the_kind_groups_one_outage_and_unknown_errors_are_quoted():
    a = psycopg.OperationalError("connection failed: Connection refused")
    b = psycopg.OperationalError("server closed the connection unexpectedly")
    assert kind(a) == kind(b) and kind(a) != kind(psycopg.OperationalError('relation "sets" does not exist'))
    assert explain(psycopg.DatabaseError("something new")) == "the database answered: something new"
    assert is_database_error(a) and not is_database_error(ValueError("ours"))
