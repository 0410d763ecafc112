"""What `make test` says about itself: without PostgreSQL, the database tests it skipped and how to run them."""
import os
import re
import subprocess
import sys

from conftest import POSTGRES_HOW, ROOT


def test_without_postgres_the_skipped_database_tests_are_counted_and_the_way_to_run_them_is_given():
    env = {k: v for k, v in os.environ.items() if k != "KERNE_TEST_DATABASE_URL"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/records/test_audit.py",
                             "-k", "names_the_subject or rolled_back"],  # two database tests: enough to count skips
                            check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    counted = re.search(r"(\d+) database tests skipped: they run on SQLite, and on PostgreSQL only when", result.stdout)
    assert counted and int(counted.group(1)) > 0
    assert POSTGRES_HOW in result.stdout
    # one line in the short summary, however many tests it stands for
    assert len(re.findall(r"^SKIPPED \[", result.stdout, re.MULTILINE)) == 1
    assert f"SKIPPED [{counted.group(1)}] tests/conftest.py:" in result.stdout
