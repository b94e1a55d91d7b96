"""Command `create-user`: staff and applicant accounts from the command line."""
from __future__ import annotations

import secrets

import click

from planner import unit_of_work
from planner.accounts import services
from planner.accounts.models import Role


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.coordinator.value,
              show_default=True)
@click.option("--password", help="Prompted for when omitted; a random one is printed with --generate.")
@click.option("--generate", is_flag=True, help="Generate a random password and print it once.")
@click.option("--name", default="")
def create_user(email: str, role: str, password: str | None, generate: bool, name: str) -> None:
    """Create a verified account, by default a coordinator."""
    if generate:
        password = secrets.token_urlsafe(12)
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with unit_of_work.command():
        user = services.create_user(email, password, role=Role(role), name=name, verified=True)
    click.echo(f"Created {user.role} {user.email}" + (f" with password {password}" if generate else ""))
