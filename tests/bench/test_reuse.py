"""``--reuse`` never rebuilds a kept data set of another size under the same name: a 1M build takes most of an hour,
and a forgotten ``--clients`` used to replace it with the default 20,000."""

import os

import pytest

from bench import __main__ as bench_main
from bench import db


def test_reuse_of_a_data_set_of_another_size_is_refused_before_anything_is_built(monkeypatch, capsys):
    for name in ("FIELD_ENCRYPTION_KEY", "SECRET_KEY", "REDIS_URL"):   # main() sets them for its child processes
        if name in os.environ:
            monkeypatch.setenv(name, os.environ[name])
        else:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(db, "read_meta", lambda name: {"clients": 1_000_000})
    built = []
    monkeypatch.setattr(bench_main, "prepare", lambda *args: built.append(args))
    with pytest.raises(SystemExit) as exit_:
        bench_main.main(["--reuse", "--only", "xlsx_report"])
    assert exit_.value.code == 2 and built == []
    assert "holds 1,000,000 clients, not 20,000: pass --clients 1000000" in capsys.readouterr().err
