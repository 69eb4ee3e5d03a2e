"""``python -m nianbao.cli``."""

import sys

from nianbao.cli import main

sys.exit(main())
