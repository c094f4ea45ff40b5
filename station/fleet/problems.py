"""What a fleet database error means, in words, with what to do about it.

"Unreachable" is said only of a database that cannot be reached: a wrong password, a missing
database, tables that were never made or were changed by hand each get their own sentence, since
each has its own fix (the credential file, `createdb`, `station sync --init`, the column to restore).
psycopg is imported lazily: the kiosk never needs it.
"""

from __future__ import annotations

import re

PASSWORD_HINT = "the password file (/etc/hinge-station/db-password, or --password-file)"

# (pattern in the server's or libpq's message, what it means and what to do); first match wins.
MESSAGES: tuple[tuple[str, str], ...] = (
    (r'password authentication failed for user "([^"]+)"',
     "the database refused the password of user {0}: put the right one in " + PASSWORD_HINT),
    (r"no password supplied|password is required",
     "the database wants a password and none was given: write it into " + PASSWORD_HINT),
    (r'database "([^"]+)" does not exist',
     "there is no database {0} on that server: create it (createdb {0}), then run `station sync --init`"),
    (r'role "([^"]+)" does not exist',
     "there is no database user {0} on that server: create it (createuser {0}) or fix the URL's user"),
    (r'relation "(?:hinge_schema|sets|stations|beats)" does not exist',
     "it has no Hinge Station tables yet: run `station sync --init`"),
    (r'column "?([\w.]+)"? does not exist',
     "its column {0} is missing or renamed (the tables were changed by hand): restore it, or give the station "
     "a fresh database and run `station sync --init`"),
    (r"permission denied for (?:table|relation|schema|sequence) (\w+)",
     "the database user may not use {0}: GRANT it the rights, or use the user that ran `station sync --init`"),
    (r"timestamp (?:out of range|too large|too small)|date too large|date too small|infinity",
     "a row holds a time outside the calendar (e.g. 'infinity'), written by something other than a station: "
     "fix or delete that row"),
    (r"cannot extract elements from|cannot call jsonb_\w+ on",
     "a set's rep list is not a list (a row written by something other than a station): fix or delete that row"),
    (r"could not connect|connection refused|timeout expired|could not translate host name|no route to host|"
     r"network is unreachable|server closed the connection|connection (?:is )?(?:lost|closed)|terminating connection",
     "unreachable ({0}): it is down, or the network or the URL's host and port are wrong"),
)  # fmt: skip


WRONG_TYPE = {"42804", "22P02", "42846"}  # datatype mismatch, invalid text, cannot coerce


def is_database_error(exc: BaseException) -> bool:
    """Whether an exception came from the database or the network to it (not a bug of ours)."""
    try:
        import psycopg
    except ImportError:
        return False
    return isinstance(exc, (psycopg.Error, ConnectionError, TimeoutError))


def explain(exc: BaseException) -> str:
    """The error in one clause: what is wrong and what to do."""
    return _classify(exc)[1]


def kind(exc: BaseException) -> str:
    """Which of the known problems this is (a sender logs again only when the kind changes)."""
    return _classify(exc)[0]


def _classify(exc: BaseException) -> tuple[str, str]:
    text = " ".join(str(exc).split()) or type(exc).__name__
    for pattern, meaning in MESSAGES:
        found = re.search(pattern, text, re.IGNORECASE)
        if found:
            return pattern, meaning.format(found.group(1) if found.groups() else _first_line(exc))
    if getattr(exc, "sqlstate", None) in WRONG_TYPE:
        why = f"a column has the wrong type ({_first_line(exc)})"
        return "type", why + ": the tables were changed by hand; restore them"
    return "other", f"the database answered: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]
