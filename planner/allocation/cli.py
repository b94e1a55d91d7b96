"""Command group `allocation`: run (or preview) a programme's allocation, export it, and the
timer's sweep that expires overdue confirmations and promotes from waitlists."""
from __future__ import annotations

import gc
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
@click.option("--current", is_flag=True,
              help="Each application's status and waitlist position now, not the run's.")
def export(programme_slug: str, current: bool) -> None:
    """Print PROGRAMME's latest allocation as JSON (the format of DOMAIN.md)."""
    from planner.allocation.export import export_programme
    # The export builds ~100,000 dicts and tuples, none in a reference cycle (reference
    # counting frees them); the cycle collector, triggered by so many new containers, kept
    # rescanning them and every object start-up made: a quarter of a second at 100,000
    # applications. Paused, not switched off: the tests invoke this command in their process.
    was_collecting = gc.isenabled()
    gc.disable()
    try:
        programme = _programme(programme_slug)
        with unit_of_work.command():
            data = export_programme(programme, current=current)
        # One write: json.dump to an unbuffered stdout made millions of small writes.
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    finally:
        if was_collecting:
            gc.enable()


@allocation.command("expire")
@single_instance("allocation expire")
def expire() -> None:
    """Expire overdue confirmations and offer their places to the waitlists (run by a timer).

    Only places this run frees are offered: every other freed place was offered at once, and
    a place a coordinator took away stays as the coordinator left it (allocation rule 7)."""
    from planner.allocation import services
    with unit_of_work.command():
        expired, promoted = services.expire_overdue()
    click.echo(f"{expired} expired, {promoted} promoted from waitlists.")


@allocation.command("check")
def check() -> None:
    """Check that every offer's taken counters equal the applications holding its places."""
    from planner.signups.services import counter_drift
    drift = counter_drift()
    for offer_id, kind, counter, holders in drift:
        click.echo(f"offer {offer_id} {kind}: counter {counter}, holders {holders}")
    if drift:
        raise click.ClickException(f"{len(drift)} counters differ from their holders.")
    click.echo("Every counter equals its holders.")
