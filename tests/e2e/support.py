"""Helpers of the browser journeys: screenshots to the git-ignored test-output folder, reads of the app's database."""

from pathlib import Path

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "e2e"


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sql_one(app_server, query: str, params=()):
    with app_server.db.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()
