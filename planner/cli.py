"""Top-level commands: demo-data and synthetic-data (they orchestrate every domain)."""
from __future__ import annotations

import time

import click

from planner import unit_of_work


@click.command("demo-data")
def demo_data() -> None:
    """Load the real exhibition catalogue, a demo programme and demo logins. Idempotent."""
    from planner.allocation import demo as allocation_demo
    from planner.catalogue import demo as catalogue_demo
    from planner.signups import demo as signups_demo

    with unit_of_work.command():
        created, updated = catalogue_demo.load_exhibitions()
        logins = signups_demo.load_demo()
        main_company, main_user = signups_demo.demo_company_and_applicant()
        closed_call = allocation_demo.load_closed_call(main_company, main_user)
    click.echo(f"Exhibitions: {created} added, {updated} updated.")
    click.echo(f"Demo programme: {signups_demo.PROGRAMME_SLUG}")
    click.echo("Demo logins:")
    for role, email, password in logins:
        click.echo(f"  {role:<12} {email:<32} {password}")
    if closed_call:
        click.echo(f"Closed call, ready to allocate: {closed_call} (back office > Allocation); "
                   f"its {len(allocation_demo.COMPANIES)} other companies log in as "
                   f"{allocation_demo.LOGIN_PATTERN.format(n=1)} … "
                   f"{allocation_demo.LOGIN_PATTERN.format(n=len(allocation_demo.COMPANIES))}, "
                   f"password {allocation_demo.COMPANY_PASSWORD}")


@click.command("synthetic-data")
@click.option("--exhibitions", "n_exhibitions", type=click.IntRange(0), default=200, show_default=True)
@click.option("--companies", "n_companies", type=click.IntRange(0), default=500, show_default=True)
@click.option("--applications", "n_applications", type=click.IntRange(0), default=2000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def synthetic_data(n_exhibitions: int, n_companies: int, n_applications: int, seed: int) -> None:
    """Fill the database at scale for benchmarks; the same seed gives the same data."""
    from planner.catalogue import synthetic as catalogue_synthetic
    from planner.signups import synthetic as signups_synthetic

    if signups_synthetic.synthetic_programme_exists():
        click.echo(f"The '{signups_synthetic.PROGRAMME_SLUG}' programme exists already; nothing added. "
                   "Use an empty database for another synthetic set.")
        return
    started = time.perf_counter()
    with unit_of_work.command():
        last_id = signups_synthetic.max_exhibition_id()
        made = catalogue_synthetic.make_exhibitions(n_exhibitions, seed=seed, progress=True)
        exhibitions = signups_synthetic.exhibitions_for_offers(last_id, n_exhibitions)
        result = signups_synthetic.make_synthetic(exhibitions, companies=n_companies,
                                                  applications=n_applications, seed=seed,
                                                  progress=True)
    click.echo(f"Synthetic exhibitions: {made}.")
    click.echo(f"Companies: {result.companies}, users: {result.users}, offers: {result.offers} "
               f"({result.slot_types} slot types), applications: {result.applications}.")
    click.echo(f"Programme '{signups_synthetic.PROGRAMME_SLUG}' is closed and ready to allocate "
               f"({time.perf_counter() - started:.1f} s).")
