"""Issue 19 "Faults": a database connection dropped under the running app (a failover, an idle-connection reaper,
a DBA's pg_terminate_backend) never reaches the user — the next request opens a new connection."""

from tests.e2e.support import sql_one


def test_a_dropped_database_connection_never_reaches_the_user(open_page, app_server):
    page = open_page("bj01_adv1")
    # Warm both gunicorn workers so each keeps a persistent connection (CONN_MAX_AGE).
    for _ in range(4):
        assert page.goto("/clients/").status == 200
    (dropped,) = sql_one(app_server, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                     "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    assert dropped >= 1
    for _ in range(6):
        response = page.goto("/clients/")
        assert response.status == 200, response.text()[:500]
