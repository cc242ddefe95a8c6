"""The class: what a teacher sees of the students' answers, and the push and pause that lead the room.

- :mod:`.answers` reads and checks what a student's kernel sends, with the lessons' own checkers;
- :mod:`.store` keeps students and answers in a database behind one URL (SQLite by default);
- :mod:`.server` is the teacher's page, its API and the kernels' link, as handlers of batchnet's Voila
  server (``batchnet_core.serving``);
- :mod:`.hub` is the same page and API as a JupyterHub service: a class per group, the hub's scopes;
- ``batchnet_core.ui.classroom`` is the kernel's side: the link and the class bar on every page.
"""
