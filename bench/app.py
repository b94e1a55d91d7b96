"""The planner plus a bare Flask route, served together so ratios compare like with like."""
from planner import create_app

app = create_app()


@app.route("/bench/bare")
def bare() -> str:
    return "ok"
