from wmresearch.cli import main

raise SystemExit(main())
