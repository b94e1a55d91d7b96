"""Top-level commands: demo-data and synthetic-data (they orchestrate every domain)."""
from __future__ import annotations

import click

from planner.extensions import db


@click.command("demo-data")
def demo_data() -> None:
    """Load the real exhibition catalogue, a demo programme and demo logins. Idempotent."""
    from planner.catalogue import demo as catalogue_demo

    created, updated = catalogue_demo.load_exhibitions()
    db.session.commit()
    click.echo(f"Exhibitions: {created} added, {updated} updated.")


@click.command("synthetic-data")
@click.option("--exhibitions", "n_exhibitions", type=click.IntRange(0), default=200, show_default=True)
@click.option("--companies", "n_companies", type=click.IntRange(0), default=500, show_default=True)
@click.option("--applications", "n_applications", type=click.IntRange(0), default=2000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def synthetic_data(n_exhibitions: int, n_companies: int, n_applications: int, seed: int) -> None:
    """Fill the database at scale for benchmarks; the same seed gives the same data."""
    from planner.catalogue import synthetic as catalogue_synthetic

    made = catalogue_synthetic.make_exhibitions(n_exhibitions, seed=seed, progress=True)
    db.session.commit()
    click.echo(f"Synthetic exhibitions: {made}.")
