"""A JSON API blueprint with the API's error answers: a bad parameter is a 400 naming it, a
partner-only source asked for without signing in a 403 naming the source."""

from __future__ import annotations

from flask import Blueprint, jsonify

from dashboard.chart_data.incident_heatmap import PartnerOnly
from dashboard.server import params


def partner_only_response(refused: PartnerOnly):
    return jsonify(error={"status": 403, "parameter": "source", "message": str(refused)}), 403


def api_blueprint(name: str) -> Blueprint:
    api = Blueprint(name, __name__)

    @api.errorhandler(params.BadParameter)
    def bad_parameter(error: params.BadParameter):
        return jsonify(error={"parameter": error.parameter, "message": error.message}), 400

    api.register_error_handler(PartnerOnly, partner_only_response)
    return api
