from planner.accounts import services
from planner.accounts.models import Role, User


def test_create_user_makes_a_verified_coordinator_with_a_generated_password(app, db, runner):
    result = runner.invoke(args=["create-user", "Staff@Agency.example", "--generate", "--name", "Park"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit(" ", 1)[-1]
    user = services.authenticate("staff@agency.example", password)
    assert user is not None and user.role == Role.coordinator and user.email_verified_at is not None


def test_create_user_refuses_a_weak_password_and_creates_nothing(app, db, runner):
    result = runner.invoke(args=["create-user", "staff@agency.example", "--password", "1234567890"])
    assert result.exit_code != 0
    assert "too common" in result.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
