from wmresearch.entry import main

raise SystemExit(main())
