from preflight.cli import run

run()
