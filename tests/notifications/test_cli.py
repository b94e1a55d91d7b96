from pathlib import Path

from planner.notifications import services
from planner.notifications.models import OutboxMessage


def test_notifications_send_delivers_queued_mail_and_commits(app, db, runner):
    services.enqueue("kim@example.com", "Hello", "Body")
    db.session.commit()
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 email(s)" in result.output
    db.session.expire_all()
    assert db.session.scalar(db.select(OutboxMessage)).sent_at is not None
    assert len(list(Path(app.config["MAIL_DIR"]).glob("*.eml"))) == 1
