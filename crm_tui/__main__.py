import sys

from crm_tui.cli.main import main

sys.exit(main())
