"""Back-office downloads for an offer's participants: the pavilion builder's list and the
delegation list, as XLSX or CSV."""
from __future__ import annotations

from flask import Response, abort
from flask.typing import ResponseReturnValue

from planner.backoffice import exports
from planner.backoffice.blueprint import bp
from planner.catalogue.models import Offer
from planner.extensions import db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/offers/<int:offer_id>/<any(pavilion, delegation):which>.<any(csv, xlsx):extension>")
def participant_list(offer_id: int, which: str, extension: str) -> ResponseReturnValue:
    offer = db.get_or_404(Offer, offer_id)
    build = exports.EXPORTS.get(which)
    if build is None:
        abort(404)
    table = build(offer)
    name = f'attachment; filename="{which}-{offer.exhibition.slug}.{extension}"'
    if extension == "csv":
        return Response(exports.to_csv(table), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": name})
    return Response(exports.to_xlsx([table]), mimetype=XLSX, headers={"Content-Disposition": name})
