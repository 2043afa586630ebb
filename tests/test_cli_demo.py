"""`partnerfit demo` through the real entry point."""

import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "partnerfit.cli", *args], capture_output=True, text=True)


def test_demo_prints_recommendation_and_ranked_vendors():
    result = run("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Recommended partner type: CDMO" in out
    lines = [line for line in out.splitlines() if line.startswith(("Garnet", "Alder", "Elmstead", "Hollis"))]
    assert lines[0].split()[:4] == ["Garnet", "BioWorks", "4.44", "1"]
    assert "Knocked out: Quality systems" in out and "Incomplete" in out


def test_usage_errors_exit_2_without_traceback():
    result = run("no-such-command")
    assert result.returncode == 2 and "Traceback" not in result.stderr
