"""The class's storage: students, their answers and the class's pause and push, behind one database URL.

SQLAlchemy Core speaks the database's own dialect: ``sqlite:///class-data/class.sqlite`` on one machine
(``make serve``), ``postgresql://user@host:5432/db`` beyond it (psycopg 3, the ``hub`` extra), where
several replicas of the class view share one database. Every value reaches SQL as a bound parameter.
An answer carries the id its kernel gave it, the table's primary key: an answer sent twice (a kernel
resends what the server did not acknowledge, or sends it to two replicas) is kept once.

Replicas tell each other what changed (a push, a pause) with ``announce`` and ``listen``: PostgreSQL's
LISTEN/NOTIFY on one channel, or, on SQLite (one process), a hand-over to the listeners in this process.

Blocking calls: the server runs them off its event loop (``batchnet_core.classroom.server``).

>>> store = ClassStore("sqlite://")
>>> ada = store.student("cookie-1")
>>> ada.number, ada.name
(1, 'Student 1')
>>> store.rename(ada.id, "Ada").name
'Ada'
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import dataclasses
import io
import json
import logging
import secrets
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable

import sqlalchemy as sa

from .answers import AUTHORED, MISTAKE_WORDS, Answer, Verdict, exercise_layout, grid_cell, right_answer

metadata = sa.MetaData()

students = sa.Table(
    "students", metadata,
    # "Student 7": the 7th to arrive, numbered by the database itself, so students arriving at once never
    # draw the same number
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(120), nullable=False, unique=True),  # the browser's cookie, or the hub's class/user
    # the class: "" for the one class of `make serve`, a JupyterHub group's name behind a hub
    sa.Column("class_name", sa.String(80), nullable=False, default="", index=True),
    sa.Column("name", sa.String(80)),  # chosen by the student; None until then
    sa.Column("joined_at", sa.Float, nullable=False),
)

answers = sa.Table(
    "answers", metadata,
    sa.Column("id", sa.String(32), primary_key=True),  # the kernel's: a resent answer is kept once
    sa.Column("student", sa.String(120), sa.ForeignKey("students.id"), nullable=False, index=True),
    sa.Column("exercise", sa.String(120), nullable=False, index=True),
    sa.Column("page", sa.String(80), nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("difficulty", sa.String(16), nullable=False),
    sa.Column("part", sa.String(16), nullable=False),
    sa.Column("cell", sa.String(40), nullable=False),
    sa.Column("typed", sa.String(80), nullable=False),
    sa.Column("correct", sa.Boolean, nullable=False),
    sa.Column("mistake", sa.String(40)),
    sa.Column("answered_at", sa.Float, nullable=False),
)

#: The link of each authored exercise answered (``Exercise.to_query``), by the key its answers are kept under:
#: a table of its own, so a database made before authored exercises gains it and keeps its answers.
authored_exercises = sa.Table(
    "authored_exercises", metadata,
    sa.Column("exercise", sa.String(120), primary_key=True),
    sa.Column("query", sa.Text, nullable=False),
)

#: Each class's own state, a row per class and key (``<class>/paused``, ``<class>/push``), JSON.
settings = sa.Table(
    "class_settings", metadata,
    sa.Column("key", sa.String(120), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

#: A cell's typed texts shown, the commonest first.
MAX_TYPED_SHOWN = 12

#: The PostgreSQL channel every replica's announcements travel on.
CHANNEL = "batchnet_class"
#: The longest announcement, in bytes of JSON: PostgreSQL's NOTIFY takes a payload shorter than 8000
#: bytes. SQLite keeps the same limit, so that what works on one machine works behind a hub.
MAX_EVENT_BYTES = 7999
#: Seconds between two attempts to listen again after the database dropped the listener: doubling
#: from the first to the last, so that a database restarting is not hammered by every replica.
RECONNECT_DELAYS = (0.5, 5.0)

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Student:
    id: str
    number: int
    name: str


def _student(row) -> Student:
    return Student(row.id, row.number, row.name or f"Student {row.number}")


class ClassStore:
    """The class's database at ``url`` (tables made if missing).

    ``postgresql://…`` is spoken through psycopg 3 (``postgresql+psycopg://``).
    """

    def __init__(self, url: str) -> None:
        url = sa.engine.make_url(url)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        self.postgres = url.get_backend_name() == "postgresql"
        # a pooled connection the database dropped (a restart, a failover) is replaced, not handed out
        self.engine = sa.create_engine(url, pool_pre_ping=self.postgres)
        if self.engine.dialect.name == "sqlite":
            # readers do not wait for the writer, and a commit waits for other writers up to 10 s
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        # the listeners this store's announcements reach on SQLite: those of every store of this process
        # on the same file; an in-memory database is a store's own
        self._local_key = str(url) if url.database not in (None, "", ":memory:") else id(self)
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- students ----------------------------------------------------------------------------

    def student(self, student_id: str | None, class_name: str = "", name: str | None = None) -> Student:
        """The student ``student_id`` (a browser's cookie); a new one of ``class_name`` (the next number, and
        ``name`` if given) if unknown or None."""
        student_id = student_id or secrets.token_hex(16)
        found = self._find(student_id)
        if found is not None:
            return found
        try:
            with self.engine.begin() as db:
                if self.postgres:
                    # the same browser's other tab arriving at once waits here, then finds this one's row:
                    # a failed insert would spend a number of PostgreSQL's sequence, a gap in the numbering
                    db.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(student_id))))
                    row = db.execute(sa.select(students).where(students.c.id == student_id)).first()
                    if row is not None:
                        return _student(row)
                number = db.execute(students.insert().values(id=student_id, class_name=class_name, name=name,
                                                             joined_at=time.time())).inserted_primary_key[0]
            return Student(student_id, number, name or f"Student {number}")
        except sa.exc.IntegrityError:  # the same browser's other tab arrived first
            return self._find(student_id)

    def _find(self, student_id: str) -> Student | None:
        with self.engine.begin() as db:
            row = db.execute(sa.select(students).where(students.c.id == student_id)).first()
        return None if row is None else _student(row)

    def rename(self, student_id: str, name: str) -> Student:
        """Give a student the name they chose (checked by ``answers.read_name``)."""
        with self.engine.begin() as db:
            db.execute(students.update().where(students.c.id == student_id).values(name=name))
            return _student(db.execute(sa.select(students).where(students.c.id == student_id)).one())

    # -- answers -----------------------------------------------------------------------------

    def record(self, student_id: str, answer: Answer, verdict: Verdict, at: float | None = None) -> bool:
        """Keep an answer; False if its id was kept before (the same answer sent again)."""
        row = dict(id=answer.id, student=student_id, exercise=answer.exercise, page=answer.page, seed=answer.seed,
                   difficulty=answer.difficulty, part=answer.part, cell=answer.cell, typed=answer.typed,
                   correct=verdict.correct, mistake=verdict.mistake, answered_at=at or time.time())
        if answer.authored:
            self._keep_authored(answer.exercise, answer.authored)
        try:
            with self.engine.begin() as db:
                db.execute(answers.insert().values(**row))
        except sa.exc.IntegrityError:
            with self.engine.begin() as db:
                if db.execute(sa.select(answers.c.id).where(answers.c.id == answer.id)).first() is None:
                    raise  # not a repeat: a real fault
            return False
        return True

    def _keep_authored(self, key: str, query: str) -> None:
        """Keep an authored exercise's link once; several answering at once may each try."""
        with contextlib.suppress(sa.exc.IntegrityError), self.engine.begin() as db:
            if db.execute(sa.select(authored_exercises.c.exercise).where(
                    authored_exercises.c.exercise == key)).first() is None:
                db.execute(authored_exercises.insert().values(exercise=key, query=query))

    def _authored(self, keys: list[str]) -> dict[str, str]:
        if not keys:
            return {}
        with self.engine.begin() as db:
            return dict(db.execute(sa.select(authored_exercises.c.exercise, authored_exercises.c.query).where(
                authored_exercises.c.exercise.in_(keys))).all())

    def _rows(self, class_name: str):
        with self.engine.begin() as db:
            query = (sa.select(answers, students.c.number, students.c.name)
                     .join(students, answers.c.student == students.c.id)
                     .where(students.c.class_name == class_name)
                     .order_by(answers.c.answered_at, answers.c.id))
            return db.execute(query).all()

    def count(self) -> int:
        with self.engine.begin() as db:
            return db.execute(sa.select(sa.func.count()).select_from(answers)).scalar()

    # -- the class's pause and push ----------------------------------------------------------

    def setting(self, key: str, default: object = None, class_name: str = "") -> object:
        key = f"{class_name}/{key}"
        with self.engine.begin() as db:
            value = db.execute(sa.select(settings.c.value).where(settings.c.key == key)).scalar()
        return default if value is None else json.loads(value)

    def set_setting(self, key: str, value: object, class_name: str = "") -> None:
        key, text = f"{class_name}/{key}", json.dumps(value)
        update = settings.update().where(settings.c.key == key).values(value=text)
        try:
            with self.engine.begin() as db:
                if db.execute(update).rowcount == 0:
                    db.execute(settings.insert().values(key=key, value=text))
        except sa.exc.IntegrityError:  # another replica made the row first: write over it
            with self.engine.begin() as db:
                db.execute(update)

    # -- what replicas tell each other ---------------------------------------------------------

    def announce(self, event: dict) -> None:
        """Tell every listener of this database, this store's own included, about ``event`` (JSON, at
        most ``MAX_EVENT_BYTES`` bytes: name what changed, and let listeners read the rest from the store).

        >>> store = ClassStore("sqlite://")
        >>> store.announce({"push": "x" * 8000})
        Traceback (most recent call last):
        ValueError: event: at most 7999 bytes of JSON (got 8011); ...
        """
        payload = json.dumps(event, separators=(",", ":"))
        size = len(payload.encode())
        if size > MAX_EVENT_BYTES:
            raise ValueError(f"event: at most {MAX_EVENT_BYTES} bytes of JSON (got {size}); announce what changed "
                             "and let listeners read it from the store")
        if not self.postgres:
            _local_listeners.deliver(self._local_key, payload)
            return
        with self.engine.begin() as db:  # sent when the transaction commits
            db.execute(sa.select(sa.func.pg_notify(CHANNEL, payload)))

    async def listen(self, callback: Callable[[dict], object], listening: Callable[[], object] | None = None) -> None:
        """Call ``callback(event)`` on this event loop for every event announced on this database, until
        cancelled.

        ``listening()`` is called each time the listener is in place, again after the database dropped
        it: what was announced in between is lost, so that is the moment to read the store again.
        Faults (a lost database, a callback that raises) are logged, never raised.
        """
        if self.postgres:
            await self._listen_postgres(callback, listening)
            return
        loop = asyncio.get_running_loop()
        listener = (loop, lambda payload: _call(callback, json.loads(payload)))
        _local_listeners.add(self._local_key, listener)
        try:
            if listening:
                _call(listening)
            await loop.create_future()  # until cancelled
        finally:
            _local_listeners.remove(self._local_key, listener)

    async def _listen_postgres(self, callback, listening) -> None:
        import psycopg  # only behind a hub: `make serve` runs without it

        conninfo = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        delay = RECONNECT_DELAYS[0]
        while True:
            try:
                # keepalives: a listener behind a silently broken network notices within about 25 s
                async with await psycopg.AsyncConnection.connect(
                        conninfo, autocommit=True, keepalives=1, keepalives_idle=10, keepalives_interval=5,
                        keepalives_count=3) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    delay = RECONNECT_DELAYS[0]
                    if listening:
                        _call(listening)
                    async for notice in connection.notifies():
                        try:
                            event = json.loads(notice.payload)
                        except ValueError:
                            log.warning("class announcements: not JSON, ignored: %.200r", notice.payload)
                            continue
                        _call(callback, event)
                problem = "the connection ended"
            except psycopg.Error as error:
                problem = " ".join(str(error).split()) or type(error).__name__  # libpq's is several lines
            log.warning("class announcements: %s; listening again in %.1f s", problem, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_DELAYS[1])

    # -- what the teacher sees ---------------------------------------------------------------

    def summary(self, present: dict[str, str], class_name: str = "") -> dict:
        """The class view's data (``GET /class/api/summary``); ``present`` maps each student present
        to the page they are on."""
        rows = self._rows(class_name)
        with self.engine.begin() as db:
            everyone = [_student(row) for row in db.execute(sa.select(students).where(
                students.c.class_name == class_name).order_by(students.c.number))]
        pages: dict[str, str] = {}
        per_student: dict[str, Counter] = defaultdict(Counter)
        exercises: dict[str, dict] = {}
        # per exercise and cell: each student's latest verdict, the students who made each mistake,
        # and every typed text
        for row in rows:
            pages[row.student] = row.page
            per_student[row.student]["answers"] += 1
            per_student[row.student]["correct"] += int(row.correct)
            exercise = exercises.setdefault(row.exercise, {
                "key": row.exercise, "page": row.page, "seed": row.seed, "difficulty": row.difficulty,
                "parts": set(), "cells": {}, "last": 0.0})
            exercise["parts"].add(row.part)
            exercise["last"] = row.answered_at
            name = grid_cell(row.part, row.cell)
            cell = exercise["cells"].setdefault(name, {"latest": {}, "mistakes": defaultdict(set),
                                                       "typed": Counter(), "part": row.part, "cell": row.cell})
            cell["latest"][row.student] = row.correct
            if row.mistake:
                cell["mistakes"][row.mistake].add(row.student)
            cell["typed"][row.typed] += 1
        shown = []
        queries = self._authored([key for key, e in exercises.items() if e["difficulty"] == AUTHORED])
        for exercise in sorted(exercises.values(), key=lambda e: e["last"]):
            authored = queries.get(exercise["key"], "")
            layout = exercise_layout(exercise["page"], exercise["seed"], exercise["difficulty"], exercise["parts"],
                                     authored)
            cells = {
                name: {"answers": len(cell["latest"]), "correct": sum(cell["latest"].values()),
                       "mistakes": {key: len(who) for key, who in sorted(cell["mistakes"].items(),
                                                                          key=lambda item: -len(item[1]))},
                       "typed": dict(cell["typed"].most_common(MAX_TYPED_SHOWN)),
                       "answer": right_answer(cell["part"], exercise["seed"], exercise["difficulty"], cell["cell"],
                                              authored)}
                for name, cell in exercise["cells"].items()}
            shown.append({"key": exercise["key"], "page": exercise["page"], "seed": exercise["seed"],
                          "difficulty": exercise["difficulty"], **layout, "cells": cells})
        roster = [{"student": f"s{s.number}", "number": s.number, "name": s.name,
                   "page": present.get(s.id, pages.get(s.id, "")), "present": s.id in present,
                   "answers": per_student[s.id]["answers"], "correct": per_student[s.id]["correct"]}
                  for s in everyone if s.id in present or s.id in per_student]
        return {"students": len(present), "paused": bool(self.setting("paused", False, class_name)),
                "push": self.setting("push", None, class_name), "roster": roster, "exercises": shown,
                "mistakes": MISTAKE_WORDS}

    def answers_csv(self, class_name: str = "") -> str:
        """Every answer, oldest first, as CSV (``GET /class/api/answers.csv``)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["answered_at", "student", "name", "page", "seed", "difficulty", "part", "cell", "typed",
                         "correct", "mistake"])
        for row in self._rows(class_name):
            writer.writerow([time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row.answered_at)),
                             f"Student {row.number}", _inert(row.name or f"Student {row.number}"), row.page, row.seed,
                             row.difficulty, row.part, row.cell, _inert(row.typed), row.correct, row.mistake or ""])
        return out.getvalue()


def _inert(text: str) -> str:
    """A text a spreadsheet will not run as a formula: one that starts with = + - @ (or a tab or a
    carriage return) and is not a number gets a leading apostrophe.

    >>> _inert("-3"), _inert("=1+1"), _inert("@SUM(A1)"), _inert("Ada")
    ('-3', "'=1+1", "'@SUM(A1)", 'Ada')
    """
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def _call(function: Callable, *args) -> None:
    """A listener's callback: what it raises is logged, and the listening goes on."""
    try:
        function(*args)
    except Exception:
        log.exception("class announcements: %r failed", function)


class _LocalListeners:
    """The listeners of this process, per SQLite database: announcements on one machine, where the
    class view is one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # announce runs in the server's worker threads
        self._listeners: dict[object, list] = defaultdict(list)

    def add(self, key, listener) -> None:
        with self._lock:
            self._listeners[key].append(listener)

    def remove(self, key, listener) -> None:
        with self._lock:
            self._listeners[key].remove(listener)

    def deliver(self, key, payload: str) -> None:
        with self._lock:
            listeners = list(self._listeners[key])
        for loop, deliver in listeners:
            # each listener decodes its own copy, as from PostgreSQL; a closed loop has stopped listening
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(deliver, payload)


_local_listeners = _LocalListeners()


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


__all__ = ["ClassStore", "Student"]
