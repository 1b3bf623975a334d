"""Run the same work in several threads at the same moment, each on its own database connection."""

import threading

from django.db import connection


def run_at_once(count: int, target) -> tuple[list, list]:
    """Call `target(i)` for i in range(count), all released together; return (results, errors)."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:  # reported to the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def run_together(jobs) -> list:
    """Start every job at the same moment, each on its own thread and database connection; the errors raised."""
    return run_at_once(len(jobs), lambda i: jobs[i]())[1]
