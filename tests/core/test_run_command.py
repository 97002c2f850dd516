"""README's run command: ``bash bin/run`` serves the app with a worker and beat, and Ctrl-C stops all it started."""

import json
import os
import signal
import subprocess
import urllib.request
from pathlib import Path

import psutil

from tests.core.test_quickstart import HEALTH_TOKEN, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


def processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in psutil.process_iter(attrs=["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if text in cmdline:
            found.append(cmdline)
    return found


def test_run_command_serves_the_app_and_ctrl_c_stops_everything(tmp_path):
    local = tmp_path / "local"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "TEST_DATABASE_NAME")}
    env.update(WEALTHCRM_LOCAL_DIR=str(local), PORT=str(port), HEALTH_TOKEN=HEALTH_TOKEN)
    log = open(tmp_path / "run.log", "w")
    # A terminal's Ctrl-C sends SIGINT to the foreground process group: reproduce exactly that.
    run = subprocess.Popen(["bash", "bin/run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                           start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        def healthy():
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/health/",
                                                 headers={"X-Health-Token": HEALTH_TOKEN})
                with urllib.request.urlopen(request, timeout=2) as response:
                    return json.load(response)
            except OSError:
                assert run.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
                return None

        body = wait_for(healthy, timeout=300, what="bin/run to serve the app")
        assert body["database"]["ok"] and body["broker"]["ok"]
        wait_for(lambda: "WealthCRM is running" in (tmp_path / "run.log").read_text(), what="the banner")
        output = (tmp_path / "run.log").read_text()
        assert "PostgreSQL: embedded · Redis: embedded" in output
        assert "bj0101_hall" in output  # the demo sign-ins are printed
        wait_for(lambda: processes_mentioning("wealthcrm beat") and processes_mentioning("wealthcrm worker"),
                 what="worker and beat")
    finally:
        os.killpg(run.pid, signal.SIGINT)
        try:
            run.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            tree = "\n".join(processes_mentioning("wealthcrm") + processes_mentioning(str(local)))
            raise AssertionError(f"Ctrl-C did not stop bin/run within 120 s; still running:\n{tree}\n"
                                 f"log:\n{(tmp_path / 'run.log').read_text()[-3000:]}") from None
    assert run.returncode == 0
    try:
        wait_for(lambda: not processes_mentioning(str(local)), timeout=30, what="embedded servers to stop")
    except AssertionError:
        raise AssertionError(f"still running after bin/run returned: {processes_mentioning(str(local))}\n"
                             f"log:\n{(tmp_path / 'run.log').read_text()[-3000:]}") from None
    assert not processes_mentioning(f"127.0.0.1:{port}")
