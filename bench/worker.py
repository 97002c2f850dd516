"""Child process that runs one of our operations against DATABASE_URL and prints ``{seconds, peak_rss_mb, ...}``.

A separate process so that the peak RSS is that of the work alone, not of the harness that built the data.
"""

import json
import os
import resource
import sys


def main(name: str, *args: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wealthcrm.settings")
    import django

    django.setup()
    from bench.ops import OPERATIONS

    result = OPERATIONS[name].measure_ours(*args)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:])
