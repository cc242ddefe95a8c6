"""The class's storage: students, their answers and the class's pause and push, behind one database URL.

SQLAlchemy Core speaks the database's own dialect: ``sqlite:///class-data/class.sqlite`` on one machine
(``make serve``), ``postgresql://…`` beyond it. Every value reaches SQL as a bound parameter. An answer
carries the id its kernel gave it, the table's primary key: an answer sent twice (a kernel resends
what the server did not acknowledge) is kept once.

Blocking calls: the server runs them off its event loop (``batchnet_core.classroom.server``).

>>> store = ClassStore("sqlite://")
>>> ada = store.student("cookie-1")
>>> ada.number, ada.name
(1, 'Student 1')
>>> store.rename(ada.id, "Ada").name
'Ada'
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import secrets
import time
from collections import Counter, defaultdict

import sqlalchemy as sa

from .answers import MISTAKE_WORDS, Answer, Verdict, exercise_layout, grid_cell, right_answer

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

#: Each class's own state, a row per class and key (``<class>/paused``, ``<class>/push``), JSON.
settings = sa.Table(
    "class_settings", metadata,
    sa.Column("key", sa.String(120), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

#: A cell's typed texts shown, the commonest first.
MAX_TYPED_SHOWN = 12


@dataclasses.dataclass(frozen=True)
class Student:
    id: str
    number: int
    name: str


def _student(row) -> Student:
    return Student(row.id, row.number, row.name or f"Student {row.number}")


class ClassStore:
    """The class's database at ``url`` (tables made if missing)."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)
        if self.engine.dialect.name == "sqlite":
            # readers do not wait for the writer, and a commit waits for other writers up to 10 s
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
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
        try:
            with self.engine.begin() as db:
                db.execute(answers.insert().values(**row))
        except sa.exc.IntegrityError:
            with self.engine.begin() as db:
                if db.execute(sa.select(answers.c.id).where(answers.c.id == answer.id)).first() is None:
                    raise  # not a repeat: a real fault
            return False
        return True

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
        with self.engine.begin() as db:
            if db.execute(settings.update().where(settings.c.key == key).values(value=text)).rowcount == 0:
                db.execute(settings.insert().values(key=key, value=text))

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
        for exercise in sorted(exercises.values(), key=lambda e: e["last"]):
            layout = exercise_layout(exercise["page"], exercise["seed"], exercise["difficulty"], exercise["parts"])
            cells = {
                name: {"answers": len(cell["latest"]), "correct": sum(cell["latest"].values()),
                       "mistakes": {key: len(who) for key, who in sorted(cell["mistakes"].items(),
                                                                          key=lambda item: -len(item[1]))},
                       "typed": dict(cell["typed"].most_common(MAX_TYPED_SHOWN)),
                       "answer": right_answer(cell["part"], exercise["seed"], exercise["difficulty"], cell["cell"])}
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


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


__all__ = ["ClassStore", "Student"]
