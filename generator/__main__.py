import gc
import sys

# A build makes hundreds of thousands of small objects (each workbook's rows, read or unpickled from
# the cache) and almost no cycles: collect the youngest objects every 100,000 allocations, not 700,
# as mypy does. A rebuild of 1,000 workbooks spent a fifth of its time in the collector.
gc.set_threshold(100_000, 20, 20)

from generator.cli import main  # noqa: E402 (after the threshold: importing allocates too)

sys.exit(main())
