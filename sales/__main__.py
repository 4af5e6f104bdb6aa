import sys

from sales.cli import main

sys.exit(main())
