"""Back-office dashboards: across programmes (the front page) and per programme, each chart
with its table and a CSV of its figures."""
from __future__ import annotations

from flask import Response, abort, render_template
from flask.typing import ResponseReturnValue

from planner.backoffice import exports, figures, services
from planner.backoffice.blueprint import bp
from planner.backoffice.charts import Figure
from planner.backoffice.programmes import programme_or_404 as _programme_or_404
from planner.db import utcnow


def _csv(figure: Figure | None, name: str) -> ResponseReturnValue:
    if figure is None:
        abort(404)
    table = exports.Table(name=figure.title, columns=[exports.Column(c) for c in figure.columns],
                          rows=figure.rows)
    return Response(exports.to_csv(table), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{figure.key}.csv"'})


@bp.route("/")
def index() -> ResponseReturnValue:
    now = utcnow()
    return render_template("backoffice/index.html", board=services.dashboard(now=now),
                           overview=figures.overview(now=now))


@bp.route("/figures/<key>.csv")
def overview_csv(key: str) -> ResponseReturnValue:
    return _csv(figures.find_figure(figures.overview(now=utcnow()).figures, key), "programmes")


@bp.route("/programmes/<slug>/dashboard")
def programme_dashboard(slug: str) -> ResponseReturnValue:
    programme = _programme_or_404(slug)
    return render_template("backoffice/programmes/dashboard.html", programme=programme,
                           board=figures.programme_board(programme, now=utcnow()))


@bp.route("/programmes/<slug>/dashboard/<key>.csv")
def programme_dashboard_csv(slug: str, key: str) -> ResponseReturnValue:
    programme = _programme_or_404(slug)
    return _csv(figures.find_figure(figures.programme_board(programme, now=utcnow()).figures, key),
                programme.slug)
