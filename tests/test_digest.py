"""The weekly digest: sent through a local SMTP server the test starts, to each owner with their own leads
and to the managers with everyone's, with the same numbers as the This week page."""

import email
import email.policy
import socket
import subprocess
import sys
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller

from sales import access
from sales.digest import render
from sales.week import this_week
from tests.conftest import ADMIN, ROOT
from tests.pages.conftest import open_page
from tests.test_attention import HIGH, LOW, MEDIUM, add


class Inbox:
    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.mails.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"

    def to(self, who: str):
        found = [m for rcpt, m in self.mails if who in rcpt]
        assert len(found) == 1, [r for r, _ in self.mails]
        msg = found[0]
        text = next(p for p in msg.walk() if p.get_content_type() == "text/plain").get_content()
        html = next(p for p in msg.walk() if p.get_content_type() == "text/html").get_content()
        return msg, text, html


@pytest.fixture
def smtp():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _team(store, today: date) -> None:
    """Ana (bizdev, CRM owner "Ana") has two leads due; Bo's one lead is Bo's; the boss manages."""
    day = lambda n: (today - timedelta(days=n)).isoformat()  # noqa: E731
    with store.transaction() as cur:
        add(cur, 1, "Ana's overdue <script>alert(1)</script>", HIGH, owner="Ana", contacts=[f"{day(9)} 09:00"],
            created=day(40), assessed=day(5))
        add(cur, 2, "Ana's due today", MEDIUM, owner="Ana", contacts=[f"{day(14)} 09:00"], created=day(40),
            assessed=day(5))
        add(cur, 3, "Bo's overdue", LOW, owner="Bo", contacts=[f"{day(45)} 09:00"], created=day(60), assessed=day(5))
    access.grant(store, ADMIN, "ana@agency.example", "bizdev")
    access.set_crm_owner(store, ADMIN, "ana@agency.example", "Ana")
    access.grant(store, ADMIN, "viewer@agency.example", "viewer")  # viewers get no digest of their own


def _secrets(tmp_path, port: int):
    path = tmp_path / "secrets.toml"
    path.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "sales@agency.example"\n'
                    'managers = ["boss@agency.example"]\n', encoding="utf-8")
    return path


def test_digest_is_mailed_to_each_owner_and_the_managers(store, smtp, tmp_path, monkeypatch):
    inbox, port = smtp
    today = date.today()
    _team(store, today)
    db = store.path
    store.close()
    r = subprocess.run([sys.executable, "-m", "sales", "digest", "--send", "--db", str(db)], cwd=ROOT,
                       capture_output=True, text=True, env={**__import__("os").environ,
                                                            "SALES_SECRETS": str(_secrets(tmp_path, port))})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "digest sent to 2: boss@agency.example, ana@agency.example"
    msg, text, html = inbox.to("ana@agency.example")
    assert msg["From"] == "sales@agency.example" and msg["Subject"] == f"This week in sales, {today}"
    assert "1 overdue, 1 due today, 0 due later this week." in text
    assert "Bo's overdue" not in text
    # names from CRM files are text in the HTML part, never markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    _, boss_text, _ = inbox.to("boss@agency.example")
    assert "2 overdue, 1 due today, 0 due later this week." in boss_text and "Bo's overdue" in boss_text

    # the same numbers as the This week page shows (local mode: everyone's leads, as the managers get)
    at = open_page(monkeypatch, db, "week")
    shown = {m.label: m.value for m in at.metric}
    assert (shown["Overdue follow-ups"], shown["Due today"], shown["Due later this week"]) == ("2", "1", "0")
    at = open_page(monkeypatch, db, "week", owner="Ana")
    shown = {m.label: m.value for m in at.metric}
    assert (shown["Overdue follow-ups"], shown["Due today"]) == ("1", "1")


def test_digest_prints_markdown_and_html(store):
    today = date.today()
    _team(store, today)
    week = this_week(store.cursor(), today, ("Ana",))
    md = render(week, "md")
    assert md.startswith(f"# This week, {today}: Ana")
    assert "| Ana's overdue <script>alert(1)</script> | Ana | High |" in md
    # follow-ups: a head and two rows; stuck: the same two, 40 days at Generating Leads (limit 30), no moves;
    # nothing to re-score (assessed five days ago, every factor known)
    assert render(week, "html").count("<tr>") == 3 + 3
    assert "2 open leads have sat in their stage longer than its limit." in md



def test_digest_tables_read_as_the_pages_show_them(store):
    """Ana's two leads on 25 November: the overdue one (High, every 7 days) last contacted on 16 November, so
    due on the 23rd; the other (Medium, every 14 days) last contacted on 11 November, due today; both created 40
    days ago and still at Generating Leads, whose limit is 30 days. Headers in words with units, dates without a
    time, nothing of the store's keys; a name with a bar and a newline stays one cell of one line."""
    today = date(2026, 11, 25)
    _team(store, today)
    with store.transaction() as cur:
        cur.execute("UPDATE leads SET name = 'Pipe | and\nnewline' WHERE name = 'Ana''s due today'")
    week = this_week(store.cursor(), today, ("Ana",))
    md = render(week, "md").splitlines()
    assert md[md.index("## Follow-ups") + 4:][:4] == [
        "| Name | Owner | Category | Last contact | Due | State |", "|---|---|---|---|---|---|",
        "| Ana's overdue <script>alert(1)</script> | Ana | High | 2026-11-16 | 2026-11-23 | overdue |",
        "| Pipe \\| and newline | Ana | Medium | 2026-11-11 | 2026-11-25 | due today |"]
    assert md[md.index("## Stuck leads") + 4:][:3] == [
        "| Name | Owner | Stage | Days | Limit (days) | Unmet |", "|---|---|---|---|---|---|",
        "| Ana's overdue <script>alert(1)</script> | Ana | Generating Leads | 40 | 30 | Someone has asked about our "
        "services |"]
    html = render(week, "html")
    assert ("<tr><th>Name</th><th>Owner</th><th>Stage</th><th>Days</th><th>Limit (days)</th><th>Unmet</th></tr>"
            in html)
    assert "<td>Pipe | and newline</td><td>Ana</td><td>Medium</td><td>2026-11-11</td><td>2026-11-25</td>" in html
    for raw in ("None", "nan", "NaT", "00:00", "last_contact", "limit_days"):
        assert raw not in "\n".join(md) and raw not in html, raw
