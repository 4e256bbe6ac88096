from jobtui.cli import main

raise SystemExit(main())
