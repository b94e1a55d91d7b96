"""Command group `allocation`: run (or preview) a programme's allocation, export it, and the
timer's sweep that expires overdue confirmations and promotes from waitlists."""
from __future__ import annotations

import json
import sys

import click

from planner import unit_of_work
from planner.catalogue.models import Programme
from planner.locks import single_instance


def _programme(slug: str) -> Programme:
    from planner.catalogue import services as catalogue
    programme = catalogue.get_programme_by_slug(slug)
    if programme is None:
        raise click.ClickException(f"No programme with slug {slug!r}.")
    return programme


@click.group("allocation")
def allocation() -> None:
    """Run, export and maintain allocations of subsidised places."""


@allocation.command("run")
@click.argument("programme_slug")
@click.option("--dry-run", is_flag=True, help="Preview: store the results, change no status.")
@click.option("--seed", default=None, help="Lottery seed (default: a fresh random one).")
def run(programme_slug: str, dry_run: bool, seed: str | None) -> None:
    """Allocate PROGRAMME's ranked offers (publishes unless --dry-run)."""
    from planner.allocation import services
    programme = _programme(programme_slug)
    with unit_of_work.command():
        result = services.run_allocation(programme, actor=None, dry_run=dry_run, seed=seed)
    summary = services.summarise_run(result)
    click.echo(f"{'Dry run' if dry_run else 'Published run'} #{result.id} of {programme.slug}, "
               f"seed {result.seed}")
    click.echo(f"{'exhibition':40} {'kind':10} {'cap':>5} {'apps':>6} {'alloc':>6} "
               f"{'cut-off':>8} {'fill':>6}")
    for slot in summary:
        cutoff = f"{slot.cutoff:.2f}" if slot.cutoff is not None else "-"
        fill = f"{slot.fill_rate:.0%}" if slot.fill_rate is not None else "-"
        click.echo(f"{slot.exhibition_slug[:40]:40} {slot.kind:10} {slot.capacity:>5} "
                   f"{slot.applications:>6} {slot.allocated:>6} {cutoff:>8} {fill:>6}")
    total_alloc = sum(s.allocated for s in summary)
    total_apps = sum(s.applications for s in summary)
    click.echo(f"{len(summary)} slot types, {total_apps} eligible applications, "
               f"{total_alloc} allocated.")


@allocation.command("export")
@click.argument("programme_slug")
def export(programme_slug: str) -> None:
    """Print PROGRAMME's latest allocation as JSON (the format of DOMAIN.md)."""
    from planner.allocation.export import export_programme
    programme = _programme(programme_slug)
    with unit_of_work.command():
        data = export_programme(programme)
    json.dump(data, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


@allocation.command("expire")
@single_instance("allocation expire")
def expire() -> None:
    """Expire overdue confirmations and give free places to the waitlists (run by a timer)."""
    from planner.allocation import services
    with unit_of_work.command():
        expired, promoted = services.expire_overdue()
        promoted += services.fill_all_freed_places()
    click.echo(f"{expired} expired, {promoted} promoted from waitlists.")
